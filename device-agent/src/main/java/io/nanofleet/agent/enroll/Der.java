package io.nanofleet.agent.enroll;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The few DER encodings a PKCS#10 request needs (X.690). Kept tiny on purpose: the device must not carry
 * Bouncy Castle just to say "CN=pump-7, here is my key".
 */
final class Der {
    static final int INTEGER = 0x02;
    static final int BIT_STRING = 0x03;
    static final int OID = 0x06;
    static final int UTF8_STRING = 0x0c;
    static final int SEQUENCE = 0x30;
    static final int SET = 0x31;

    private Der() {}

    static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        writeLength(out, value.length);
        out.writeBytes(value);
        return out.toByteArray();
    }

    static byte[] sequence(byte[]... items) {
        return tlv(SEQUENCE, concat(items));
    }

    static byte[] set(byte[]... items) {
        return tlv(SET, concat(items));
    }

    static byte[] integer(long v) {
        // Smallest two's-complement big-endian form.
        byte[] full = java.math.BigInteger.valueOf(v).toByteArray();
        return tlv(INTEGER, full);
    }

    static byte[] utf8(String s) {
        return tlv(UTF8_STRING, s.getBytes(StandardCharsets.UTF_8));
    }

    /** BIT STRING with no unused bits. */
    static byte[] bitString(byte[] bytes) {
        byte[] v = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, v, 1, bytes.length);
        return tlv(BIT_STRING, v);
    }

    /** Context-specific constructed tag [n]. */
    static byte[] context(int n, byte[] content) {
        return tlv(0xa0 | n, content);
    }

    static byte[] oid(String dotted) {
        String[] parts = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(parts[0]) * 40 + Integer.parseInt(parts[1]));
        for (int i = 2; i < parts.length; i++) {
            long v = Long.parseLong(parts[i]);
            byte[] tmp = new byte[10];
            int n = 0;
            do {
                tmp[n++] = (byte) (v & 0x7f);
                v >>>= 7;
            } while (v != 0);
            for (int j = n - 1; j >= 0; j--) {
                out.write(tmp[j] | (j > 0 ? 0x80 : 0));
            }
        }
        return tlv(OID, out.toByteArray());
    }

    private static void writeLength(ByteArrayOutputStream out, int len) {
        if (len < 0x80) {
            out.write(len);
        } else if (len < 0x100) {
            out.write(0x81);
            out.write(len);
        } else if (len < 0x10000) {
            out.write(0x82);
            out.write(len >> 8);
            out.write(len);
        } else {
            out.write(0x83);
            out.write(len >> 16);
            out.write(len >> 8);
            out.write(len);
        }
    }

    static byte[] concat(byte[]... items) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] i : items) {
            out.writeBytes(i);
        }
        return out.toByteArray();
    }
}
