package org.consentrecorder.crypto;

import java.security.SecureRandom;

/** One shared CSPRNG; SecureRandom is thread-safe and the default (NativePRNG on Linux) never blocks after boot. */
final class Randomness {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Randomness() {
    }

    static SecureRandom secureRandom() {
        return RANDOM;
    }

    static byte[] bytes(int length) {
        byte[] out = new byte[length];
        RANDOM.nextBytes(out);
        return out;
    }
}
