package org.consentrecorder.crypto;

/** A per-subject key: wraps the data keys of that subject's recordings. Lives unwrapped only for one operation. */
final class SubjectKey extends SecretKeyMaterial {

    SubjectKey(byte[] keyBytes) {
        super(keyBytes);
    }

    static SubjectKey generate() {
        byte[] raw = Randomness.bytes(KEY_LENGTH);
        try {
            return new SubjectKey(raw);
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
    }
}
