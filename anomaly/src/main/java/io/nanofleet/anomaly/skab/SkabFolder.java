package io.nanofleet.anomaly.skab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Finds the SKAB experiment files under a folder: every *.csv, recursively, except those under an anomaly-free folder. */
public final class SkabFolder {
    private SkabFolder() {
    }

    public static List<SkabRecording> experiments(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not a folder; pass --data pointing at a folder of SKAB csv files");
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(".csv"))
                    .filter(p -> !isAnomalyFree(dir.relativize(p)))
                    .sorted(Comparator.comparing((Path p) -> dir.relativize(p.getParent()).toString())
                            .thenComparing(FILE_ORDER))
                    .toList();
        }
        List<SkabRecording> out = new ArrayList<>();
        for (Path f : files) {
            out.add(SkabCsvReader.read(f, dir.relativize(f).toString().replace('\\', '/')));
        }
        return out;
    }

    private static boolean isAnomalyFree(Path rel) {
        for (Path part : rel) {
            if (part.toString().equals("anomaly-free")) {
                return true;
            }
        }
        return false;
    }

    /** 2.csv before 10.csv; names that are not numbers sort after, alphabetically. */
    private static final Comparator<Path> FILE_ORDER = Comparator.comparingLong((Path p) -> {
        String n = p.getFileName().toString().replace(".csv", "");
        return !n.isEmpty() && n.length() < 18 && n.chars().allMatch(Character::isDigit) ? Long.parseLong(n) : Long.MAX_VALUE;
    }).thenComparing(p -> p.getFileName().toString());
}
