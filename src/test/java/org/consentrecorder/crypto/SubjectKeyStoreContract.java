package org.consentrecorder.crypto;

import static org.consentrecorder.crypto.StreamTestSupport.RECORDING_A;
import static org.consentrecorder.crypto.StreamTestSupport.RECORDING_B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Behaviour every keyring-backed store must have; subclasses say how to open and reopen the store. */
abstract class SubjectKeyStoreContract {

    static final String ALICE = "+33612345678";
    static final String BOB = "+4915123456789";

    final Kek kek1 = KeyTestSupport.kek("kek-2026:1", 101);
    final Kek kek2 = KeyTestSupport.kek("kek-2026:2", 102);
    final Keyring keyring1 = Keyring.of(List.of(kek1));

    /** A new, empty store using {@code keyring}. */
    abstract KeyringSubjectKeyStore newStore(Keyring keyring);

    /** The same stored keys seen through another keyring, as after a restart with an edited keyring file. */
    abstract KeyringSubjectKeyStore reopen(KeyringSubjectKeyStore store, Keyring keyring);

    private static byte[] record(IssuedDataKey issued, byte[] recordingId, byte[] audio) {
        return StreamTestSupport.encrypt(issued.dataKey(), recordingId, audio, 1024, CipherBackend.DEFAULT);
    }

    private static byte[] play(SubjectKeyStore store, WrappedDataKey wrapped, byte[] recordingId, byte[] stored) {
        try (DataKey key = store.unwrapDataKey(WrappedDataKey.parse(wrapped.toBytes()), recordingId)) {
            return StreamTestSupport.decrypt(key, recordingId, stored, CipherBackend.DEFAULT);
        }
    }

    private KekId kekOf(KeyringSubjectKeyStore store, String keyId) {
        return store.loadWrappedKey(keyId).orElseThrow().kekId();
    }

    @Test
    void oneKeyPerSubjectCreatedOnDemand() {
        KeyringSubjectKeyStore store = newStore(keyring1);
        assertFalse(store.exists(ALICE));
        assertEquals(Optional.empty(), store.find(ALICE));
        String alice = store.getOrCreate(ALICE);
        assertTrue(alice.matches("sk1-[0-9a-f]{32}"), alice);
        assertEquals(alice, store.getOrCreate(ALICE));
        assertEquals(Optional.of(alice), store.find(ALICE));
        String bob = store.getOrCreate(BOB);
        assertNotEquals(alice, bob);
        assertEquals(List.of(alice, bob).stream().sorted().toList(), store.listKeyIds().stream().sorted().toList());
    }

    @Test
    void issuedDataKeyRoundTripsThroughTheStore() {
        KeyringSubjectKeyStore store = newStore(keyring1);
        byte[] audio = StreamTestSupport.randomBytes(5000, 1);
        try (IssuedDataKey issued = store.issueDataKey(ALICE, RECORDING_A)) {
            byte[] stored = record(issued, RECORDING_A, audio);
            assertEquals(store.find(ALICE).orElseThrow(), issued.wrapped().subjectKeyId());
            assertArrayEquals(audio, play(store, issued.wrapped(), RECORDING_A, stored));
        }
    }

    @Test
    void wrappedDataKeyIsBoundToItsRecordingAndSubjectKey() {
        KeyringSubjectKeyStore store = newStore(keyring1);
        String bobKey = store.getOrCreate(BOB);
        try (IssuedDataKey issued = store.issueDataKey(ALICE, RECORDING_A)) {
            CiphertextAuthenticationException e = assertThrows(CiphertextAuthenticationException.class,
                    () -> store.unwrapDataKey(issued.wrapped(), RECORDING_B));
            assertEquals(CiphertextAuthenticationException.Reason.KEY_UNWRAP_FAILED, e.reason());

            WrappedDataKey relabelled = WrappedDataKey.of(bobKey, issued.wrapped().wrappedKey());
            assertThrows(CiphertextAuthenticationException.class, () -> store.unwrapDataKey(relabelled, RECORDING_A));

            byte[] flipped = issued.wrapped().toBytes();
            flipped[flipped.length - 1] ^= 1;
            assertThrows(CiphertextAuthenticationException.class,
                    () -> store.unwrapDataKey(WrappedDataKey.parse(flipped), RECORDING_A));
        }
    }

