package org.consentrecorder.admin;

import static org.consentrecorder.admin.ApiTestSupport.enc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every search by caller has a POST form that takes the number in a JSON body (issue 19: a number
 * in a URL lands in proxy and access logs). Each POST form answers what its GET form answers, is
 * audited as it is (by the caller's pseudonym), refuses bad input with a 400 and other roles with a
 * 403; the GET form still answers for one release, with a Deprecation header.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallerSearchByPostApiTest {
    private static final String CALLER = "+15551238001";
    private AppHarness h;
    private ApiClient client;
    private String supervisor;
    private String compliance;
    private String admin;
    private UUID callId;
    private String pseudonym;

    @BeforeAll
    void start() {
        h = AppHarness.start(Map.of());
        client = new ApiClient(h.app.httpPort());
        admin = ApiTestSupport.adminToken(client);
        supervisor = ApiTestSupport.tokenFor(h, client, admin, "sue", "supervisor");
        compliance = ApiTestSupport.tokenFor(h, client, admin, "carl", "compliance");
        callId = (UUID) ApiTestSupport.recordedCall(h, CALLER).get("id");
        ApiTestSupport.insertRecording(h, UUID.randomUUID(), callId, CALLER, "archived", 1000);
        created(client.post("/api/v1/legal-holds", compliance, new JsonObject().put("caller", CALLER)
                .put("reason", "case 2026-3")));
        created(client.post("/api/v1/restrictions", compliance, new JsonObject().put("caller", CALLER)
                .put("reason", "caller contests accuracy")));
        created(client.post("/api/v1/corrections", compliance, new JsonObject().put("caller", CALLER)
                .put("kind", "supplement").put("statement", "prefers email")));
        pseudonym = ApiTestSupport.pseudonym(h, CALLER);
    }

    @AfterAll
    void stop() {
        client.close();
        h.close();
    }

    private static void created(ApiClient.Reply r) {
        assertEquals(201, r.status(), r.toString());
    }

    /**
     * The POST form with the body answers 200 exactly what the GET form with the query answers (a
     * non-empty answer), the GET form is marked deprecated and the POST form is not, and the POST
     * form is audited under the GET form's action with the caller's pseudonym as target.
     */
    private JsonObject sameAsGet(String getUri, String postUri, JsonObject body, String token, String action) {
        int auditedBefore = ApiTestSupport.auditRows(h, action, pseudonym).size();
        ApiClient.Reply viaGet = client.get(getUri, token);
        assertEquals(200, viaGet.status(), viaGet.toString());
        assertEquals("true", viaGet.headers().get("deprecation"), getUri + " is deprecated");
        assertTrue(viaGet.headers().get("link").contains(postUri.substring("/api/v1".length())), viaGet.headers().get("link"));
        ApiClient.Reply viaPost = client.post(postUri, token, body);
        assertEquals(200, viaPost.status(), viaPost.toString());
        assertNull(viaPost.headers().get("deprecation"));
        assertEquals(viaGet.json(), viaPost.json());
        assertEquals(auditedBefore + 2, ApiTestSupport.auditRows(h, action, pseudonym).size(),
                "both forms are audited by the caller's pseudonym");
        return viaPost.json();
    }

    /** Bad input (not a number, an unknown field, a field that is not flat, a wrong role) changes nothing and is refused. */
    private void refusesBadInput(String postUri, String goodToken, String wrongToken) {
        assertEquals(400, client.post(postUri, goodToken, new JsonObject().put("caller", "not a number")).status());
        assertEquals(400, client.post(postUri, goodToken, new JsonObject().put("callr", CALLER)).status(),
                "an unknown field is refused, never ignored");
        assertEquals(400, client.post(postUri, goodToken, new JsonObject().put("caller", new JsonObject().put("x", 1)))
                .status());
        assertEquals(400, client.post(postUri, goodToken, new JsonObject().put("caller", "1".repeat(65))).status(),
                "longer than the document's maxLength");
        ApiClient.Reply denied = client.post(postUri, wrongToken, new JsonObject().put("caller", CALLER));
        assertEquals(403, denied.status(), denied.toString());
        assertEquals("forbidden", denied.error());
    }

    @Test
    void consentStatus_byPost() {
        JsonObject status = sameAsGet("/api/v1/consent?caller=" + enc(CALLER), "/api/v1/consent/search",
                new JsonObject().put("caller", CALLER), supervisor, "consent.read");
        assertEquals(CALLER, status.getString("caller"));
        assertEquals(pseudonym, status.getString("audit_target"));
        refusesBadInput("/api/v1/consent/search", supervisor, admin);
        ApiClient.Reply missing = client.post("/api/v1/consent/search", supervisor, new JsonObject());
        assertEquals(400, missing.status());
        assertTrue(missing.json().getString("message").contains("'caller' is required"), missing.toString());
    }

    @Test
    void consentHistory_byPost() {
        JsonObject page = sameAsGet("/api/v1/consent/history?limit=5&caller=" + enc(CALLER),
                "/api/v1/consent/history/search", new JsonObject().put("caller", CALLER).put("limit", 5), compliance,
                "consent.history");
        assertFalse(page.getJsonArray("items").isEmpty());
        refusesBadInput("/api/v1/consent/history/search", compliance, admin);
        assertEquals(400, client.post("/api/v1/consent/history/search", compliance,
                new JsonObject().put("caller", CALLER).put("limit", 0)).status());
    }

    @Test
    void recordings_byPost() {
        JsonObject page = sameAsGet("/api/v1/recordings?caller=" + enc(CALLER), "/api/v1/recordings/search",
                new JsonObject().put("caller", CALLER), supervisor, "recordings.search");
        assertEquals(1, page.getJsonArray("items").size());
        refusesBadInput("/api/v1/recordings/search", supervisor, admin);
        // without a caller the GET form is not deprecated
        assertNull(client.get("/api/v1/recordings?call_id=" + callId, supervisor).headers().get("deprecation"));
    }

    @Test
    void legalHolds_byPost() {
        JsonObject page = sameAsGet("/api/v1/legal-holds?active=true&caller=" + enc(CALLER), "/api/v1/legal-holds/search",
                new JsonObject().put("caller", CALLER).put("active", true), compliance, "legal_holds.list");
        assertEquals(1, page.getJsonArray("items").size());
        refusesBadInput("/api/v1/legal-holds/search", compliance, supervisor);
        assertNull(client.get("/api/v1/legal-holds?active=true", compliance).headers().get("deprecation"));
    }

    @Test
    void restrictions_byPost() {
        JsonObject page = sameAsGet("/api/v1/restrictions?caller=" + enc(CALLER), "/api/v1/restrictions/search",
                new JsonObject().put("caller", CALLER), compliance, "restrictions.list");
        assertEquals(1, page.getJsonArray("items").size());
        refusesBadInput("/api/v1/restrictions/search", compliance, supervisor);
    }

    @Test
    void corrections_byPost() {
        JsonObject found = sameAsGet("/api/v1/corrections?caller=" + enc(CALLER), "/api/v1/corrections/search",
                new JsonObject().put("caller", CALLER), compliance, "corrections.list");
        assertEquals(1, found.getJsonArray("items").size());
        refusesBadInput("/api/v1/corrections/search", compliance, supervisor);
        assertEquals(400, client.post("/api/v1/corrections/search", compliance, new JsonObject()).status(),
                "exactly one of call_id and caller");
        ApiClient.Reply byCall = client.post("/api/v1/corrections/search", compliance,
                new JsonObject().put("call_id", callId.toString()));
        assertEquals(200, byCall.status(), byCall.toString());
        assertEquals(found, byCall.json());
    }

    /** The export's claim (a free-text reason) goes in a body too; the GET form with ?reason= is deprecated. */
    @Test
    void export_withTheReasonInTheBody() throws Exception {
        String caller = "+15551238002";
        PrivacyTestSupport.Archived call = PrivacyTestSupport.archivedCall(h, caller, false);
        created(client.post("/api/v1/restrictions", compliance, new JsonObject().put("caller", caller)
                .put("reason", "objection pending (Art. 21)")));
        String requestId = PrivacyTestSupport.requestFor(client, compliance, "access", caller);
        String export = "/api/v1/privacy/requests/" + requestId + "/export";
        assertEquals("restricted", client.post(export, compliance, new JsonObject()).error());
        assertEquals(400, client.post(export, compliance, new JsonObject().put("purpose", "legal_claims")).status(),
                "the claim must be stated");
        assertEquals(400, client.post(export, compliance, new JsonObject().put("purpose", "curiosity")
                .put("reason", "claim 2026-9")).status());
        assertEquals(400, client.post(export, compliance, new JsonObject().put("purpos", "legal_claims")).status());
        assertEquals(400, client.post(export, compliance, new JsonObject().put("purpose", "legal_claims")
                .put("reason", "x".repeat(501))).status());
        ApiClient.Reply denied = client.post(export, supervisor, new JsonObject().put("purpose", "legal_claims")
                .put("reason", "claim 2026-9"));
        assertEquals(403, denied.status(), denied.toString());
        assertEquals("forbidden", denied.error());

        ApiClient.Reply viaPost = client.post(export, compliance, new JsonObject().put("purpose", "legal_claims")
                .put("reason", "claim 2026-9"));
        assertEquals(200, viaPost.status(), viaPost.toString());
        assertNull(viaPost.headers().get("deprecation"));
        Map<String, byte[]> files = PrivacyTestSupport.unzip(viaPost.body());
        assertTrue(files.keySet().stream().anyMatch(n -> n.contains(call.recordingId().toString())), files.keySet().toString());
        Map<String, Object> allowed = ApiTestSupport.auditRows(h, "privacy_requests.export", requestId).stream()
                .filter(r -> "allowed".equals(r.get("outcome"))).findFirst().orElseThrow();
        assertEquals("claim 2026-9", allowed.get("reason"));
        assertEquals("legal_claims", new JsonObject((String) allowed.get("detail")).getString("purpose"));

        ApiClient.Reply viaGet = client.get(export + "?purpose=legal_claims&reason=" + enc("claim 2026-9"), compliance);
        assertEquals(200, viaGet.status(), viaGet.toString());
        assertEquals("true", viaGet.headers().get("deprecation"));
        assertEquals(files.keySet(), PrivacyTestSupport.unzip(viaGet.body()).keySet(), "the same bundle");
    }
}
