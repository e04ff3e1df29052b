package org.consentrecorder.crypto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import javax.security.auth.Destroyable;

/**
 * The key-encryption keys (KEKs) the process holds, loaded from a file or the environment (never from the
 * database). New subject keys are wrapped under {@link #newestId() the newest}; keys wrapped under older KEKs still
 * unwrap as long as those KEKs stay in the keyring, and {@link #rewrap} moves them to the newest.
 */
public final class Keyring implements Destroyable {

    private final Map<KekId, Kek> keks;
    private final Kek newest;

    private Keyring(Map<KekId, Kek> keks, Kek newest) {
        this.keks = keks;
        this.newest = newest;
    }

    /** Newest = the KEK with the highest version; several KEKs sharing that version is an error. */
    public static Keyring of(Collection<Kek> keks) {
        return of(keks, null);
    }

    /**
     * @param newestId which KEK new keys are wrapped under; null means the highest version
     * @throws KeyringException if empty, an id repeats, or the newest is missing or ambiguous
     */
    public static Keyring of(Collection<Kek> keks, KekId newestId) {
        if (keks == null || keks.isEmpty()) {
            throw new KeyringException("keyring has no keys");
        }
        Map<KekId, Kek> byId = new LinkedHashMap<>();
        for (Kek kek : keks) {
            if (byId.putIfAbsent(kek.id(), kek) != null) {
                throw new KeyringException("keyring lists KEK " + kek.id() + " twice");
            }
        }
        Kek newest;
        if (newestId != null) {
            newest = byId.get(newestId);
            if (newest == null) {
                throw new KeyringException("newest KEK " + newestId + " is not in the keyring");
            }
        } else {
            int top = byId.keySet().stream().mapToInt(KekId::version).max().orElseThrow();
            List<KekId> atTop = byId.keySet().stream().filter(id -> id.version() == top).sorted().toList();
            if (atTop.size() > 1) {
                throw new KeyringException("KEKs " + atTop + " share the highest version " + top
                        + "; name the newest one explicitly");
            }
            newest = byId.get(atTop.get(0));
        }
        return new Keyring(Collections.unmodifiableMap(byId), newest);
    }

    public KekId newestId() {
        return newest.id();
    }

    public SortedSet<KekId> ids() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(keks.keySet()));
    }

    public boolean contains(KekId id) {
        return keks.containsKey(id);
    }

    /** A keyring with one more KEK, made the newest: what an operator does when rotating. */
    public Keyring withNewest(Kek kek) {
        List<Kek> all = new ArrayList<>(keks.values());
        all.add(kek);
        return of(all, kek.id());
    }

    /** A keyring without the given KEK (retiring it after {@link #rewrap rewrapping} everything under it). */
    public Keyring without(KekId id) {
        List<Kek> rest = keks.values().stream().filter(k -> !k.id().equals(id)).toList();
        return of(rest, newest.id().equals(id) ? null : newest.id());
    }

    /** Wraps a subject key under the newest KEK. */
    WrappedSubjectKey wrap(String keyId, SecretKeyMaterial subjectKey) {
        byte[] aad = WrapContext.forSubjectKey(keyId, newest.id());
        return new WrappedSubjectKey(keyId, newest.id(), AesGcmKeyWrap.wrap(newest, subjectKey.bytes(), aad));
    }

    /** Returns a fresh key object; the caller closes it. */
    SubjectKey unwrap(WrappedSubjectKey wrapped) {
        Kek kek = keks.get(wrapped.kekId());
        if (kek == null) {
            throw new KeyUnavailableException("subject key " + wrapped.keyId() + " is wrapped under KEK "
                    + wrapped.kekId() + ", which is not in the keyring");
        }
        byte[] aad = WrapContext.forSubjectKey(wrapped.keyId(), wrapped.kekId());
        byte[] raw = AesGcmKeyWrap.unwrap(kek, wrapped.wrappedKey(), aad, "subject key " + wrapped.keyId());
        try {
            return new SubjectKey(raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /**
     * The same subject key wrapped under the newest KEK (a fresh nonce even if it already was). Touches no audio and
     * no data key: the recordings stay as they are.
     */
    public WrappedSubjectKey rewrap(WrappedSubjectKey wrapped) {
        try (SubjectKey key = unwrap(wrapped)) {
            return wrap(wrapped.keyId(), key);
        }
    }

    Optional<Kek> find(KekId id) {
        return Optional.ofNullable(keks.get(id));
    }

    @Override
    public void destroy() {
        keks.values().forEach(Kek::destroy);
    }

    @Override
    public boolean isDestroyed() {
        return keks.values().stream().allMatch(Kek::isDestroyed);
    }

    @Override
    public String toString() {
        return "Keyring[newest=" + newest.id() + ", keks=" + ids() + "]";
    }
}
