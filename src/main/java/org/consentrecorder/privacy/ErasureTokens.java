package org.consentrecorder.privacy;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The value that replaces a subject's identifiers on erasure: random per erasure, so it cannot be
 * computed from the phone number (a hash could be, by trying every number), and the same within
 * one erasure, so the anonymous rows of one subject still hang together (a statistic can tell
 * "one caller, three calls" without knowing who).
 */
public final class ErasureTokens {
    public static final String PREFIX = "erased-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ErasureTokens() {
    }

    public static String fresh() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return PREFIX + HexFormat.of().formatHex(b);
    }
}
