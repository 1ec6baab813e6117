package io.nanofleet.protocols;

import java.util.regex.Pattern;

/**
 * Device identifiers. They become MQTT topic levels, CoAP path segments, file names and certificate
 * common names, so the allowed alphabet is deliberately narrow: no wildcards ({@code + #}), no
 * separators ({@code /}), no {@code $} (reserved topics), and no leading dot (so never {@code .} or
 * {@code ..}).
 */
public final class DeviceId {
    public static final int MAX_LENGTH = 64;
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0," + (MAX_LENGTH - 1) + "}");

    private DeviceId() {}

    /** Returns {@code id} unchanged if valid, else throws with the reason. */
    public static String require(String id) {
        String problem = problem(id);
        if (problem != null) {
            throw new InvalidDeviceIdException(id, problem);
        }
        return id;
    }

    public static boolean isValid(String id) {
        return problem(id) == null;
    }

    /** Null when valid; otherwise a sentence saying what is wrong. */
    public static String problem(String id) {
        if (id == null || id.isEmpty()) {
            return "device id is empty";
        }
        if (id.length() > MAX_LENGTH) {
            return "device id is " + id.length() + " characters, at most " + MAX_LENGTH + " allowed";
        }
        if (id.contains("..")) {
            return "device id must not contain '..'";
        }
        if (!ALLOWED.matcher(id).matches()) {
            return "device id may contain only letters, digits, '.', '_' and '-', and must start with a letter or digit";
        }
        return null;
    }

    /** Thrown for a device id that could escape its topic subtree or path. */
    public static final class InvalidDeviceIdException extends IllegalArgumentException {
        private final String deviceId;

        InvalidDeviceIdException(String deviceId, String problem) {
            super(problem + " (got " + printable(deviceId) + ")");
            this.deviceId = deviceId;
        }

        public String deviceId() {
            return deviceId;
        }

        private static String printable(String s) {
            if (s == null) {
                return "null";
            }
            String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
            return '"' + cut.replaceAll("\\p{Cntrl}", "?") + '"';
        }
    }
}
