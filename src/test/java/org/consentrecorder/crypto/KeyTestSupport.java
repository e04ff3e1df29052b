package org.consentrecorder.crypto;

import java.util.Base64;
import java.util.Random;

final class KeyTestSupport {

    private KeyTestSupport() {
    }

    static byte[] keyBytes(long seed) {
        byte[] key = new byte[32];
        new Random(seed).nextBytes(key);
        return key;
    }

    static String keyBase64(long seed) {
        return Base64.getEncoder().encodeToString(keyBytes(seed));
    }

    static Kek kek(String id, long seed) {
        return Kek.of(KekId.parse(id), keyBytes(seed));
    }
}
