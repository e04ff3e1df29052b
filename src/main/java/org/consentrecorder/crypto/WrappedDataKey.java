package org.consentrecorder.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A recording's data key wrapped under its subject's key: what the archive stores with the recording (one bytea).
 * Blob layout: version 0x01 || len(subjectKeyId) as one byte || subjectKeyId (ASCII) || wrapped key. For this
 * package's stores the wrapped key is 12-byte nonce || 32-byte encrypted DEK || 16-byte tag under AES-256-GCM with
 * AAD binding the subject key id and the recording id; other stores (a KMS) may put their own bytes there.
 */
public final class WrappedDataKey {

    private static final int VERSION = 1;

    private final String subjectKeyId;
    private final byte[] wrappedKey;

    private WrappedDataKey(String subjectKeyId, byte[] wrappedKey) {
        this.subjectKeyId = SubjectKeyIds.check(subjectKeyId);
        if (wrappedKey.length == 0 || wrappedKey.length > 4096) {
            throw new IllegalArgumentException("wrapped key must be 1 to 4096 bytes");
        }
        this.wrappedKey = wrappedKey.clone();
    }

    /** For {@link SubjectKeyStore} implementations: pairs a key id with their own wrapped bytes. */
    public static WrappedDataKey of(String subjectKeyId, byte[] wrappedKey) {
        return new WrappedDataKey(subjectKeyId, Objects.requireNonNull(wrappedKey, "wrappedKey"));
    }

    /** Reads a blob produced by {@link #toBytes()}. */
    public static WrappedDataKey parse(byte[] blob) {
        if (blob == null || blob.length < 3 || (blob[0] & 0xFF) != VERSION) {
            throw malformed("unknown wrapped data key format");
        }
        int idLength = blob[1] & 0xFF;
        if (idLength == 0 || blob.length <= 2 + idLength) {
            throw malformed("wrapped data key blob too short");
        }
        String keyId = new String(blob, 2, idLength, StandardCharsets.US_ASCII);
        if (!SubjectKeyIds.ANY.matcher(keyId).matches()) {
            throw malformed("wrapped data key names an invalid subject key id");
        }
        return new WrappedDataKey(keyId, Arrays.copyOfRange(blob, 2 + idLength, blob.length));
    }

    private static CiphertextAuthenticationException malformed(String message) {
        return new CiphertextAuthenticationException(CiphertextAuthenticationException.Reason.KEY_UNWRAP_FAILED, message);
    }

    /** Wraps under a subject key held by this package's stores. */
    static WrappedDataKey wrap(SubjectKey subjectKey, String subjectKeyId, DataKey dataKey, byte[] associatedData) {
        byte[] aad = WrapContext.forDataKey(subjectKeyId, associatedData);
        return new WrappedDataKey(subjectKeyId, AesGcmKeyWrap.wrap(subjectKey, dataKey.bytes(), aad));
    }

    DataKey unwrap(SubjectKey subjectKey, byte[] associatedData) {
        byte[] aad = WrapContext.forDataKey(subjectKeyId, associatedData);
        byte[] raw = AesGcmKeyWrap.unwrap(subjectKey, wrappedKey, aad, "data key wrapped under " + subjectKeyId);
        try {
            return DataKey.fromBytes(raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    public String subjectKeyId() {
        return subjectKeyId;
    }

    public byte[] wrappedKey() {
        return wrappedKey.clone();
    }

    public byte[] toBytes() {
        byte[] id = subjectKeyId.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[2 + id.length + wrappedKey.length];
        out[0] = (byte) VERSION;
        out[1] = (byte) id.length;
        System.arraycopy(id, 0, out, 2, id.length);
        System.arraycopy(wrappedKey, 0, out, 2 + id.length, wrappedKey.length);
        return out;
    }

    @Override
    public String toString() {
        return "WrappedDataKey[under " + subjectKeyId + "]";
    }
}
