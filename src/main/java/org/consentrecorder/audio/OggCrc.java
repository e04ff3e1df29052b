package org.consentrecorder.audio;

/**
 * The CRC-32 of an Ogg page (RFC 3533 section 6): generator polynomial 0x04C11DB7, initial value 0, no reflection of
 * input or output, no final XOR, computed over the whole page with its checksum field set to zero. This is not
 * {@link java.util.zip.CRC32}, which is the reflected variant with inverted initial and final values.
 */
final class OggCrc {

    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int r = i << 24;
            for (int bit = 0; bit < 8; bit++) {
                r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04C11DB7 : r << 1;
            }
            TABLE[i] = r;
        }
    }

    private OggCrc() {
    }

    /** Continues {@code crc} over {@code len} bytes of {@code b} from {@code off}; start with 0. */
    static int update(int crc, byte[] b, int off, int len) {
        int r = crc;
        for (int i = off; i < off + len; i++) {
            r = (r << 8) ^ TABLE[((r >>> 24) ^ b[i]) & 0xff];
        }
        return r;
    }
}
