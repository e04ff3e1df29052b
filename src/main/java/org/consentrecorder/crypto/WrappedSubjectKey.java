package org.consentrecorder.crypto;

import java.util.Objects;

/**
 * A subject key wrapped under a KEK, as a store keeps it: the key id, the KEK id and the wrapped bytes
 * (12-byte nonce || 32-byte encrypted key || 16-byte tag, AAD binding key id and KEK id). Not secret by itself.
 */
public final class WrappedSubjectKey {

    private final String keyId;
    private final KekId kekId;
    private final byte[] wrappedKey;

    public WrappedSubjectKey(String keyId, KekId kekId, byte[] wrappedKey) {
        this.keyId = SubjectKeyIds.check(keyId);
        this.kekId = Objects.requireNonNull(kekId, "kekId");
        this.wrappedKey = Objects.requireNonNull(wrappedKey, "wrappedKey").clone();
    }

    public String keyId() {
        return keyId;
    }

    public KekId kekId() {
        return kekId;
    }

    public byte[] wrappedKey() {
        return wrappedKey.clone();
    }

    @Override
    public String toString() {
        return "WrappedSubjectKey[" + keyId + " under " + kekId + "]";
    }
}