    @Test
    void kekRotation() {
        KeyringSubjectKeyStore store = newStore(keyring1);
        byte[] audio = StreamTestSupport.randomBytes(3000, 2);
        IssuedDataKey aliceIssued = store.issueDataKey(ALICE, RECORDING_A);
        byte[] aliceRecording = record(aliceIssued, RECORDING_A, audio);
        aliceIssued.close();
        String aliceKey = aliceIssued.wrapped().subjectKeyId();
        assertEquals(kek1.id(), kekOf(store, aliceKey));

        // The operator adds kek-2026:2 and restarts.
        Keyring keyring2 = keyring1.withNewest(kek2);
        store = reopen(store, keyring2);
        IssuedDataKey bobIssued = store.issueDataKey(BOB, RECORDING_B);
        byte[] bobRecording = record(bobIssued, RECORDING_B, audio);
        bobIssued.close();
        String bobKey = bobIssued.wrapped().subjectKeyId();
        assertEquals(kek2.id(), kekOf(store, bobKey), "new subject keys go under the newest KEK");
        assertArrayEquals(audio, play(store, aliceIssued.wrapped(), RECORDING_A, aliceRecording),
                "keys under the older KEK still unwrap");

        // Removing the old KEK before rewrapping would strand Alice's key: the store says so.
        KeyringSubjectKeyStore premature = reopenTolerant(store, keyring2.without(kek1.id()));
        if (premature != null) {
            assertThrows(KeyUnavailableException.class,
                    () -> premature.unwrapDataKey(aliceIssued.wrapped(), RECORDING_A));
            store = reopen(premature, keyring2);
        }

        RewrapReport report = store.rewrapAll(keyring2);
        assertEquals(new RewrapReport(1, 1, kek2.id()), report);
        assertEquals(kek2.id(), kekOf(store, aliceKey));
        assertEquals(aliceKey, store.find(ALICE).orElseThrow(), "same subject key, only its wrapping changed");

        // Now the old KEK can go.
        Keyring keyring3 = keyring2.without(kek1.id());
        store = reopen(store, keyring3);
        assertArrayEquals(audio, play(store, aliceIssued.wrapped(), RECORDING_A, aliceRecording));
        assertArrayEquals(audio, play(store, bobIssued.wrapped(), RECORDING_B, bobRecording));
        assertEquals(new RewrapReport(0, 2, kek2.id()), store.rewrapAll(keyring3), "rewrap is idempotent");
    }

    /** Reopening may itself fail when the store keeps keys of its own under a now-missing KEK. */
    KeyringSubjectKeyStore reopenTolerant(KeyringSubjectKeyStore store, Keyring keyring) {
        return reopen(store, keyring);
    }

    @Test
    void singleRewrapMovesAKeyToTheNewestKek() {
        KeyringSubjectKeyStore store = newStore(keyring1);
        String keyId = store.getOrCreate(ALICE);
        WrappedSubjectKey old = store.loadWrappedKey(keyId).orElseThrow();
        Keyring keyring2 = keyring1.withNewest(kek2);
        WrappedSubjectKey moved = keyring2.rewrap(old);
        assertEquals(kek2.id(), moved.kekId());
        assertEquals(keyId, moved.keyId());
        try (SubjectKey a = keyring1.unwrap(old); SubjectKey b = keyring2.without(kek1.id()).unwrap(moved)) {
            assertArrayEquals(a.bytes(), b.bytes());
        }
        // A wrapped key cannot be passed off as wrapped under another KEK.
        WrappedSubjectKey mislabelled = new WrappedSubjectKey(keyId, kek2.id(), old.wrappedKey());
        assertThrows(CiphertextAuthenticationException.class, () -> keyring2.unwrap(mislabelled));
    }

