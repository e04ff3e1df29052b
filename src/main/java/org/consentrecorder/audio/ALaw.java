package org.consentrecorder.audio;

/**
 * G.711 A-law (ITU-T G.711, table 1a): 13-bit linear magnitude in eight segments, each with 16 steps, the segment's
 * step size doubling from segment 2 on; even bits inverted (XOR 0x55) on the wire. Encoding takes the top 13 bits of a
 * 16-bit sample; decoding returns the middle of the step, scaled back to 16 bits. Audio that reached Asterisk as A-law
 * (most European trunks) survives a decode-encode round trip unchanged.
 */
public final class ALaw {

    /** Upper end (inclusive) of each segment, in 13-bit magnitude units. */
    private static final int[] SEGMENT_END = {0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF};
    private static final byte[] ENCODE = new byte[8192];
    private static final short[] DECODE = new short[256];

    static {
        for (int i = 0; i < ENCODE.length; i++) {
            ENCODE[i] = encode13(i - 4096);
        }
        for (int i = 0; i < DECODE.length; i++) {
            DECODE[i] = decodeByte(i);
        }
    }

    private ALaw() {
    }

    /** The A-law byte for a 16-bit linear sample. */
    public static byte encode(short sample) {
        return ENCODE[(sample >> 3) + 4096];
    }

    /** The 16-bit linear sample an A-law byte stands for. */
    public static short decode(byte alaw) {
        return DECODE[alaw & 0xff];
    }

    private static byte encode13(int value) {
        int mask;
        int magnitude;
        if (value >= 0) {
            mask = 0xD5; // sign bit set for positive values, then the even-bit inversion
            magnitude = value;
        } else {
            mask = 0x55;
            magnitude = -value - 1;
        }
        int segment = 0;
        while (segment < SEGMENT_END.length && magnitude > SEGMENT_END[segment]) {
            segment++;
        }
        if (segment == SEGMENT_END.length) {
            return (byte) (0x7F ^ mask);
        }
        int step = segment < 2 ? (magnitude >> 1) & 0x0F : (magnitude >> segment) & 0x0F;
        return (byte) (((segment << 4) | step) ^ mask);
    }

    private static short decodeByte(int alaw) {
        int a = alaw ^ 0x55;
        int magnitude = (a & 0x0F) << 4;
        int segment = (a & 0x70) >> 4;
        if (segment == 0) {
            magnitude += 8;
        } else {
            magnitude = (magnitude + 0x108) << (segment - 1);
        }
        return (short) ((a & 0x80) != 0 ? magnitude : -magnitude);
    }
}
