package org.consentrecorder.crypto;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps wrapped subject keys in memory, so everything is lost on exit. For tests and throwaway setups; it holds
 * subject ids in clear.
 */
public final class InMemorySubjectKeyStore extends KeyringSubjectKeyStore {

    private final Map<String, String> references = new HashMap<>();
    private final Map<String, WrappedSubjectKey> keys = new HashMap<>();
    private final SubjectKey indexKey = SubjectKey.generate();

    public InMemorySubjectKeyStore(Keyring keyring) {
        super(keyring);
    }

    @Override
    synchronized Optional<String> loadReference(String subjectId) {
        return Optional.ofNullable(references.get(subjectId));
    }

    @Override
    synchronized void saveReference(String subjectId, String keyId) {
        references.put(subjectId, keyId);
    }

    @Override
    synchronized void deleteReference(String subjectId) {
        references.remove(subjectId);
    }

    @Override
    synchronized Optional<WrappedSubjectKey> loadWrappedKey(String keyId) {
        return Optional.ofNullable(keys.get(keyId));
    }

    @Override
    synchronized void saveWrappedKey(WrappedSubjectKey wrapped) {
        keys.put(wrapped.keyId(), wrapped);
    }

    @Override
    synchronized void shredWrappedKey(String keyId) {
        keys.remove(keyId);
    }

    @Override
    synchronized List<String> storedKeyIds() {
        return new ArrayList<>(keys.keySet());
    }

    @Override
    SecretKeyMaterial indexKey() {
        return indexKey;
    }

    /** The stored wrapped form, for inspection in tests. */
    synchronized Optional<WrappedSubjectKey> wrappedKey(String keyId) {
        return loadWrappedKey(keyId);
    }

    @Override
    public String toString() {
        return "InMemorySubjectKeyStore[" + keys.size() + " keys]";
    }
}
