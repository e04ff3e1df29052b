package org.consentrecorder.audio;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The comment header of an Ogg Opus stream (RFC 7845 section 5.2): a vendor string and no user comments. */
final class OpusTags {

    private static final byte[] MAGIC = "OpusTags".getBytes(StandardCharsets.US_ASCII);

    private OpusTags() {
    }

    static byte[] withVendor(String vendor) {
        byte[] v = vendor.getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[MAGIC.length + 4 + v.length + 4];
        System.arraycopy(MAGIC, 0, b, 0, MAGIC.length);
        LittleEndian.putU32(b, 8, v.length);
        System.arraycopy(v, 0, b, 12, v.length);
        LittleEndian.putU32(b, 12 + v.length, 0); // no user comments: nothing personal travels in the file
        return b;
    }

    /** Checks the structure (magic, lengths within the packet); the content is not used. */
    static void check(byte[] packet, int length) throws InvalidAudioException {
        if (length < 16 || !Arrays.equals(packet, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new InvalidAudioException("the second packet is not an OpusTags header");
        }
        long pos = 8;
        long vendorLength = LittleEndian.u32(packet, (int) pos);
        pos += 4 + vendorLength;
        if (pos + 4 > length) {
            throw new InvalidAudioException("OpusTags vendor string runs past the header");
        }
        long comments = LittleEndian.u32(packet, (int) pos);
        pos += 4;
        for (long i = 0; i < comments; i++) {
            if (pos + 4 > length) {
                throw new InvalidAudioException("OpusTags comment " + i + " runs past the header");
            }
            pos += 4 + LittleEndian.u32(packet, (int) pos);
            if (pos > length) {
                throw new InvalidAudioException("OpusTags comment " + i + " runs past the header");
            }
        }
    }
}
