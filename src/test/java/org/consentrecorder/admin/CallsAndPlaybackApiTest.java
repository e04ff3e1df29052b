package org.consentrecorder.admin;

import static org.consentrecorder.admin.ApiTestSupport.enc;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Calls, consent, recordings and playback over real HTTP against the running application: calls
 * are placed through the ARI double, so the evidence rows are the real ones. Audio comes from
 * {@link InMemoryRecordingArchive} (the route's own behaviour, including a decryption failure
 * mid-stream); {@link ArchivedPlaybackApiTest} plays back from the real encrypted archive.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallsAndPlaybackApiTest {
    private static final String GRANTING = "+15551239001";
    private static final String DECLINING = "+15551239002";
    /** Subject of recordings made up by single tests, so that they do not show up in the others. */
    private static final String OTHER = "+15551239999";
    private AppHarness h;
    private ApiClient client;
    private final InMemoryRecordingArchive archive = new InMemoryRecordingArchive();
    private String supervisor;
    private String compliance;
    private UUID grantedCall;
    private UUID declinedCall;
    private final UUID recordingId = UUID.randomUUID();
    private final byte[] audio = new byte[300_000];

    @BeforeAll
    void start() {
        h = AppHarness.start(Map.of());
        h.app.useRecordingArchive(archive);
        client = new ApiClient(h.app.httpPort());
        String admin = ApiTestSupport.adminToken(client);
        supervisor = ApiTestSupport.tokenFor(h, client, admin, "sue", "supervisor");
        compliance = ApiTestSupport.tokenFor(h, client, admin, "carl", "compliance");

        grantedCall = (UUID) ApiTestSupport.recordedCall(h, GRANTING).get("id");
        declinedCall = (UUID) ApiTestSupport.declinedCall(h, DECLINING).get("id");
        new Random(42).nextBytes(audio);
        ApiTestSupport.insertRecording(h, recordingId, grantedCall, GRANTING, "archived", audio.length);
        archive.put(InMemoryRecordingArchive.meta(recordingId, grantedCall, "archived", audio.length), audio);
    }

    @AfterAll
    void stop() {
        client.close();
        h.close();
    }

    private JsonArray items(ApiClient.Reply r) {
        assertEquals(200, r.status(), r.toString());
        return r.json().getJsonArray("items");
    }

    private Set<String> ids(JsonArray items) {
        Set<String> out = new HashSet<>();
        items.forEach(o -> out.add(((JsonObject) o).getString("id")));
        return out;
    }

    @Test
    void calls_listAndFilter() {
        assertEquals(Set.of(grantedCall.toString(), declinedCall.toString()), ids(items(client.get("/api/v1/calls", supervisor))));
        assertEquals(Set.of(grantedCall.toString()), ids(items(client.get("/api/v1/calls?caller=" + enc(GRANTING), supervisor))));
        // the searched number is normalized like the registry's: spaces and dashes do not matter
        assertEquals(Set.of(grantedCall.toString()), ids(items(client.get("/api/v1/calls?caller=" + enc("+1 555-123-9001"), supervisor))));
        assertEquals(Set.of(declinedCall.toString()), ids(items(client.get("/api/v1/calls?outcome=declined", supervisor))));
        assertEquals(Set.of(grantedCall.toString()), ids(items(client.get("/api/v1/calls?has_recording=true", supervisor))));
        assertEquals(Set.of(declinedCall.toString()), ids(items(client.get("/api/v1/calls?has_recording=false", supervisor))));
        assertEquals(Set.of(), ids(items(client.get("/api/v1/calls?to=2000-01-01T00:00:00Z", supervisor))));
        assertEquals(2, items(client.get("/api/v1/calls?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z", supervisor)).size());
        JsonObject granted = items(client.get("/api/v1/calls?caller=" + enc(GRANTING), supervisor)).getJsonObject(0);
        assertEquals(GRANTING, granted.getString("caller"));
        assertEquals("granted", granted.getString("outcome"));
        assertTrue(granted.getBoolean("has_recording"));
        assertEquals(recordingId.toString(), granted.getJsonObject("recording").getString("id"));
    }

    @Test
    void calls_arePaginatedWithACursor() {
        ApiClient.Reply first = client.get("/api/v1/calls?limit=1", supervisor);
        JsonArray page1 = items(first);
        assertEquals(1, page1.size());
        String cursor = first.json().getString("next_cursor");
        assertNotNull(cursor);
        ApiClient.Reply second = client.get("/api/v1/calls?limit=1&cursor=" + cursor, supervisor);
        JsonArray page2 = items(second);
        assertEquals(1, page2.size());
        assertNotEquals(page1.getJsonObject(0).getString("id"), page2.getJsonObject(0).getString("id"));
        assertNull(client.get("/api/v1/calls?limit=2", supervisor).json().getString("next_cursor"));
        assertEquals(400, client.get("/api/v1/calls?limit=201", supervisor).status());
    }

    @Test
    void callDetail_carriesTheEvidenceAndTheTimeline_andTheReadIsAudited() {
        ApiClient.Reply r = client.get("/api/v1/calls/" + grantedCall, supervisor);
        assertEquals(200, r.status(), r.toString());
        JsonObject call = r.json();
        JsonObject evidence = call.getJsonArray("consent_evidence").getJsonObject(0);
        assertEquals("granted", evidence.getString("outcome"));
        assertEquals("1", evidence.getString("keys_pressed"));
        assertEquals("consent", evidence.getString("lawful_basis"));
        assertTrue(evidence.getString("notice_text").contains("press 1"), "the words the caller heard");
        assertTrue(call.getJsonArray("timeline").stream().anyMatch(t -> "started".equals(((JsonObject) t).getString("change"))));
        assertEquals(recordingId.toString(), call.getJsonObject("recording").getString("id"));

        List<Map<String, Object>> rows = ApiTestSupport.auditRows(h, "calls.read", grantedCall.toString());
        assertEquals(1, rows.size());
        Map<String, Object> row = rows.get(0);
        assertEquals("account", row.get("actor_kind"));
        assertEquals("sue", row.get("actor_name"));
        assertEquals("allowed", row.get("outcome"));
        assertEquals("127.0.0.1", row.get("source_address"));
        assertNotNull(row.get("at"));

        assertEquals("not_found", client.get("/api/v1/calls/" + UUID.randomUUID(), supervisor).error());
    }

    @Test
    void searchByCaller_isAuditedWithTheCallersPseudonymAsTarget_neverTheNumber() {
        items(client.get("/api/v1/calls?caller=" + enc(GRANTING), compliance));
        String pseudonym = ApiTestSupport.pseudonym(h, GRANTING);
        List<Map<String, Object>> rows = ApiTestSupport.auditRows(h, "calls.search", pseudonym);
        assertFalse(rows.isEmpty());
        assertEquals("subject", rows.get(0).get("target_type"));
        assertTrue(((String) rows.get(0).get("detail")).contains(pseudonym));
        assertTrue(ApiTestSupport.auditRows(h, "calls.search", GRANTING).isEmpty());
        assertEquals(0L, h.rows("select count(*) as n from audit_log a left join audit_text t on t.seq = a.seq "
                + "where a.detail like $1 or a.target_id = $2 or t.body like $1",
                "%" + GRANTING + "%", GRANTING).get(0).get("n"), "the number itself is nowhere in the audit trail");
    }

    @Test
    void consent_statusAndHistory_areServedAndAudited() {
        ApiClient.Reply status = client.get("/api/v1/consent?caller=" + enc(GRANTING), compliance);
        assertEquals(200, status.status(), status.toString());
        assertEquals(GRANTING, status.json().getString("caller"));
        assertFalse(status.json().getBoolean("do_not_record"));
        assertEquals("granted", status.json().getJsonObject("preference").getString("preference"));
        assertEquals("granted", status.json().getJsonObject("latest_decision").getString("outcome"));
        assertEquals(ApiTestSupport.pseudonym(h, GRANTING), status.json().getString("audit_target"));
        assertEquals(1, ApiTestSupport.auditRows(h, "consent.read", ApiTestSupport.pseudonym(h, GRANTING)).size());

        JsonArray history = items(client.get("/api/v1/consent/history?caller=" + enc(GRANTING), compliance));
        assertEquals(Set.of("decision", "preference"), new HashSet<>(history.stream()
                .map(o -> ((JsonObject) o).getString("kind")).toList()));
        assertEquals(1, ApiTestSupport.auditRows(h, "consent.history", ApiTestSupport.pseudonym(h, GRANTING)).size());

        JsonObject unknown = client.get("/api/v1/consent?caller=" + enc("+15550000000"), compliance).json();
        assertNull(unknown.getJsonObject("preference"));
        assertEquals(400, client.get("/api/v1/consent", compliance).status(), "caller is required");
    }

    @Test
    void recordings_listAndMetadata() {
        JsonArray list = items(client.get("/api/v1/recordings?call_id=" + grantedCall, supervisor));
        assertEquals(1, list.size());
        ApiClient.Reply meta = client.get("/api/v1/recordings/" + recordingId, supervisor);
        assertEquals(200, meta.status(), meta.toString());
        assertEquals("archived", meta.json().getString("state"));
        assertEquals(audio.length, meta.json().getLong("plaintext_bytes"));
        assertTrue(meta.json().getBoolean("playable"));
        assertEquals(1, items(client.get("/api/v1/recordings?caller=" + enc(GRANTING), supervisor)).size());
    }

    @Test
    void playback_returnsTheArchivedAudioByteForByte_afterWritingTheAuditRow() {
        String reason = "ticket 4711 complaint";
        ApiClient.Reply r = client.get("/api/v1/recordings/" + recordingId + "/audio?reason=" + enc(reason), supervisor);
        assertEquals(200, r.status(), r.toString());
        assertEquals("audio/wav", r.headers().get("content-type"));
        assertEquals("bytes", r.headers().get("accept-ranges"));
        assertEquals(String.valueOf(audio.length), r.headers().get("content-length"));
        assertArrayEquals(audio, r.body().getBytes());
        List<Map<String, Object>> rows = ApiTestSupport.auditRows(h, "recordings.play", recordingId.toString());
        Map<String, Object> row = rows.get(rows.size() - 1);
        assertEquals(reason, row.get("reason"));
        assertEquals("allowed", row.get("outcome"));
        assertEquals("sue", row.get("actor_name"));
    }

    @Test
    void calls_searchByPost_keepsTheCallerNumberOutOfTheUrl() {
        ApiClient.Reply r = client.post("/api/v1/calls/search", supervisor, new JsonObject().put("caller", "+1 555-123-9001")
                .put("limit", 10));
        assertEquals(200, r.status(), r.toString());
        assertEquals(Set.of(grantedCall.toString()), ids(r.json().getJsonArray("items")));
        assertEquals(400, client.post("/api/v1/calls/search", supervisor, new JsonObject().put("caller", "not a number"))
                .status());
        assertEquals(400, client.post("/api/v1/calls/search", supervisor, new JsonObject().put("callr", GRANTING)).status(),
                "an unknown filter is refused, never ignored");
        assertEquals(400, client.post("/api/v1/calls/search", supervisor, new JsonObject()
                .put("caller", new JsonObject().put("x", 1))).status());
        // audited by the caller's pseudonym, as the GET form
        assertFalse(ApiTestSupport.auditRows(h, "calls.search", ApiTestSupport.pseudonym(h, GRANTING)).isEmpty());
        // the GET form still answers for one release, marked deprecated
        ApiClient.Reply old = client.get("/api/v1/calls?caller=" + enc(GRANTING), supervisor);
        assertEquals(200, old.status());
        assertEquals("true", old.headers().get("deprecation"));
        assertNull(client.get("/api/v1/calls?outcome=granted", supervisor).headers().get("deprecation"));
    }

    @Test
    void playback_withATicket_keepsTheReasonOutOfTheUrl() {
        String reason = "ticket 4712 caller Jane Doe complains";
        ApiClient.Reply t = client.post("/api/v1/recordings/" + recordingId + "/playback", supervisor,
                new JsonObject().put("reason", reason));
        assertEquals(200, t.status(), t.toString());
        String ticket = t.json().getString("ticket");
        assertTrue(ticket.startsWith("crp_"), ticket);
        assertFalse(t.json().getString("audio_url").contains("Jane"), "nothing personal in the URL");
        ApiClient.Reply r = client.get("/api/v1/recordings/" + recordingId + "/audio?ticket=" + ticket, supervisor);
        assertEquals(200, r.status(), r.toString());
        assertArrayEquals(audio, r.body().getBytes());
        assertNull(r.headers().get("deprecation"));
        // one row, written when the ticket was issued, with the reason; fetching adds none
        List<Map<String, Object>> rows = ApiTestSupport.auditRows(h, "recordings.play", recordingId.toString());
        assertEquals(reason, rows.get(rows.size() - 1).get("reason"), "the reason is in the trail");
        assertEquals(1, rows.stream().filter(row -> reason.equals(row.get("reason"))).count(), rows.toString());
        // beside a bearer token the ticket is for this recording and this session only
        ApiClient.Reply other = client.get("/api/v1/recordings/" + UUID.randomUUID() + "/audio?ticket=" + ticket, supervisor);
        assertEquals(403, other.status(), other.toString());
        assertEquals("ticket_mismatch", other.error());
        ApiClient.Reply foreign = client.get("/api/v1/recordings/" + recordingId + "/audio?ticket=" + ticket, compliance);
        assertEquals(403, foreign.status(), foreign.toString());
        assertEquals("ticket_mismatch", foreign.error());
        ApiClient.Reply madeUp = client.get("/api/v1/recordings/" + recordingId + "/audio?ticket=crp_made-up", supervisor);
        assertEquals(403, madeUp.status(), madeUp.toString());
        assertEquals("invalid_ticket", madeUp.error());
        assertEquals(400, client.post("/api/v1/recordings/" + recordingId + "/playback", supervisor,
                new JsonObject().put("reason", " ")).status(), "a reason is required");
        // the old form still works for one release, marked deprecated
        assertEquals("true", client.get("/api/v1/recordings/" + recordingId + "/audio?reason=" + enc("old client"), supervisor)
                .headers().get("deprecation"));
    }

    @Test
    void playback_withoutAReason_isRefusedAndNothingIsServed() {
        ApiClient.Reply r = client.get("/api/v1/recordings/" + recordingId + "/audio", supervisor);
        assertEquals(400, r.status());
        assertTrue(r.json().getString("message").contains("playback ticket is required"), r.toString());
        assertEquals(400, client.get("/api/v1/recordings/" + recordingId + "/audio?reason=" + enc("  "), supervisor).status());
        // the refusal is in the trail too
        assertTrue(ApiTestSupport.auditRows(h, "recordings.play", recordingId.toString()).stream()
                .anyMatch(row -> "rejected:bad_request".equals(row.get("outcome"))));
    }

    @Test
    void playback_rangeRequests() {
        String base = "/api/v1/recordings/" + recordingId + "/audio?reason=" + enc("seek test");
        int n = audio.length;
        ApiClient.Reply r = client.get(base, compliance, Map.of("range", "bytes=100-1099"));
        assertEquals(206, r.status(), r.toString());
        assertEquals("bytes 100-1099/" + n, r.headers().get("content-range"));
        assertArrayEquals(Arrays.copyOfRange(audio, 100, 1100), r.body().getBytes());

        r = client.get(base, compliance, Map.of("range", "bytes=" + (n - 10) + "-"));
        assertEquals(206, r.status());
        assertArrayEquals(Arrays.copyOfRange(audio, n - 10, n), r.body().getBytes());

        r = client.get(base, compliance, Map.of("range", "bytes=-500"));
        assertEquals(206, r.status());
        assertEquals("bytes " + (n - 500) + "-" + (n - 1) + "/" + n, r.headers().get("content-range"));
        assertArrayEquals(Arrays.copyOfRange(audio, n - 500, n), r.body().getBytes());

        r = client.get(base, compliance, Map.of("range", "bytes=0-999999999"));
        assertEquals(206, r.status(), "an end past the recording is clipped");
        assertArrayEquals(audio, r.body().getBytes());

        for (String bad : List.of("bytes=" + n + "-", "bytes=500-100", "bytes=0-1,5-9", "bytes=abc", "items=0-1", "bytes=-0")) {
            r = client.get(base, compliance, Map.of("range", bad));
            assertEquals(416, r.status(), bad + ": " + r);
            assertEquals("bytes */" + n, r.headers().get("content-range"), bad);
            assertEquals("range_not_satisfiable", r.error());
        }
    }

    @Test
    void playback_whenTheAuditRowCannotBeWritten_servesNothing() {
        h.rows("create function test_audit_down() returns trigger language plpgsql as $$ begin "
                + "raise exception 'audit down (test)'; end; $$");
        h.rows("create trigger test_audit_down before insert on audit_log for each row execute function test_audit_down()");
        try {
            ApiClient.Reply r = client.get("/api/v1/recordings/" + recordingId + "/audio?reason=" + enc("audit outage"), supervisor);
            assertEquals(503, r.status(), r.toString());
            assertEquals("audit_unavailable", r.error());
            assertFalse(r.headers().get("content-type").startsWith("audio/"));
            assertEquals(503, client.get("/api/v1/calls/" + grantedCall, supervisor).status());
            assertEquals(503, client.get("/api/v1/consent?caller=" + enc(GRANTING), supervisor).status());
        } finally {
            h.rows("drop trigger test_audit_down on audit_log");
            h.rows("drop function test_audit_down()");
        }
    }

    @Test
    void playback_whenDecryptionFailsMidStream_theResponseIsCutAndTheFailureAudited() {
        UUID broken = UUID.randomUUID();
        UUID call = UUID.randomUUID();
        ApiTestSupport.insertRecording(h, broken, call, OTHER, "archived", audio.length);
        archive.putFailingAfter(InMemoryRecordingArchive.meta(broken, call, "archived", audio.length), audio, 100_000);
        boolean complete;
        try {
            ApiClient.Reply r = client.get("/api/v1/recordings/" + broken + "/audio?reason=" + enc("tamper test"), supervisor);
            complete = r.status() == 200 && r.body().length() == audio.length;
        } catch (IllegalStateException e) {
            complete = false;
        }
        assertFalse(complete, "a short body must never arrive as a whole one");
        h.awaitRows("select * from audit_log where action = 'recordings.play' and target_id = $1 and outcome = 'failed'",
                broken.toString());
    }

    @Test
    void playback_ofARecordingThatIsNotPlayable_orUnknown() {
        UUID discarded = UUID.randomUUID();
        UUID call = UUID.randomUUID();
        ApiTestSupport.insertRecording(h, discarded, call, OTHER, "discarded", 10);
        archive.put(InMemoryRecordingArchive.meta(discarded, call, "discarded", 10), new byte[10]);
        assertEquals(409, client.get("/api/v1/recordings/" + discarded + "/audio?reason=" + enc("why not"), supervisor).status());
        assertEquals(404, client.get("/api/v1/recordings/" + UUID.randomUUID() + "/audio?reason=" + enc("why not"), supervisor).status());
    }
}
