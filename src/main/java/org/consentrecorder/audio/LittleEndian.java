package org.consentrecorder.audio;

/** Little-endian fields of RIFF and Ogg headers. */
final class LittleEndian {

    private LittleEndian() {
    }

    static int u16(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }

    static long u32(byte[] b, int off) {
        return (b[off] & 0xffL) | (b[off + 1] & 0xffL) << 8 | (b[off + 2] & 0xffL) << 16 | (b[off + 3] & 0xffL) << 24;
    }

    static long s64(byte[] b, int off) {
        return u32(b, off) | u32(b, off + 4) << 32;
    }

    static void putU16(byte[] b, int off, int value) {
        b[off] = (byte) value;
        b[off + 1] = (byte) (value >>> 8);
    }

    static void putU32(byte[] b, int off, long value) {
        b[off] = (byte) value;
        b[off + 1] = (byte) (value >>> 8);
        b[off + 2] = (byte) (value >>> 16);
        b[off + 3] = (byte) (value >>> 24);
    }

    static void putS64(byte[] b, int off, long value) {
        putU32(b, off, value);
        putU32(b, off + 4, value >>> 32);
    }
}
