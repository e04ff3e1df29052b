package org.consentrecorder.crypto;

import java.security.SecureRandom;

/** The per-recording data encryption key (DEK): 256 random bits, used for exactly one recording stream. */
public final class DataKey extends SecretKeyMaterial {

    private DataKey(byte[] keyBytes) {
        super(keyBytes);
    }

    /** A fresh random key from the platform CSPRNG. */
    public static DataKey generate() {
        byte[] raw = new byte[KEY_LENGTH];
        Randomness.secureRandom().nextBytes(raw);
        try {
            return new DataKey(raw);
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
    }

    /** For {@link SubjectKeyStore} implementations that unwrap keys elsewhere (e.g. an external KMS). Copies the bytes. */
    public static DataKey fromBytes(byte[] keyBytes) {
        return new DataKey(keyBytes);
    }

    /**
     * A copy of the key bytes, only for {@link SubjectKeyStore} implementations that must hand the key to an
     * external wrapping service. The caller owns the copy and must zero it.
     */
    public byte[] exportBytes() {
        return bytes().clone();
    }

    static DataKey generate(SecureRandom random) {
        byte[] raw = new byte[KEY_LENGTH];
        random.nextBytes(raw);
        try {
            return new DataKey(raw);
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
    }
}
