package org.consentrecorder.crypto;

import static org.consentrecorder.crypto.StreamTestSupport.RECORDING_A;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.config.Secret;
import org.consentrecorder.keystore.KeyStoreSettings;
import org.consentrecorder.keystore.PostgresKeyStore;
import org.consentrecorder.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared subject key store in PostgreSQL (CR_KEYSTORE_URL): the same contract as the file store, and what
 * sharing adds: two instances (two stores on one database, as two processes would open it) see the same keys, an
 * erasure on one is final on the other, and their races end with one key per subject and no destroyed key back.
 */
class PostgresSubjectKeyStoreTest extends SubjectKeyStoreContract {

    private KeyStoreSettings settings;
    private PgConnectOptions db;
    private final ExecutorService threads = Executors.newFixedThreadPool(8);

    @BeforeEach
    void database() {
        // the key store's own login owns its schema (a database of its own in production)
        db = TestDatabase.fresh().ownerConnectOptions();
        settings = new KeyStoreSettings(Optional.of(URI.create("postgresql://" + db.getHost() + ":" + db.getPort() + "/"
                + db.getDatabase())), db.getUser(), Secret.of(db.getPassword()));
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Override
    KeyringSubjectKeyStore newStore(Keyring keyring) {
        return PostgresKeyStore.open(settings, keyring);
    }

    @Override
    KeyringSubjectKeyStore reopen(KeyringSubjectKeyStore store, Keyring keyring) {
        return PostgresKeyStore.open(settings, keyring);
    }

    @Override
    KeyringSubjectKeyStore reopenTolerant(KeyringSubjectKeyStore store, Keyring keyring) {
        // as with the file store, the index key is still under the old KEK: the store refuses to open at all
        assertThrows(KeyUnavailableException.class, () -> reopen(store, keyring));
        return null;
    }

    private List<List<String>> rows(String sql) throws Exception {
        String url = "jdbc:postgresql://" + db.getHost() + ":" + db.getPort() + "/" + db.getDatabase();
        List<List<String>> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, db.getUser(), db.getPassword());
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.add(rs.getString(i));
                }
                out.add(row);
            }
        }
        return out;
    }

    private <T> List<T> atOnce(List<Callable<T>> work) throws Exception {
        CyclicBarrier start = new CyclicBarrier(work.size());
        List<Future<T>> running = new ArrayList<>();
        for (Callable<T> w : work) {
            running.add(threads.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                return w.call();
            }));
        }
        List<T> results = new ArrayList<>();
        for (Future<T> f : running) {
            results.add(f.get(30, TimeUnit.SECONDS));
        }
        return results;
    }

    @Test
    void twoInstancesOpenedAtOnce_agreeOnTheIndexKey_andShareEveryKey() throws Exception {
        List<KeyringSubjectKeyStore> stores = atOnce(List.of(() -> newStore(keyring1), () -> newStore(keyring1)));
        KeyringSubjectKeyStore a = stores.get(0);
        KeyringSubjectKeyStore b = stores.get(1);
        assertEquals(1, rows("select 1 from keystore.index_key").size());

        String aliceKey = a.getOrCreate(ALICE);
        assertEquals(Optional.of(aliceKey), b.find(ALICE), "B finds the key A created for the same subject");
        byte[] audio = StreamTestSupport.randomBytes(3000, 7);
        try (IssuedDataKey issued = a.issueDataKey(ALICE, RECORDING_A)) {
            byte[] stored = StreamTestSupport.encrypt(issued.dataKey(), RECORDING_A, audio, 1024, CipherBackend.DEFAULT);
            try (DataKey onB = b.unwrapDataKey(WrappedDataKey.parse(issued.wrapped().toBytes()), RECORDING_A)) {
                assertArrayEquals(audio, StreamTestSupport.decrypt(onB, RECORDING_A, stored, CipherBackend.DEFAULT),
                        "a recording archived by A plays on B");
            }

            // crypto-shredding on A: at once nothing on B unwraps, and no row of the key or its reference is left
            assertTrue(a.destroy(ALICE));
            assertThrows(KeyUnavailableException.class, () -> b.unwrapDataKey(issued.wrapped(), RECORDING_A));
            assertEquals(Optional.empty(), b.find(ALICE));
            assertFalse(b.destroy(ALICE), "nothing left for B to destroy");
            assertEquals(List.of(), rows("select key_id from keystore.subject_key"));
            assertEquals(List.of(), rows("select lookup from keystore.subject_key_ref"));
        }
    }

    @Test
    void instancesCreatingOneSubjectsKeyAtOnce_endWithOneKey() throws Exception {
        KeyringSubjectKeyStore a = newStore(keyring1);
        KeyringSubjectKeyStore b = newStore(keyring1);
        for (int round = 0; round < 5; round++) {
            String subject = "+4420794600" + round;
            List<Callable<String>> work = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                KeyringSubjectKeyStore store = i % 2 == 0 ? a : b;
                work.add(() -> store.getOrCreate(subject));
            }
            Set<String> ids = new HashSet<>(atOnce(work));
            assertEquals(1, ids.size(), "one key for " + subject + ": " + ids);
            assertEquals(ids.iterator().next(), a.find(subject).orElseThrow());
        }
        assertEquals(5, a.listKeyIds().size(), "the losers' keys were shredded, not left behind");
        assertEquals(5, rows("select 1 from keystore.subject_key_ref").size());
    }

    @Test
    void aRewrapOnOneInstance_neverBringsBackAKeyTheOtherDestroyed() {
        KeyringSubjectKeyStore a = newStore(keyring1);
        KeyringSubjectKeyStore b = newStore(keyring1);
        String keyId = a.getOrCreate(ALICE);
        Keyring keyring2 = keyring1.withNewest(kek2);
        // B read the key for its rewrap ...
        WrappedSubjectKey read = b.loadWrappedKey(keyId).orElseThrow();
        // ... A erases the subject ...
        assertTrue(a.destroy(ALICE));
        // ... and B's rewrap of what it read finds nothing to replace
        assertFalse(b.replaceWrappedKey(keyring2.rewrap(read)));
        assertEquals(Optional.empty(), a.loadWrappedKey(keyId));
        assertEquals(new RewrapReport(0, 0, kek2.id()), b.rewrapAll(keyring2));
        assertEquals(List.of(), b.listKeyIds());
    }

    @Test
    void theDatabaseHoldsNoSubjectIdAndNoKeyInClear() throws Exception {
        KeyringSubjectKeyStore store = newStore(keyring1);
        String keyId = store.getOrCreate(ALICE);
        store.getOrCreate(BOB);
        List<List<String>> everything = new ArrayList<>();
        everything.addAll(rows("select key_id, kek_id, encode(wrapped_key, 'hex') from keystore.subject_key"));
        everything.addAll(rows("select lookup, key_id from keystore.subject_key_ref"));
        everything.addAll(rows("select key_id, kek_id, encode(wrapped_key, 'hex') from keystore.index_key"));
        String all = everything.toString();
        for (String subject : List.of(ALICE, BOB)) {
            assertFalse(all.contains(subject.substring(1)), "a subject id is stored: " + subject);
        }
        try (SubjectKey key = keyring1.unwrap(store.loadWrappedKey(keyId).orElseThrow())) {
            assertFalse(all.contains(java.util.HexFormat.of().formatHex(key.bytes())), "a subject key in clear");
        }
        assertEquals(5, everything.size(), "two keys, their two references, one index key");
    }

    @Test
    void schemaHistoryIsItsOwn_apartFromTheRecordingsSchema() throws Exception {
        newStore(keyring1);
        assertEquals(List.of(List.of("35", "subject keys", "true")),
                rows("select version, description, success::text from keystore.flyway_schema_history "
                        + "where version is not null"));
        assertEquals(List.of(), rows("select 1 from information_schema.tables where table_schema = 'public'"),
                "nothing of the key store outside its schema");
    }

    @Test
    void checkProbesWithoutChangingAnything_andAnUnreachableStoreIsNamedWithoutItsPassword() throws Exception {
        assertTrue(PostgresKeyStore.probe(settings).contains("no key store schema yet"), PostgresKeyStore.probe(settings));
        assertEquals(List.of(), rows("select 1 from information_schema.schemata where schema_name = 'keystore'"));
        newStore(keyring1);
        assertTrue(PostgresKeyStore.probe(settings).contains("key store schema present"));

        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        KeyStoreSettings unreachable = new KeyStoreSettings(Optional.of(URI.create(
                "postgresql://keys:url-password-1@127.0.0.1:" + closedPort + "/keys")), "ignored", Secret.of(""));
        RuntimeException e = assertThrows(org.consentrecorder.keystore.KeyStoreUnavailableException.class,
                () -> PostgresKeyStore.probe(unreachable));
        assertTrue(e.getMessage().contains("127.0.0.1:" + closedPort + "/keys"), e.getMessage());
        assertFalse(e.getMessage().contains("url-password-1"), e.getMessage());
        assertFalse(unreachable.toString().contains("url-password-1"));
        assertThrows(org.consentrecorder.keystore.KeyStoreUnavailableException.class,
                () -> PostgresKeyStore.open(unreachable, keyring1));
    }
}
