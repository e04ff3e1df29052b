package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Subject access (GDPR Art. 15) over real HTTP: the export bundle holds exactly the subject's
 * calls, consent decisions (with the words heard), pause timeline, recordings (decrypted, byte for
 * byte) and audit entries, and nothing about anybody else; the export is audited before its first
 * byte and completes the request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubjectAccessExportApiTest {
    private static final String SUBJECT = "+15557770001";
    private static final String OTHER = "+15557770002";
    private AppHarness h;
    private ApiClient client;
    private String compliance;
    private PrivacyTestSupport.Archived recorded;
    private UUID declined;

    @BeforeAll
    void start() throws Exception {
        h = AppHarness.start(Map.of());
        client = new ApiClient(h.app.httpPort());
        String admin = ApiTestSupport.adminToken(client);
        compliance = ApiTestSupport.tokenFor(h, client, admin, "carol", "compliance");
        recorded = PrivacyTestSupport.archivedCall(h, SUBJECT, true);
        declined = PrivacyTestSupport.declinedCall(h, SUBJECT);
        PrivacyTestSupport.archivedCall(h, OTHER, false);
        // operators looked the caller up: those accesses belong in the bundle too
        assertEquals(200, client.get("/api/v1/consent?caller=" + ApiTestSupport.enc(SUBJECT), compliance).status());
        assertEquals(200, client.get("/api/v1/calls/" + recorded.callId(), compliance).status());
        assertEquals(200, client.get("/api/v1/calls/" + h.rows("select id from call where caller_subject = $1", OTHER)
                .get(0).get("id"), compliance).status());
    }

    @AfterAll
    void stop() {
        client.close();
        h.close();
    }

    private static Set<String> ids(JsonArray rows, String field) {
        return rows.stream().map(o -> String.valueOf(((JsonObject) o).getValue(field))).collect(Collectors.toCollection(TreeSet::new));
    }

    private Set<String> dbIds(String sql, Object... params) {
        return h.rows(sql, params).stream().map(r -> String.valueOf(r.values().iterator().next()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theBundleIsCompleteAndExact() throws Exception {
        String requestId = PrivacyTestSupport.requestFor(client, compliance, "access", SUBJECT);
        long seqBefore = (long) h.rows("select seq from audit_chain_head").get(0).get("seq");

        ApiClient.Reply reply = client.get("/api/v1/privacy/requests/" + requestId + "/export", compliance);
        assertEquals(200, reply.status(), reply.toString());
        assertEquals("application/zip", reply.headers().get("content-type"));
        assertNull(reply.headers().get("content-length"), "streamed (chunked), not assembled first");
        Map<String, byte[]> zip = PrivacyTestSupport.unzip(reply.body());
        JsonObject manifest = new JsonObject(new String(zip.get("manifest.json"), StandardCharsets.UTF_8));
        assertTrue(zip.containsKey("README.txt"));
        assertEquals("consent-recorder-subject-export/1", manifest.getString("format"));
        assertEquals(SUBJECT, manifest.getString("subject"));

        // calls, decisions, timeline: exactly the subject's rows
        assertEquals(Set.of(recorded.callId().toString(), declined.toString()), ids(manifest.getJsonArray("calls"), "id"));
        assertEquals(dbIds("select id from consent_decision where caller_subject = $1", SUBJECT),
                ids(manifest.getJsonArray("consent_decisions"), "id"));
        assertEquals(Set.of("granted", "declined"), ids(manifest.getJsonArray("consent_decisions"), "outcome"));
        manifest.getJsonArray("consent_decisions").forEach(d ->
                assertTrue(((JsonObject) d).getString("notice_text").contains("press 1"), "the words the caller heard"));
        assertEquals(dbIds("select id from recording_timeline where call_id = $1", recorded.callId()),
                ids(manifest.getJsonArray("timeline"), "id"));
        assertTrue(ids(manifest.getJsonArray("timeline"), "change").containsAll(List.of("started", "paused", "resumed")));
        assertEquals("granted", manifest.getJsonObject("consent_preference").getString("preference"));

        // the recording: what the archive stores (Ogg Opus, the default codec), decrypted, byte for byte, with
        // the SHA-256 the manifest states, the codec, the source's SHA-256 and length, and how to play it
        JsonArray recordings = manifest.getJsonArray("recordings");
        assertEquals(1, recordings.size());
        JsonObject rec = recordings.getJsonObject(0);
        assertEquals(recorded.recordingId().toString(), rec.getString("id"));
        String file = rec.getString("file");
        assertEquals("recordings/" + recorded.recordingId() + ".opus", file);
        byte[] stored = org.consentrecorder.testing.Streams.readAll(h.app.archive().open(recorded.recordingId(), 0,
                rec.getLong("plaintext_bytes")));
        assertArrayEquals(stored, zip.get(file));
        assertEquals("OggS", new String(stored, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(stored)),
                rec.getString("sha256"));
        assertEquals("opus", rec.getString("codec"));
        assertTrue(rec.getString("codec_parameters").startsWith("codec=opus rate=8000 channels=1"));
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(recorded.audio())),
                rec.getString("source_sha256"), "the hash of what Asterisk recorded is kept as evidence");
        assertEquals((recorded.audio().length - 44) / 2, rec.getLong("source_frames"));
        assertTrue(rec.getString("how_to_play").contains("opusdec"), rec.getString("how_to_play"));
        assertTrue(new String(zip.get("README.txt"), StandardCharsets.UTF_8).contains("Ogg Opus"));
        assertEquals(Set.of("README.txt", "manifest.json", "manifest.schema.json", file), zip.keySet());

        // audit entries about the subject: the consent lookup (by pseudonym), the call read, the export itself
        JsonArray audit = manifest.getJsonArray("audit_entries");
        Set<String> actions = ids(audit, "action");
        assertTrue(actions.containsAll(List.of("consent.read", "calls.read", "privacy_requests.create",
                "privacy_requests.export")), actions.toString());
        audit.forEach(a -> {
            assertFalse(((JsonObject) a).containsKey("actor_name"), "operators' names are withheld");
            assertFalse(((JsonObject) a).containsKey("source_address"));
        });
        assertEquals(manifest.getJsonObject("summary").getInteger("audit_entries"), audit.size());

        // nothing about the other caller
        String text = new String(zip.get("manifest.json"), StandardCharsets.UTF_8);
        assertFalse(text.contains(OTHER.substring(1)), "another caller's number");
        String otherCall = h.rows("select id from call where caller_subject = $1", OTHER).get(0).get("id").toString();
        assertFalse(text.contains(otherCall), "another caller's call");

        // audited before the first byte; the request is completed with the bundle's SHA-256
        Map<String, Object> allowed = h.rows("select * from audit_log where action = 'privacy_requests.export' "
                + "and target_id = $1 and outcome = 'allowed'", requestId).get(0);
        assertTrue((long) allowed.get("seq") > seqBefore);
        h.awaitRows("select 1 from audit_log where action = 'privacy_requests.export' and target_id = $1 "
                + "and outcome = 'ok'", requestId);
        JsonObject request = client.get("/api/v1/privacy/requests/" + requestId, compliance).json();
        assertEquals("completed", request.getString("status"));
        assertEquals("account:carol", request.getString("handled_by"));
        assertNotNull(request.getString("completed_at"));
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(reply.body().getBytes())),
                request.getJsonObject("result").getString("bundle_sha256"));
        assertEquals(1, request.getJsonObject("result").getInteger("recordings"));
    }

    @Test
    void theBundleNamesNoOperator() throws Exception {
        String third = "+15557770003";
        PrivacyTestSupport.Archived call = PrivacyTestSupport.archivedCall(h, third, true);
        // an agent desktop paused it through the API (the timeline names the token), and compliance
        // recorded the caller's emailed withdrawal (the preference names the account)
        h.rows("insert into recording_timeline (call_id, recording_name, change, trigger_kind, trigger_detail, offset_ms, "
                + "requested_at, accepted_at, pause_style) select call_id, recording_name, 'paused', 'api', "
                + "'api:api_token:agent-desktop', 1000, now(), now(), pause_style from recording_timeline where call_id = $1 "
                + "limit 1", call.callId());
        assertEquals(200, client.post("/api/v1/consent/withdraw", compliance, new JsonObject().put("caller", third)
                .put("note", "by email")).status());
        String requestId = PrivacyTestSupport.requestFor(client, compliance, "access", third);
        ApiClient.Reply reply = client.get("/api/v1/privacy/requests/" + requestId + "/export", compliance);
        assertEquals(200, reply.status(), reply.toString());
        String text = new String(PrivacyTestSupport.unzip(reply.body()).get("manifest.json"), StandardCharsets.UTF_8);
        for (String identity : List.of("api:", "account:", "api_token:", "agent-desktop", "carol")) {
            assertFalse(text.contains(identity), "an operator's identity in the export: " + identity);
        }
        JsonObject manifest = new JsonObject(text);
        JsonObject api = manifest.getJsonArray("timeline").stream().map(JsonObject.class::cast)
                .filter(t -> "api".equals(t.getString("trigger_kind"))).findFirst().orElseThrow();
        assertEquals("operator-1", api.getString("trigger_detail"));
        assertEquals("operator-2", manifest.getJsonObject("consent_preference").getString("changed_by"));
        assertTrue(manifest.getJsonArray("consent_preference_history").stream().map(JsonObject.class::cast)
                .anyMatch(p -> "operator-2".equals(p.getString("changed_by"))), "the same employee, the same pseudonym");
        manifest.getJsonArray("consent_decisions").forEach(d ->
                assertEquals("caller", ((JsonObject) d).getString("decided_by"), "the caller's own decision stays hers"));
    }

    @Test
    void onlyAccessRequestsAreExported_andUnknownOnesAreNotFound() {
        String erasure = PrivacyTestSupport.requestFor(client, compliance, "erasure", "+15557770099");
        ApiClient.Reply r = client.get("/api/v1/privacy/requests/" + erasure + "/export", compliance);
        assertEquals(409, r.status(), r.toString());
        assertEquals(404, client.get("/api/v1/privacy/requests/" + UUID.randomUUID() + "/export", compliance).status());
        assertTrue(new HashSet<>(h.rows("select outcome from audit_log where action = 'privacy_requests.export' "
                + "and target_id = $1", erasure).stream().map(m -> m.get("outcome")).toList()).contains("rejected:conflict"));
    }
}