    @Test
    void cryptoShredding() {
        KeyringSubjectKeyStore store = newStore(keyring1);
        byte[] audio = StreamTestSupport.randomBytes(4000, 3);
        IssuedDataKey alice = store.issueDataKey(ALICE, RECORDING_A);
        byte[] aliceRecording = record(alice, RECORDING_A, audio);
        alice.close();
        IssuedDataKey bob = store.issueDataKey(BOB, RECORDING_B);
        byte[] bobRecording = record(bob, RECORDING_B, audio);
        bob.close();

        assertTrue(store.destroy(ALICE));
        assertFalse(store.exists(ALICE));
        assertFalse(store.listKeyIds().contains(alice.wrapped().subjectKeyId()));
        KeyUnavailableException e = assertThrows(KeyUnavailableException.class,
                () -> store.unwrapDataKey(alice.wrapped(), RECORDING_A));
        assertTrue(e.getMessage().contains(alice.wrapped().subjectKeyId()), e.getMessage());
        assertThrows(KeyUnavailableException.class,
                () -> store.wrapDataKey(alice.wrapped().subjectKeyId(), DataKey.generate(), RECORDING_A));
        assertFalse(store.destroy(ALICE), "nothing left to destroy");

        // The subject calling again gets a new, unrelated key; the old recording stays unreadable.
        String newKey = store.getOrCreate(ALICE);
        assertNotEquals(alice.wrapped().subjectKeyId(), newKey);
        assertThrows(KeyUnavailableException.class, () -> play(store, alice.wrapped(), RECORDING_A, aliceRecording));
        assertThrows(CiphertextAuthenticationException.class, () -> store.unwrapDataKey(
                WrappedDataKey.of(newKey, alice.wrapped().wrappedKey()), RECORDING_A));

        assertArrayEquals(audio, play(store, bob.wrapped(), RECORDING_B, bobRecording), "other subjects unaffected");
    }

    @Test
    void suppressionDigest_outlivesTheSubjectKeyAndKekRotation_andIsNoOtherDerivedValue() {
        KeyringSubjectKeyStore store = newStore(keyring1);
        String alice = store.suppressionDigest(ALICE);
        assertTrue(alice.matches("[0-9a-f]{64}"), alice);
        assertEquals(alice, store.suppressionDigest(ALICE), "deterministic");
        assertNotEquals(alice, store.suppressionDigest(BOB));
        assertNotEquals(alice, SubjectLookup.name(store.indexKey(), ALICE), "not the store's lookup name");
        assertFalse(alice.contains(ALICE.substring(1)));
        assertNotEquals(alice, new InMemorySubjectKeyStore(keyring1).suppressionDigest(ALICE), "keyed: another index key, another digest");

        store.getOrCreate(ALICE);
        assertTrue(store.destroy(ALICE));
        assertEquals(alice, store.suppressionDigest(ALICE), "erasure destroys the subject key, not the digest");

        Keyring keyring2 = keyring1.withNewest(kek2);
        KeyringSubjectKeyStore rotated = reopen(store, keyring2);
        rotated.rewrapAll(keyring2);
        KeyringSubjectKeyStore retired = reopen(rotated, keyring2.without(kek1.id()));
        assertEquals(alice, retired.suppressionDigest(ALICE), "the old KEK retired, the digest unchanged");
    }

    @Test
    void unknownKeyIdIsUnavailable() {
        KeyringSubjectKeyStore store = newStore(keyring1);
        assertThrows(KeyUnavailableException.class, () -> store.unwrapDataKey(
                WrappedDataKey.of("sk1-00000000000000000000000000000000", new byte[60]), RECORDING_A));
    }
}
