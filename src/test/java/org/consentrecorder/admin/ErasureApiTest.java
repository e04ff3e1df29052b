package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.consentrecorder.crypto.KeyUnavailableException;
import org.consentrecorder.crypto.SubjectKeyStore;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Erasure (GDPR Art. 17) over real HTTP with a real PostgreSQL: afterwards no table holds the
 * caller's number, nothing of theirs is decryptable, not even from a copy of every table taken
 * before the erasure (the stand-in for a database backup), Asterisk's copy is gone, the erasure
 * is audited and the audit chain still verifies. Legal holds keep what they hold, and the key
 * with it, until they are released.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErasureApiTest {
    private AppHarness h;
    private ApiClient client;
    private String compliance;
    private SubjectKeyStore keys;

    @BeforeAll
    void start() {
        // stored unchanged, so copies in backups can be compared byte for byte with what Asterisk recorded
        h = AppHarness.start(Map.of("CR_ARCHIVE_CODEC", "wav"));
        client = new ApiClient(h.app.httpPort());
        String admin = ApiTestSupport.adminToken(client);
        compliance = ApiTestSupport.tokenFor(h, client, admin, "erin", "compliance");
        keys = h.app.subjectKeys();
    }

    @AfterAll
    void stop() {
        client.close();
        h.close();
    }

    private JsonObject erase(String requestId) {
        ApiClient.Reply r = client.post("/api/v1/privacy/requests/" + requestId + "/erase", compliance, null);
        assertEquals(200, r.status(), r.toString());
        return r.json();
    }

    private List<String> publicTables() {
        return h.rows("select table_name from information_schema.tables where table_schema = 'public' "
                + "and table_type = 'BASE TABLE' order by 1").stream().map(r -> (String) r.get("table_name")).toList();
    }

    /** Tables whose rows, as text, contain the digits. */
    private List<String> tablesMentioning(String digits) {
        List<String> found = new ArrayList<>();
        for (String t : publicTables()) {
            long n = (long) h.rows("select count(*) as n from public." + t + " x where x::text like $1",
                    "%" + digits + "%").get(0).get("n");
            if (n > 0) {
                found.add(t + " (" + n + ")");
            }
        }
        return found;
    }

    @Test
    void afterErasure_nothingOfTheCallerIsLeftOrDecryptable_evenFromACopyOfEveryTableTakenBefore() throws Exception {
        String caller = "+15558880001";
        String other = "+15558880002";
        PrivacyTestSupport.Archived first = PrivacyTestSupport.archivedCall(h, caller, true);
        PrivacyTestSupport.Archived second = PrivacyTestSupport.archivedCall(h, caller, false);
        PrivacyTestSupport.declinedCall(h, caller);
        PrivacyTestSupport.Archived others = PrivacyTestSupport.archivedCall(h, other, false);
        // a recording Asterisk still holds (not archived yet): erasure deletes Asterisk's copy
        UUID pendingCall = UUID.randomUUID();
        String pendingName = "cr-" + pendingCall;
        h.asterisk.putStoredRecording(pendingName, new byte[] {1, 2, 3, 4});
        // recorded in stereo: its second leg is a file of its own on Asterisk
        h.asterisk.putStoredRecording(pendingName + "-out", new byte[] {5, 6, 7, 8});
        h.rows("insert into recording (id, call_id, name, subject, format, state, finished_at, next_attempt_at, "
                + "out_name) values ($1, $2, $3, $4, 'wav', 'finished', $5, 'infinity', $6)", UUID.randomUUID(),
                pendingCall, pendingName, caller, OffsetDateTime.now(), pendingName + "-out");
        // the caller wrote an email: withdrawal through the API; an operator looked them up; an earlier access request
        assertEquals(200, client.post("/api/v1/consent/withdraw", compliance,
                new JsonObject().put("caller", caller).put("note", "ticket 4711")).status());
        assertEquals(200, client.get("/api/v1/consent?caller=" + ApiTestSupport.enc(caller), compliance).status());
        PrivacyTestSupport.requestFor(client, compliance, "access", caller);
        assertFalse(tablesMentioning("5558880001").isEmpty());
        // the withdrawal's note is free text: beside the chain, in audit_text, not in the chained row
        assertEquals(1, h.rows("select 1 from audit_text where body like '%ticket 4711%'").size());
        assertEquals(0, h.rows("select 1 from audit_log a where a::text like '%ticket 4711%'").size());

        // the "backup": a copy of every table, taken before the erasure
        h.rows("create schema backup");
        for (String t : publicTables()) {
            h.rows("create table backup." + t + " as select * from public." + t);
        }
        assertArrayEquals(first.audio(), PrivacyTestSupport.decryptFrom(h, "backup", first.recordingId(), keys),
                "while the key exists, the backup copy decrypts: the test below is meaningful");

        String requestId = PrivacyTestSupport.requestFor(client, compliance, "erasure", caller);
        JsonObject done = erase(requestId);
        assertEquals("completed", done.getString("status"), done.encodePrettily());
        JsonObject verification = done.getJsonObject("verification");
        assertTrue(verification.getBoolean("clean"), verification.encodePrettily());
        assertFalse(verification.getBoolean("subject_key_exists"));
        assertEquals(0L, verification.getLong("ciphertext_chunks_remaining"));
        String token = done.getString("erasure_token");
        assertTrue(token.startsWith("erased-"));
        assertEquals(token, done.getString("caller"), "the request itself forgot the number");
        assertEquals("account:erin", done.getString("handled_by"));
        assertTrue(done.getJsonObject("result").getBoolean("subject_key_destroyed"));

        // no table holds the number any more: not the calls, evidence, preferences, requests, nor the audit trail
        assertEquals(List.of(), tablesMentioning("5558880001"));
        assertFalse(h.asterisk.storedRecordings().contains(pendingName), "Asterisk's copy is deleted");
        assertFalse(h.asterisk.storedRecordings().contains(pendingName + "-out"), "both legs of a stereo recording");
        assertTrue(keys.find(caller).isEmpty());
        assertTrue(keys.find(other).isPresent());

        // the backup holds the ciphertext and the wrapped data keys, yet nothing of it decrypts any more
        for (PrivacyTestSupport.Archived a : List.of(first, second)) {
            Map<String, Object> row = h.rows("select wrapped_data_key, (select count(*) from backup.recording_chunk c "
                    + "where c.recording_id = r.id) as chunks from backup.recording r where id = $1", a.recordingId()).get(0);
            assertNotNull(row.get("wrapped_data_key"));
            assertTrue((long) row.get("chunks") > 0);
            assertThrows(KeyUnavailableException.class,
                    () -> PrivacyTestSupport.decryptFrom(h, "backup", a.recordingId(), keys));
            assertEquals(0L, h.rows("select count(*) as n from recording_chunk where recording_id = $1",
                    a.recordingId()).get(0).get("n"));
        }
        // another caller's recording is untouched, in the live tables and in the backup
        assertArrayEquals(others.audio(), PrivacyTestSupport.decryptFrom(h, "public", others.recordingId(), keys));
        assertArrayEquals(others.audio(), PrivacyTestSupport.decryptFrom(h, "backup", others.recordingId(), keys));

        // what the law needs stays: that consent was asked and answered, without who
        List<Map<String, Object>> evidence = h.rows("select * from consent_decision where caller_subject = $1", token);
        assertEquals(Set.of("granted", "declined"), evidence.stream().map(r -> r.get("outcome")).collect(Collectors.toSet()));
        evidence.forEach(r -> {
            assertEquals("erasure", r.get("redaction"));
            assertEquals("consent", r.get("lawful_basis"));
            assertNotNull(r.get("notice_version"));
            assertNotNull(r.get("decided_at"));
        });
        assertEquals(Set.of("erased"), h.rows("select state from recording where subject = $1", token).stream()
                .map(r -> r.get("state")).collect(Collectors.toSet()));
        assertThrows(IllegalStateException.class, () -> h.rows("update consent_decision set outcome = 'granted' "
                + "where caller_subject = $1", token), "outside an erasure the evidence is append-only again");

        // audited, and the chain is intact
        List<Object> outcomes = h.rows("select outcome from audit_log where action = 'privacy_requests.erase' "
                + "and target_id = $1 order by seq", requestId).stream().map(r -> r.get("outcome")).toList();
        assertEquals(List.of("ok", "completed"), outcomes);
        JsonObject chain = client.get("/api/v1/audit/verify", compliance).json();
        assertTrue(chain.getBoolean("intact"), chain.encode());
        // the caller's free text in the audit trail is cleared (the backup copy still has it: that is what the
        // nonce is for, and why audit_text belongs to the same backup rotation as the rest)
        assertEquals(0, h.rows("select 1 from audit_text where body like '%ticket 4711%'").size());
        assertTrue(done.getJsonObject("result").getInteger("audit_texts_cleared") >= 1, done.encodePrettily());
        List<Map<String, Object>> cleared = h.rows("select t.* from audit_text t join audit_log a on a.seq = t.seq "
                + "where a.action = 'consent.withdraw'");
        assertEquals(1, cleared.size());
        assertNull(cleared.get(0).get("body"));
        assertNull(cleared.get(0).get("nonce"));
        assertEquals(UUID.fromString(requestId), cleared.get(0).get("erased_for"));
        assertTrue(chain.getLong("texts_erased") >= 1, "the verifier counts erased texts and the chain still verifies: "
                + chain.encode());

        // verification can be run again later; the completed request needs the number for it
        assertEquals(400, client.post("/api/v1/privacy/requests/" + requestId + "/verify", compliance, null).status());
        ApiClient.Reply again = client.post("/api/v1/privacy/requests/" + requestId + "/verify", compliance,
                new JsonObject().put("caller", caller));
        assertEquals(200, again.status(), again.toString());
        assertTrue(again.json().getJsonObject("verification").getBoolean("clean"));
        assertEquals(409, client.post("/api/v1/privacy/requests/" + requestId + "/erase", compliance, null).status(),
                "completed");
    }

    @Test
    void aLegalHoldOnACall_keepsThatCallAndTheKey_untilReleased_thenTheErasureCompletes() throws Exception {
        String caller = "+15558880011";
        PrivacyTestSupport.Archived held = PrivacyTestSupport.archivedCall(h, caller, false);
        PrivacyTestSupport.Archived free = PrivacyTestSupport.archivedCall(h, caller, false);
        JsonObject hold = PrivacyTestSupport.created(client.post("/api/v1/legal-holds", compliance, new JsonObject()
                .put("call_id", held.callId().toString()).put("reason", "case 2025-17, court order")));
        assertEquals("call", hold.getString("scope"));
        assertTrue(hold.getBoolean("active"));

        String requestId = PrivacyTestSupport.requestFor(client, compliance, "erasure", caller);
        JsonObject partial = erase(requestId);
        assertEquals("partially_completed", partial.getString("status"), partial.encodePrettily());
        JsonObject result = partial.getJsonObject("result");
        assertEquals(held.callId().toString(), result.getJsonArray("held_calls").getJsonObject(0).getString("call_id"));
        assertTrue(result.getString("reason").contains("legal hold"));
        assertTrue(result.containsKey("subject_key_kept"));
        assertEquals(caller, partial.getString("caller"), "the request keeps the number while held data has it");
        assertTrue(keys.find(caller).isPresent(), "the held recording still needs the key");
        assertEquals("archived", h.rows("select state from recording where id = $1", held.recordingId()).get(0).get("state"));
        assertEquals("erased", h.rows("select state from recording where id = $1", free.recordingId()).get(0).get("state"));
        ApiClient.Reply play = client.get("/api/v1/recordings/" + held.recordingId() + "/audio?reason="
                + ApiTestSupport.enc("case 2025-17"), compliance);
        assertEquals(200, play.status());
        assertArrayEquals(held.audio(), play.body().getBytes(), "the held recording plays");
        assertEquals(1L, partial.getJsonObject("verification").getJsonObject("rows_kept_under_legal_hold")
                .getLong("recording"));

        assertEquals(200, client.post("/api/v1/legal-holds/" + hold.getString("id") + "/release", compliance,
                new JsonObject().put("reason", "case closed")).status());
        JsonObject done = erase(requestId);
        assertEquals("completed", done.getString("status"), done.encodePrettily());
        assertTrue(done.getJsonObject("verification").getBoolean("clean"));
        assertTrue(keys.find(caller).isEmpty());
        assertEquals("erased", h.rows("select state from recording where id = $1", held.recordingId()).get(0).get("state"));
        assertEquals(List.of(), tablesMentioning("5558880011"));
    }

    @Test
    void aLegalHoldOnTheCaller_blocksTheWholeErasure() throws Exception {
        String caller = "+15558880021";
        PrivacyTestSupport.Archived call = PrivacyTestSupport.archivedCall(h, caller, false);
        JsonObject hold = PrivacyTestSupport.created(client.post("/api/v1/legal-holds", compliance, new JsonObject()
                .put("caller", caller).put("reason", "authority inquiry 99")));
        assertEquals("subject", hold.getString("scope"));
        ApiClient.Reply listed = client.get("/api/v1/legal-holds?active=true&caller=" + ApiTestSupport.enc(caller), compliance);
        assertEquals(1, listed.json().getJsonArray("items").size());

        String requestId = PrivacyTestSupport.requestFor(client, compliance, "erasure", caller);
        JsonObject partial = erase(requestId);
        assertEquals("partially_completed", partial.getString("status"));
        assertTrue(partial.getJsonObject("result").getString("reason").contains("nothing was erased"));
        assertEquals("archived", h.rows("select state from recording where id = $1", call.recordingId()).get(0).get("state"));
        assertEquals(caller, h.rows("select caller_subject from call where id = $1", call.callId()).get(0).get("caller_subject"));
        assertTrue(keys.find(caller).isPresent());
        assertEquals(400, client.post("/api/v1/legal-holds", compliance, new JsonObject().put("reason", "no target")).status());
        assertEquals(404, client.post("/api/v1/legal-holds", compliance, new JsonObject()
                .put("call_id", UUID.randomUUID().toString()).put("reason", "unknown call")).status());
    }
}
