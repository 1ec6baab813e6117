package io.nanofleet.server.models;

/** One HTTP byte range ({@code bytes=a-b}, {@code bytes=a-}, {@code bytes=-n}); multi-range is not offered. */
final class ByteRange {
    private ByteRange() {}

    /** Inclusive [first, last] within a file of {@code length} bytes, or null when unsatisfiable or malformed. */
    static long[] parse(String header, long length) {
        if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
            return null;
        }
        String spec = header.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String a = spec.substring(0, dash).trim();
            String b = spec.substring(dash + 1).trim();
            long first;
            long last;
            if (a.isEmpty()) {
                long n = Long.parseLong(b);
                if (n <= 0) {
                    return null;
                }
                first = Math.max(0, length - n);
                last = length - 1;
            } else {
                first = Long.parseLong(a);
                last = b.isEmpty() ? length - 1 : Math.min(Long.parseLong(b), length - 1);
            }
            if (first < 0 || first >= length || last < first) {
                return null;
            }
            return new long[] {first, last};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
