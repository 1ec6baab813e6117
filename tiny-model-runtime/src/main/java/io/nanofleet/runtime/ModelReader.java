package io.nanofleet.runtime;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * Bounds-checked little-endian reader for {@link ModelFile}. Every array length is checked against the bytes
 * left and a hard cap BEFORE anything is allocated.
 */
final class ModelReader {
    private final byte[] b;
    private int pos;
    private final int end;

    ModelReader(byte[] b, int start, int end) {
        this.b = b;
        this.pos = start;
        this.end = end;
    }

    private void need(long n, String what) throws ModelFormatException {
        if (n < 0 || n > end - pos) {
            throw new ModelFormatException("model file is truncated: " + what + " needs " + n + " bytes at offset " + pos
                    + ", only " + (end - pos) + " left");
        }
    }

    int u8() throws ModelFormatException {
        need(1, "u8");
        return b[pos++] & 0xFF;
    }

    int u16() throws ModelFormatException {
        need(2, "u16");
        int v = (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    int i32() throws ModelFormatException {
        need(4, "i32");
        int v = (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8 | (b[pos + 2] & 0xFF) << 16 | (b[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    float f32() throws ModelFormatException {
        return Float.intBitsToFloat(i32());
    }

    /** A declared element count, checked against a cap and against the minimum bytes each element occupies. */
    int count(int cap, int minBytesEach, String what) throws ModelFormatException {
        int n = i32();
        if (n < 0 || n > cap) {
            throw new ModelFormatException("declared " + what + " count " + Integer.toUnsignedString(n) + " exceeds the limit " + cap);
        }
        need((long) n * minBytesEach, n + " " + what);
        return n;
    }

    String str() throws ModelFormatException {
        int n = u16();
        need(n, "string");
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, pos, n)).toString();
            pos += n;
            return s;
        } catch (CharacterCodingException e) {
            throw new ModelFormatException("invalid UTF-8 string at offset " + pos, e);
        }
    }

    float[] floats(int cap) throws ModelFormatException {
        int n = count(cap, 4, "float array");
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = f32();
        }
        return a;
    }

    int[] ints(int cap) throws ModelFormatException {
        int n = count(cap, 4, "int array");
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i32();
        }
        return a;
    }

    byte[] byteArray(int cap) throws ModelFormatException {
        int n = count(cap, 1, "byte array");
        byte[] a = new byte[n];
        System.arraycopy(b, pos, a, 0, n);
        pos += n;
        return a;
    }

    void expectEnd() throws ModelFormatException {
        if (pos != end) {
            throw new ModelFormatException("model file has " + (end - pos) + " unexpected trailing payload bytes");
        }
    }
}
