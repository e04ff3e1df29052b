package org.consentrecorder.admin;

import static org.consentrecorder.admin.ApiTestSupport.enc;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.util.Map;
import org.consentrecorder.crypto.KeyUnavailableException;
import org.consentrecorder.crypto.SharedSubjectKeyStore;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.TempDirs;
import org.consentrecorder.testing.TestDatabase;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two instances of the application on one recordings database and one shared subject key store (CR_KEYSTORE_URL,
 * a database of its own), each with a key directory of its own that stays unused: a recording archived by A plays
 * byte for byte from B, and once A has erased the caller nothing of theirs decrypts on B, not even from a copy of
 * the recordings' tables taken before the erasure.
 */
class SharedKeyStoreApiTest {
    private AppHarness a;
    private AppHarness b;
    private ApiClient onA;
    private ApiClient onB;

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {onA, onB, b, a}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private static String keyStoreUrl() {
        PgConnectOptions keys = TestDatabase.fresh().connectOptions();
        return "postgresql://" + keys.getHost() + ":" + keys.getPort() + "/" + keys.getDatabase();
    }

    @Test
    void archivedOnA_playsOnB_andAnErasureOnA_leavesNothingDecryptableOnB() throws Exception {
        Map<String, String> shared = Map.of("CR_KEYSTORE_URL", keyStoreUrl(), "CR_KEYSTORE_USER", "postgres",
                // stored as recorded, so that "byte for byte" compares with what the double recorded
                "CR_ARCHIVE_CODEC", "wav");
        a = AppHarness.start(shared);
        onA = new ApiClient(a.app.httpPort());
        String admin = ApiTestSupport.adminToken(onA);
        String compliance = ApiTestSupport.tokenFor(a, onA, admin, "kim", "compliance");
        String caller = "+15557770001";
        PrivacyTestSupport.Archived archived = PrivacyTestSupport.archivedCall(a, caller, true);
        PrivacyTestSupport.Archived other = PrivacyTestSupport.archivedCall(a, "+15557770002", false);

        // B: the same databases, its own (idle) Asterisk and its own key directory, which must not matter
        java.util.Map<String, String> bEnv = new java.util.HashMap<>(shared);
        bEnv.put("CR_KEYSTORE_DIR", TempDirs.create("keys-b").toString());
        b = AppHarness.start(FakeAsterisk.start(), a.database, bEnv);
        onB = new ApiClient(b.app.httpPort());
        assertTrue(b.app.subjectKeys() instanceof SharedSubjectKeyStore, b.app.subjectKeys().toString());
        assertNotEquals(a.env().get("CR_KEYSTORE_DIR"), b.env().get("CR_KEYSTORE_DIR"));
        String complianceOnB = onB.login("kim", ApiTestSupport.PASSWORD);

        ApiClient.Reply played = onB.get("/api/v1/recordings/" + archived.recordingId() + "/audio?reason="
                + enc("played on the other instance"), complianceOnB);
        assertEquals(200, played.status(), played.toString());
        assertArrayEquals(archived.audio(), played.body().getBytes(), "A's recording, byte for byte, from B");

        // the "backup": the recordings' tables as they are before the erasure
        a.rows("create schema backup");
        a.rows("create table backup.recording as select * from public.recording");
        a.rows("create table backup.recording_chunk as select * from public.recording_chunk");
        assertArrayEquals(archived.audio(), PrivacyTestSupport.decryptFrom(b, "backup", archived.recordingId(),
                b.app.subjectKeys()), "while the key exists B decrypts the copy: the check below is meaningful");

        String requestId = PrivacyTestSupport.requestFor(onA, compliance, "erasure", caller);
        ApiClient.Reply erased = onA.post("/api/v1/privacy/requests/" + requestId + "/erase", compliance, null);
        assertEquals(200, erased.status(), erased.toString());
        JsonObject done = erased.json();
        assertEquals("completed", done.getString("status"), done.encodePrettily());
        assertTrue(done.getJsonObject("result").getBoolean("subject_key_destroyed"));

        assertTrue(b.app.subjectKeys().find(caller).isEmpty(), "B no longer finds the caller's key");
        assertThrows(KeyUnavailableException.class, () -> PrivacyTestSupport.decryptFrom(b, "backup",
                archived.recordingId(), b.app.subjectKeys()), "B cannot decrypt the copy taken before the erasure");
        ApiClient.Reply gone = onB.get("/api/v1/recordings/" + archived.recordingId() + "/audio?reason="
                + enc("after the erasure"), complianceOnB);
        assertFalse(gone.status() == 200, gone.toString());
        // the other caller's recording is untouched, on B as on A
        assertArrayEquals(other.audio(), PrivacyTestSupport.decryptFrom(b, "public", other.recordingId(),
                b.app.subjectKeys()));
    }
}
