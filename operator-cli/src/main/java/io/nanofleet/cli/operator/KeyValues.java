package io.nanofleet.cli.operator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** {@code key=value} arguments: the key is non-empty, the value may be empty, a key given twice is an error. */
public final class KeyValues {
    private KeyValues() {
    }

    public static Map<String, String> parse(List<String> args, CommandLine cmd, String what) {
        Map<String, String> out = new LinkedHashMap<>();
        if (args == null) {
            return out;
        }
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(cmd, what + " must be key=value, got '" + a + "'");
            }
            String key = a.substring(0, eq).trim();
            if (key.isEmpty()) {
                throw new CommandLine.ParameterException(cmd, what + " must be key=value, got '" + a + "'");
            }
            if (out.put(key, a.substring(eq + 1)) != null) {
                throw new CommandLine.ParameterException(cmd, what + ": '" + key + "' is given twice");
            }
        }
        return out;
    }
}
