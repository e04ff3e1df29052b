package org.consentrecorder.admin;

import static org.consentrecorder.admin.ApiTestSupport.enc;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Restriction of processing (GDPR Art. 18) over real HTTP, with a call recorded through the ARI double
 * and archived encrypted in PostgreSQL: a restricted recording answers 403 to playback and export
 * unless compliance gives purpose=legal_claims with a reason (then 200, byte for byte), every attempt
 * is audited, lists mark restricted items, and lifting needs a reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestrictionApiTest {
    private AppHarness h;
    private ApiClient client;
    private String compliance;
    private String supervisor;

    @BeforeAll
    void start() {
        // stored as recorded, so that "played byte for byte" compares with what the double recorded
        h = AppHarness.start(Map.of("CR_ARCHIVE_CODEC", "wav"));
        client = new ApiClient(h.app.httpPort());
        String admin = ApiTestSupport.adminToken(client);
        compliance = ApiTestSupport.tokenFor(h, client, admin, "rita", "compliance");
        supervisor = ApiTestSupport.tokenFor(h, client, admin, "sam", "supervisor");
    }

    @AfterAll
    void stop() {
        client.close();
        h.close();
    }

    private List<Map<String, Object>> audit(String action, String target) {
        // the reason is free text beside the chain (audit_text)
        return h.rows("select a.outcome, t.body::jsonb ->> 'reason' as reason, a.detail from audit_log a "
                + "left join audit_text t on t.seq = a.seq where a.action = $1 and a.target_id = $2 order by a.seq",
                action, target);
    }

    private JsonObject itemWithId(JsonArray items, String id) {
        for (int i = 0; i < items.size(); i++) {
            if (items.getJsonObject(i).getString("id").equals(id)) {
                return items.getJsonObject(i);
            }
        }
        throw new AssertionError(id + " not in " + items.encodePrettily());
    }

    @Test
    void aRestrictedRecording_isRefusedWithoutLegalClaims_playedWithThem_markedInLists_andLiftedWithAReason()
            throws Exception {
        PrivacyTestSupport.Archived restricted = PrivacyTestSupport.archivedCall(h, "+15554440001", false);
        PrivacyTestSupport.Archived free = PrivacyTestSupport.archivedCall(h, "+15554440002", false);
        String rec = restricted.recordingId().toString();
        String audio = "/api/v1/recordings/" + rec + "/audio?reason=" + enc("ticket 17");

        assertEquals(403, client.post("/api/v1/restrictions", supervisor, new JsonObject()
                .put("call_id", restricted.callId().toString()).put("reason", "accuracy contested")).status());
        assertEquals(400, client.post("/api/v1/restrictions", compliance, new JsonObject()
                .put("call_id", restricted.callId().toString())).status(), "a reason is required");
        ApiClient.Reply placed = client.post("/api/v1/restrictions", compliance, new JsonObject()
                .put("call_id", restricted.callId().toString()).put("reason", "caller contests accuracy, ticket 17"));
        assertEquals(201, placed.status(), placed.toString());
        String restrictionId = placed.json().getString("id");
        assertTrue(placed.json().getBoolean("active"));
        assertEquals("ok", audit("restrictions.place", restrictionId).get(0).get("outcome"));

        // refused without the legal-claims purpose (compliance too), and to anyone but compliance with it
        ApiClient.Reply refused = client.get(audio, compliance);
        assertEquals(403, refused.status(), refused.toString());
        assertEquals("restricted", refused.error());
        assertEquals(403, client.get(audio + "&purpose=legal_claims", supervisor).status());
        assertEquals(403, client.get(audio, supervisor).status());
        List<Map<String, Object>> rows = audit("recordings.play", rec);
        assertEquals(List.of("rejected:restricted", "rejected:restricted", "rejected:restricted"),
                rows.stream().map(r -> r.get("outcome")).toList(), "every refusal is audited");
        assertEquals(400, client.get("/api/v1/recordings/" + rec + "/audio?reason=" + enc("ticket 17")
                + "&purpose=curiosity", compliance).status());

        // compliance, for legal claims, with the reason: played byte for byte, audited as such
        ApiClient.Reply played = client.get("/api/v1/recordings/" + rec + "/audio?purpose=legal_claims&reason="
                + enc("defence in case 2026-41"), compliance);
        assertEquals(200, played.status(), played.toString());
        assertArrayEquals(restricted.audio(), played.body().getBytes());
        Map<String, Object> allowed = audit("recordings.play", rec).stream()
                .filter(r -> "allowed".equals(r.get("outcome"))).findFirst().orElseThrow();
        assertEquals("defence in case 2026-41", allowed.get("reason"));
        JsonObject detail = new JsonObject((String) allowed.get("detail"));
        assertEquals("legal_claims", detail.getString("purpose"));
        assertEquals(new JsonArray().add(restrictionId), detail.getJsonArray("restrictions"));

        // another caller's recording is not restricted
        assertEquals(200, client.get("/api/v1/recordings/" + free.recordingId() + "/audio?reason=" + enc("qa check"),
                supervisor).status());

        // every list marks it
        JsonArray calls = client.get("/api/v1/calls?limit=50", supervisor).json().getJsonArray("items");
        assertTrue(itemWithId(calls, restricted.callId().toString()).getBoolean("restricted"));
        assertFalse(itemWithId(calls, free.callId().toString()).getBoolean("restricted"));
        assertTrue(client.get("/api/v1/calls/" + restricted.callId(), supervisor).json().getBoolean("restricted"));
        JsonArray recordings = client.get("/api/v1/recordings?limit=50", supervisor).json().getJsonArray("items");
        assertTrue(itemWithId(recordings, rec).getBoolean("restricted"));
        assertFalse(itemWithId(recordings, free.recordingId().toString()).getBoolean("restricted"));
        assertTrue(client.get("/api/v1/recordings/" + rec, supervisor).json().getBoolean("restricted"));
        assertTrue(client.get("/api/v1/consent?caller=" + enc("+15554440001"), compliance).json()
                .getBoolean("restricted"), "the caller's status says a restriction covers some of their data");
        JsonArray listed = client.get("/api/v1/restrictions?active=true", compliance).json().getJsonArray("items");
        assertEquals(restrictionId, itemWithId(listed, restrictionId).getString("id"));

        // lifting needs a reason; afterwards playback is as before
        assertEquals(400, client.post("/api/v1/restrictions/" + restrictionId + "/lift", compliance,
                new JsonObject()).status());
        ApiClient.Reply lifted = client.post("/api/v1/restrictions/" + restrictionId + "/lift", compliance,
                new JsonObject().put("reason", "accuracy verified, caller informed"));
        assertEquals(200, lifted.status(), lifted.toString());
        assertFalse(lifted.json().getBoolean("active"));
        assertEquals("accuracy verified, caller informed", lifted.json().getString("lift_reason"));
        assertEquals(404, client.post("/api/v1/restrictions/" + restrictionId + "/lift", compliance,
                new JsonObject().put("reason", "again")).status());
        assertEquals(200, client.get(audio, supervisor).status());
        assertFalse(client.get("/api/v1/calls/" + restricted.callId(), supervisor).json().getBoolean("restricted"));
        assertEquals(List.of("rejected:bad_request", "ok", "rejected:not_found"), audit("restrictions.lift",
                restrictionId).stream().map(r -> r.get("outcome")).toList());
    }

    @Test
    void aRestrictedCaller_isExportedOnlyForLegalClaims() throws Exception {
        String caller = "+15554440003";
        PrivacyTestSupport.Archived call = PrivacyTestSupport.archivedCall(h, caller, false);
        assertEquals(201, client.post("/api/v1/restrictions", compliance, new JsonObject()
                .put("caller", caller).put("reason", "objection pending (Art. 21)")).status());
        String requestId = PrivacyTestSupport.requestFor(client, compliance, "access", caller);
        String export = "/api/v1/privacy/requests/" + requestId + "/export";
        ApiClient.Reply refused = client.get(export, compliance);
        assertEquals(403, refused.status(), refused.toString());
        assertEquals("restricted", refused.error());
        assertEquals(400, client.get(export + "?purpose=legal_claims", compliance).status(), "the claim must be stated");
        assertEquals(List.of("rejected:restricted", "rejected:bad_request"), audit("privacy_requests.export", requestId)
                .stream().map(r -> r.get("outcome")).toList());
        ApiClient.Reply bundle = client.get(export + "?purpose=legal_claims&reason=" + enc("claim 2026-7"), compliance);
        assertEquals(200, bundle.status(), bundle.toString());
        Map<String, byte[]> files = PrivacyTestSupport.unzip(bundle.body());
        assertTrue(files.keySet().stream().anyMatch(n -> n.contains(call.recordingId().toString())), files.keySet().toString());
        Map<String, Object> allowed = audit("privacy_requests.export", requestId).stream()
                .filter(r -> "allowed".equals(r.get("outcome"))).findFirst().orElseThrow();
        assertEquals("claim 2026-7", allowed.get("reason"));
        assertEquals("legal_claims", new JsonObject((String) allowed.get("detail")).getString("purpose"));
    }
}
