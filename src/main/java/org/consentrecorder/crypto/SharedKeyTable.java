package org.consentrecorder.crypto;

import java.util.List;
import java.util.Optional;

/**
 * Where a {@link SharedSubjectKeyStore} keeps its wrapped keys: a table several processes read and write at once
 * (a PostgreSQL database of its own, say). It only ever sees wrapped keys, key ids and lookup names (HMACs of
 * subject ids), never a subject id or a key in clear. Each method is one atomic step; the races between processes
 * are decided here, so the contract of each method says what it must guarantee.
 */
public interface SharedKeyTable {

    /** The store's index key (the HMAC key that hides subject ids), wrapped; empty before the first start. */
    Optional<WrappedSubjectKey> indexKey();

    /** Stores {@code candidate} as the index key unless one is stored already; returns the one stored afterwards. */
    WrappedSubjectKey indexKeyIfAbsent(WrappedSubjectKey candidate);

    /** Replaces the stored index key with its re-wrapped form (same key id). */
    void replaceIndexKey(WrappedSubjectKey rewrapped);

    /** The key id a lookup name refers to; a reference never outlives its key. */
    Optional<String> reference(String lookup);

    /**
     * Refers {@code lookup} to {@code keyId} unless it already refers to a key, atomically; returns the key id it
     * refers to afterwards (another process's, if that one came first).
     */
    String referenceIfAbsent(String lookup, String keyId);

    Optional<WrappedSubjectKey> wrappedKey(String keyId);

    /** Stores a new key; its id is fresh. */
    void insertWrappedKey(WrappedSubjectKey wrapped);

    /** Replaces a key with its re-wrapped form only if the key still exists; false if it was deleted meanwhile. */
    boolean replaceWrappedKey(WrappedSubjectKey rewrapped);

    /** Deletes a key and every reference to it in one step; false if there was no such key. */
    boolean deleteKey(String keyId);

    /** The ids of all stored keys, sorted. */
    List<String> keyIds();
}
