package org.consentrecorder.crypto;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Subject keys in a {@link SharedKeyTable} that several application instances use at once, so that a recording
 * archived by one instance plays from another and an erasure on one leaves nothing decryptable on any. Keys are
 * wrapped under the keyring's KEKs exactly as {@link FileSubjectKeyStore} wraps them, and subject ids are hidden the
 * same way (HMAC-SHA256 under an index key kept wrapped beside the keys).
 *
 * <p>Nothing is cached but the index key: every operation reads the table, so a key destroyed by another instance is
 * gone here at once. Two instances creating a key for one subject at once end with one key (the table decides which);
 * a re-wrap never brings back a key another instance destroyed meanwhile.
 */
public final class SharedSubjectKeyStore extends KeyringSubjectKeyStore {

    private final SharedKeyTable table;
    private final SubjectKey indexKey;

    private SharedSubjectKeyStore(SharedKeyTable table, Keyring keyring) {
        super(keyring);
        this.table = table;
        this.indexKey = loadOrCreateIndexKey(table, keyring);
    }

    /**
     * Opens the store over {@code table}, creating its index key on first use.
     *
     * @throws KeyUnavailableException if the index key is wrapped under a KEK missing from the keyring
     */
    public static SharedSubjectKeyStore open(SharedKeyTable table, Keyring keyring) {
        return new SharedSubjectKeyStore(Objects.requireNonNull(table, "table"), keyring);
    }

    private static SubjectKey loadOrCreateIndexKey(SharedKeyTable table, Keyring keyring) {
        Optional<WrappedSubjectKey> stored = table.indexKey();
        if (stored.isPresent()) {
            return keyring.unwrap(stored.get());
        }
        try (SubjectKey fresh = SubjectKey.generate()) {
            // two instances starting at once: the table keeps the first, and both use that one
            return keyring.unwrap(table.indexKeyIfAbsent(keyring.wrap(FileSubjectKeyStore.INDEX_KEY_ID, fresh)));
        }
    }

    private String lookup(String subjectId) {
        return SubjectLookup.name(indexKey, subjectId);
    }

    /** Shared by every instance, so a suppression digest written by one is found by the others. */
    @Override
    SecretKeyMaterial indexKey() {
        return indexKey;
    }

    @Override
    Optional<String> loadReference(String subjectId) {
        return table.reference(lookup(subjectId));
    }

    @Override
    void saveReference(String subjectId, String keyId) {
        claimReference(subjectId, keyId);
    }

    @Override
    String claimReference(String subjectId, String keyId) {
        return table.referenceIfAbsent(lookup(subjectId), keyId);
    }

    @Override
    void deleteReference(String subjectId) {
        // the table deletes a key's references with the key (shredWrappedKey): nothing is left to delete
    }

    @Override
    Optional<WrappedSubjectKey> loadWrappedKey(String keyId) {
        if (!SubjectKeyIds.GENERATED.matcher(keyId).matches()) {
            return Optional.empty();
        }
        Optional<WrappedSubjectKey> wrapped = table.wrappedKey(keyId);
        if (wrapped.isPresent() && !wrapped.get().keyId().equals(keyId)) {
            throw new IllegalStateException("key table answered another key for " + keyId);
        }
        return wrapped;
    }

    @Override
    void saveWrappedKey(WrappedSubjectKey wrapped) {
        table.insertWrappedKey(wrapped);
    }

    @Override
    boolean replaceWrappedKey(WrappedSubjectKey rewrapped) {
        return table.replaceWrappedKey(rewrapped);
    }

    @Override
    void shredWrappedKey(String keyId) {
        table.deleteKey(keyId);
    }

    @Override
    List<String> storedKeyIds() {
        return table.keyIds();
    }

    @Override
    void rewrapOwnKeys(Keyring newKeyring) {
        table.replaceIndexKey(newKeyring.wrap(FileSubjectKeyStore.INDEX_KEY_ID, indexKey));
    }

    @Override
    public String toString() {
        return "SharedSubjectKeyStore[" + table + "]";
    }
}
