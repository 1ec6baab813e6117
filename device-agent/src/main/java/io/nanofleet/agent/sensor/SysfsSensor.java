package io.nanofleet.agent.sensor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Temperatures from Linux sysfs: every {@code thermal/thermal_zone*}/temp (channel named after the zone's
 * {@code type}, e.g. a Pi's {@code cpu-thermal}) and every {@code hwmon/hwmon*}/temp*_input (named
 * {@code <hwmon name>.<label or tempN>}). Values are millidegrees Celsius in the files, degrees here. The root
 * is configurable so tests (and containers) can point it at a fake tree.
 */
public final class SysfsSensor implements SensorSource {
    private final List<String> channels;
    private final List<Path> files;

    public SysfsSensor(Path root) throws IOException {
        List<String> ch = new ArrayList<>();
        List<Path> fs = new ArrayList<>();
        for (Path zone : list(root.resolve("thermal"), "thermal_zone")) {
            Path temp = zone.resolve("temp");
            if (Files.isReadable(temp)) {
                String type = readFirstLine(zone.resolve("type"), zone.getFileName().toString());
                ch.add(unique(ch, type));
                fs.add(temp);
            }
        }
        for (Path hw : list(root.resolve("hwmon"), "hwmon")) {
            String name = readFirstLine(hw.resolve("name"), hw.getFileName().toString());
            List<Path> inputs;
            try (Stream<Path> s = Files.list(hw)) {
                inputs = s.filter(p -> p.getFileName().toString().matches("temp\\d+_input")).sorted().toList();
            }
            for (Path in : inputs) {
                String base = in.getFileName().toString().replace("_input", "");
                String label = readFirstLine(hw.resolve(base + "_label"), base);
                ch.add(unique(ch, name + "." + label));
                fs.add(in);
            }
        }
        if (ch.isEmpty()) {
            throw new IOException("no temperature files under " + root + "/thermal/thermal_zone*/temp or "
                    + root + "/hwmon/hwmon*/temp*_input (set sensor.sysfs.root or choose another sensor.type)");
        }
        this.channels = List.copyOf(ch);
        this.files = List.copyOf(fs);
    }

    private static List<Path> list(Path dir, String prefix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
        }
    }

    private static String readFirstLine(Path p, String fallback) {
        try {
            String s = Files.readString(p, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? fallback : s;
        } catch (IOException e) {
            return fallback;
        }
    }

    private static String unique(List<String> taken, String name) {
        String n = name;
        for (int i = 2; taken.contains(n); i++) {
            n = name + "#" + i;
        }
        return n;
    }

    @Override
    public List<String> channels() {
        return channels;
    }

    @Override
    public void read(double[] out) throws IOException {
        for (int i = 0; i < files.size(); i++) {
            String s = Files.readString(files.get(i), StandardCharsets.US_ASCII).strip();
            try {
                out[i] = Long.parseLong(s) / 1000.0;
            } catch (NumberFormatException e) {
                throw new IOException(files.get(i) + " holds '" + s + "', not millidegrees");
            }
        }
    }
}
