package org.consentrecorder.crypto;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Subject keys generated here and kept wrapped under the keyring's KEKs; subclasses only decide where the wrapped
 * keys and the subject-to-key references live. A subject key is unwrapped only for the one operation that needs it.
 */
abstract class KeyringSubjectKeyStore implements SubjectKeyStore {

    private volatile Keyring keyring;

    KeyringSubjectKeyStore(Keyring keyring) {
        this.keyring = Objects.requireNonNull(keyring, "keyring");
    }

    /** The key id referenced for this subject, whether or not the key itself still exists. */
    abstract Optional<String> loadReference(String subjectId);

    abstract void saveReference(String subjectId, String keyId);

    abstract void deleteReference(String subjectId);

    abstract Optional<WrappedSubjectKey> loadWrappedKey(String keyId);

    /** Creates or replaces, atomically. */
    abstract void saveWrappedKey(WrappedSubjectKey wrapped);

    /** Removes the wrapped key as thoroughly as the medium allows. */
    abstract void shredWrappedKey(String keyId);

    abstract List<String> storedKeyIds();

    /** The store-wide key behind subject lookups and suppression digests; it outlives every subject key. */
    abstract SecretKeyMaterial indexKey();

    @Override
    public String suppressionDigest(String subjectId) {
        Objects.requireNonNull(subjectId, "subjectId");
        return SubjectLookup.suppressionDigest(indexKey(), subjectId);
    }

    /**
     * Makes {@code keyId} the subject's key unless another process gave the subject a key first, and returns the key
     * id the subject has afterwards. A store written by one process at a time simply saves the reference.
     */
    String claimReference(String subjectId, String keyId) {
        saveReference(subjectId, keyId);
        return keyId;
    }

    /**
     * Replaces a re-wrapped key only if it still exists (a store shared between processes must not bring back a key
     * another process destroyed meanwhile); false if it is gone.
     */
    boolean replaceWrappedKey(WrappedSubjectKey rewrapped) {
        saveWrappedKey(rewrapped);
        return true;
    }

    /** Subclasses re-wrap any extra keys of their own here; called before the store switches keyrings. */
    void rewrapOwnKeys(Keyring newKeyring) {
    }

    final Keyring keyring() {
        return keyring;
    }

    /** Switches keyrings without rewrapping; for tests that simulate a restart with another keyring. */
    synchronized void useKeyring(Keyring newKeyring) {
        keyring = Objects.requireNonNull(newKeyring, "keyring");
    }

    @Override
    public synchronized String getOrCreate(String subjectId) {
        Optional<String> existing = find(subjectId);
        if (existing.isPresent()) {
            return existing.get();
        }
        String keyId = SubjectKeyIds.newId();
        try (SubjectKey key = SubjectKey.generate()) {
            saveWrappedKey(keyring.wrap(keyId, key));
        }
        // Key first, reference second: a crash in between leaves an unreferenced key, never a dangling reference.
        String claimed = claimReference(subjectId, keyId);
        if (!claimed.equals(keyId)) {
            // another process created the subject's key at the same time: use that one, ours was never referenced
            shredWrappedKey(keyId);
        }
        return claimed;
    }

    @Override
    public synchronized Optional<String> find(String subjectId) {
        Objects.requireNonNull(subjectId, "subjectId");
        return loadReference(subjectId).filter(keyId -> loadWrappedKey(keyId).isPresent());
    }

    @Override
    public WrappedDataKey wrapDataKey(String subjectKeyId, DataKey dataKey, byte[] associatedData) {
        Objects.requireNonNull(associatedData, "associatedData");
        try (SubjectKey key = keyring.unwrap(loadOrFail(subjectKeyId))) {
            return WrappedDataKey.wrap(key, subjectKeyId, dataKey, associatedData);
        }
    }

    @Override
    public DataKey unwrapDataKey(WrappedDataKey wrappedDataKey, byte[] associatedData) {
        Objects.requireNonNull(associatedData, "associatedData");
        try (SubjectKey key = keyring.unwrap(loadOrFail(wrappedDataKey.subjectKeyId()))) {
            return wrappedDataKey.unwrap(key, associatedData);
        }
    }

    private WrappedSubjectKey loadOrFail(String keyId) {
        return loadWrappedKey(keyId).orElseThrow(() -> new KeyUnavailableException(
                "subject key " + keyId + " does not exist (destroyed, or never created in this store)"));
    }

    @Override
    public synchronized boolean destroy(String subjectId) {
        Optional<String> keyId = loadReference(Objects.requireNonNull(subjectId, "subjectId"));
        if (keyId.isEmpty()) {
            return false;
        }
        boolean existed = loadWrappedKey(keyId.get()).isPresent();
        shredWrappedKey(keyId.get());
        deleteReference(subjectId);
        return existed;
    }

    @Override
    public synchronized List<String> listKeyIds() {
        return storedKeyIds();
    }

    @Override
    public synchronized RewrapReport rewrapAll(Keyring newKeyring) {
        Objects.requireNonNull(newKeyring, "keyring");
        int rewrapped = 0;
        int current = 0;
        for (String keyId : storedKeyIds()) {
            Optional<WrappedSubjectKey> wrapped = loadWrappedKey(keyId);
            if (wrapped.isEmpty()) {
                continue;
            }
            if (wrapped.get().kekId().equals(newKeyring.newestId())) {
                current++;
            } else if (replaceWrappedKey(newKeyring.rewrap(wrapped.get()))) {
                rewrapped++;
            }
        }
        rewrapOwnKeys(newKeyring);
        keyring = newKeyring;
        return new RewrapReport(rewrapped, current, newKeyring.newestId());
    }
}
