package io.nanofleet.agent.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Sets keys in a configuration file, keeping its other lines and comments. */
final class ConfigWriter {
    private ConfigWriter() {}

    static void update(Path file, Map<String, String> values) throws IOException {
        List<String> lines = Files.exists(file) ? new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8))
                : new ArrayList<>(List.of("# NanoFleet agent configuration (keys: see the device-agent README)"));
        Map<String, String> todo = new LinkedHashMap<>(values);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            int eq = l.indexOf('=');
            if (eq > 0 && !l.strip().startsWith("#")) {
                String key = l.substring(0, eq).strip();
                if (todo.containsKey(key)) {
                    lines.set(i, key + " = " + todo.remove(key));
                }
            }
        }
        todo.forEach((k, v) -> lines.add(k + " = " + v));
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
