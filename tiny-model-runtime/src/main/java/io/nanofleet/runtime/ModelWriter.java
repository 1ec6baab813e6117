package io.nanofleet.runtime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Little-endian primitive writer for {@link ModelFile}. */
final class ModelWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void u8(int v) {
        out.write(v);
    }

    void u16(int v) {
        out.write(v);
        out.write(v >>> 8);
    }

    void u32(int v) {
        i32(v);
    }

    void i32(int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }

    void f32(float v) {
        i32(Float.floatToRawIntBits(v));
    }

    void bytes(byte[] b) {
        out.write(b, 0, b.length);
    }

    void str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("string longer than 65535 UTF-8 bytes cannot be stored: " + s.substring(0, 40) + "...");
        }
        u16(b.length);
        bytes(b);
    }

    void floats(float[] a) {
        u32(a.length);
        for (float v : a) {
            f32(v);
        }
    }

    void ints(int[] a) {
        u32(a.length);
        for (int v : a) {
            i32(v);
        }
    }

    void byteArray(byte[] a) {
        u32(a.length);
        bytes(a);
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
