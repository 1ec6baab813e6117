package io.nanofleet.ota.metadata;

import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/** Typed access to a parsed JSON object with errors that name the field. */
final class Fields {
    private Fields() {
    }

    static String str(Map<?, ?> m, String key, String where) throws TufException.FormatException {
        Object v = m.get(key);
        if (!(v instanceof String)) {
            throw new TufException.FormatException(where + "." + key + " must be a string");
        }
        return (String) v;
    }

    static long num(Map<?, ?> m, String key, String where) throws TufException.FormatException {
        Object v = m.get(key);
        if (v instanceof Long) {
            return (Long) v;
        }
        if (v instanceof BigInteger) {
            throw new TufException.FormatException(where + "." + key + " is out of range");
        }
        throw new TufException.FormatException(where + "." + key + " must be an integer");
    }

    static long positive(Map<?, ?> m, String key, String where) throws TufException.FormatException {
        long v = num(m, key, where);
        if (v < 1) {
            throw new TufException.FormatException(where + "." + key + " must be >= 1, got " + v);
        }
        return v;
    }

    static long nonNegative(Map<?, ?> m, String key, String where) throws TufException.FormatException {
        long v = num(m, key, where);
        if (v < 0) {
            throw new TufException.FormatException(where + "." + key + " must be >= 0, got " + v);
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> obj(Map<?, ?> m, String key, String where) throws TufException.FormatException {
        Object v = m.get(key);
        if (!(v instanceof Map)) {
            throw new TufException.FormatException(where + "." + key + " must be an object");
        }
        return (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Map<?, ?> m, String key, String where) throws TufException.FormatException {
        Object v = m.get(key);
        if (!(v instanceof List)) {
            throw new TufException.FormatException(where + "." + key + " must be an array");
        }
        return (List<Object>) v;
    }

    static boolean bool(Map<?, ?> m, String key, boolean dflt, String where) throws TufException.FormatException {
        Object v = m.get(key);
        if (v == null && !m.containsKey(key)) {
            return dflt;
        }
        if (!(v instanceof Boolean)) {
            throw new TufException.FormatException(where + "." + key + " must be a boolean");
        }
        return (Boolean) v;
    }

    /** TUF dates are ISO 8601 UTC with a literal Z, e.g. 2030-01-01T00:00:00Z. */
    static Instant instant(Map<?, ?> m, String key, String where) throws TufException.FormatException {
        String s = str(m, key, where);
        if (!s.endsWith("Z")) {
            throw new TufException.FormatException(where + "." + key + " must be UTC ending in Z: " + s);
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new TufException.FormatException(where + "." + key + " is not an ISO 8601 date: " + s, e);
        }
    }
}
