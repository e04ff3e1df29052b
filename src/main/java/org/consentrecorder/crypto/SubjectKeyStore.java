package org.consentrecorder.crypto;

import java.util.List;
import java.util.Optional;

/**
 * Holds one key per subject (caller identity; the subject id is an opaque string such as a phone number) and wraps
 * and unwraps recording data keys under it. Destroying a subject's key crypto-shreds every recording whose data key
 * was wrapped under it.
 *
 * <p>Pluggable: subject keys should not travel in the same backups as the database, and an external KMS may hold
 * them instead; such an implementation never needs to reveal a subject key, only to wrap and unwrap data keys.
 * Implementations are thread-safe.
 */
public interface SubjectKeyStore {

    /** The subject's key id, creating (and wrapping under the newest KEK) a fresh key if the subject has none. */
    String getOrCreate(String subjectId);

    /** The subject's current key id, if it has one that is not destroyed. */
    Optional<String> find(String subjectId);

    default boolean exists(String subjectId) {
        return find(subjectId).isPresent();
    }

    /**
     * Wraps a recording's data key under a subject key, bound to {@code associatedData} (the recording id bytes, the
     * same ones given to the stream encryptor).
     *
     * @throws KeyUnavailableException if the subject key does not exist (any more)
     */
    WrappedDataKey wrapDataKey(String subjectKeyId, DataKey dataKey, byte[] associatedData);

    /**
     * Recovers a recording's data key; the caller destroys it after use.
     *
     * @throws KeyUnavailableException           if the subject key was destroyed or its KEK is gone from the keyring
     * @throws CiphertextAuthenticationException if the wrapped key is tampered or belongs to another recording
     */
    DataKey unwrapDataKey(WrappedDataKey wrappedDataKey, byte[] associatedData);

    /**
     * Crypto-shredding: removes the subject's key for good. Afterwards {@link #unwrapDataKey} fails for every data key
     * wrapped under it. A later {@link #getOrCreate} for the same subject creates a new, unrelated key.
     *
     * @return false if the subject had no key
     */
    boolean destroy(String subjectId);

    /**
     * A keyed hash of the subject id for the "do not record" suppression list: HMAC-SHA-256 under a store-wide key
     * kept wrapped under the keyring's KEK (never in the database), hex. It stays the same when the subject's own key
     * is {@link #destroy destroyed} (that is its point: an erased caller who had objected is still recognised) and
     * across KEK rotation; it differs from anything else the store derives from the subject id. Only whoever holds
     * the keyring and this store can compute it, so the database alone cannot be searched for a number.
     */
    String suppressionDigest(String subjectId);

    /** Ids of all stored subject keys (subject ids themselves are not recoverable from every store). */
    List<String> listKeyIds();

    /**
     * Re-wraps every subject key under {@code keyring}'s newest KEK (touching no recording), then uses
     * {@code keyring} from now on. The keyring must still contain the KEKs the keys are currently wrapped under;
     * once this returns, the older KEKs can be removed from the keyring.
     */
    RewrapReport rewrapAll(Keyring keyring);

    /** Convenience for starting a recording: a fresh data key and its wrapped form, to store with the recording. */
    default IssuedDataKey issueDataKey(String subjectId, byte[] associatedData) {
        String keyId = getOrCreate(subjectId);
        DataKey dataKey = DataKey.generate();
        try {
            return new IssuedDataKey(dataKey, wrapDataKey(keyId, dataKey, associatedData));
        } catch (RuntimeException e) {
            dataKey.destroy();
            throw e;
        }
    }
}
