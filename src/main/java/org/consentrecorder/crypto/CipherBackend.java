package org.consentrecorder.crypto;

/**
 * Which AES-GCM implementation runs the segments. Both produce byte-identical streams and read each other's output;
 * the choice is only about speed and dependencies.
 */
public enum CipherBackend {
    /**
     * The JDK's {@code AES/GCM/NoPadding} (SunJCE), which HotSpot compiles to AES-NI / CLMUL (and VAES/AVX-512) code.
     * The default: measured many times faster than BouncyCastle on our hardware (see bench/results).
     */
    JDK {
        @Override
        SegmentCipher newCipher(byte[] key) {
            return new JdkSegmentCipher(key);
        }
    },
    /** BouncyCastle's lightweight {@code GCMBlockCipher} over {@code AESEngine}: pure Java, no provider lookup. */
    BOUNCY_CASTLE {
        @Override
        SegmentCipher newCipher(byte[] key) {
            return new BouncyCastleSegmentCipher(key);
        }
    };

    /** The backend used when none is given. */
    public static final CipherBackend DEFAULT = JDK;

    abstract SegmentCipher newCipher(byte[] key);
}
