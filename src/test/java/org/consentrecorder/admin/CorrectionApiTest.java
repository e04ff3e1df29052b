package org.consentrecorder.admin;

import static org.consentrecorder.admin.ApiTestSupport.enc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Rectification (GDPR Art. 16) over real HTTP with a call recorded through the ARI double: a correction
 * on the call and a supplement on the caller appear in the call view with their history, in the subject
 * export, and in the audit trail (without the statement); amendments form one line; erasure removes them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CorrectionApiTest {
    private AppHarness h;
    private ApiClient client;
    private String compliance;
    private String supervisor;

    @BeforeAll
    void start() {
        h = AppHarness.start(Map.of());
        client = new ApiClient(h.app.httpPort());
        String admin = ApiTestSupport.adminToken(client);
        compliance = ApiTestSupport.tokenFor(h, client, admin, "cora", "compliance");
        supervisor = ApiTestSupport.tokenFor(h, client, admin, "saul", "supervisor");
    }

    @AfterAll
    void stop() {
        client.close();
        h.close();
    }

    private JsonObject add(JsonObject body) {
        ApiClient.Reply r = client.post("/api/v1/corrections", compliance, body);
        assertEquals(201, r.status(), r.toString());
        return r.json();
    }

    @Test
    void correctionsAreShownWithTheCall_exportedWithTheirHistory_audited_andErasedWithTheCaller() throws Exception {
        String caller = "+15553330001";
        PrivacyTestSupport.Archived call = PrivacyTestSupport.archivedCall(h, caller, false);
        String callId = call.callId().toString();

        assertEquals(403, client.post("/api/v1/corrections", supervisor, new JsonObject().put("call_id", callId)
                .put("kind", "correction").put("statement", "wrong number")).status());
        assertEquals(400, client.post("/api/v1/corrections", compliance, new JsonObject().put("call_id", callId)
                .put("kind", "erratum").put("statement", "wrong number")).status());
        JsonObject first = add(new JsonObject().put("call_id", callId).put("kind", "correction")
                .put("statement", "This call was attributed to the wrong number (ticket 88)."));
        JsonObject amended = add(new JsonObject().put("call_id", callId).put("kind", "correction")
                .put("statement", "This call was made by the caller's spouse, not by the caller (ticket 88).")
                .put("supersedes", first.getString("id")));
        assertEquals(first.getString("id"), amended.getString("supersedes"));
        JsonObject supplement = add(new JsonObject().put("caller", caller).put("kind", "supplement")
                .put("statement", "The caller disputes the tone described in call notes."));
        assertEquals("subject", supplement.getString("scope"));

        // a version already amended cannot be amended again, nor can another call's or caller's
        assertEquals(409, client.post("/api/v1/corrections", compliance, new JsonObject().put("call_id", callId)
                .put("kind", "correction").put("statement", "a third story").put("supersedes", first.getString("id")))
                .status());
        assertEquals(409, client.post("/api/v1/corrections", compliance, new JsonObject().put("caller", caller)
                .put("kind", "supplement").put("statement", "another target")
                .put("supersedes", amended.getString("id"))).status());

        // the call view shows all three, oldest first, the first as history
        JsonArray shown = client.get("/api/v1/calls/" + callId, supervisor).json().getJsonArray("corrections");
        assertEquals(3, shown.size(), shown.encodePrettily());
        assertEquals(first.getString("id"), shown.getJsonObject(0).getString("id"));
        assertFalse(shown.getJsonObject(0).getBoolean("current"));
        assertEquals(amended.getString("id"), shown.getJsonObject(0).getString("superseded_by"));
        assertTrue(shown.getJsonObject(1).getBoolean("current"));
        assertEquals(supplement.getString("id"), shown.getJsonObject(2).getString("id"));
        assertEquals(3, client.get("/api/v1/corrections?caller=" + enc(caller), compliance).json()
                .getJsonArray("items").size());

        // audited: who added what kind to what; the statement itself stays out of the audit trail
        List<Map<String, Object>> rows = h.rows("select outcome, detail from audit_log where action = 'corrections.add' "
                + "and outcome = 'ok' order by seq");
        assertEquals(3, rows.size());
        assertEquals(first.getString("id"), new JsonObject((String) rows.get(1).get("detail")).getString("supersedes"));
        assertTrue(rows.stream().noneMatch(r -> ((String) r.get("detail")).contains("ticket 88")));

        // the export carries them with their history
        String requestId = PrivacyTestSupport.requestFor(client, compliance, "access", caller);
        ApiClient.Reply bundle = client.get("/api/v1/privacy/requests/" + requestId + "/export", compliance);
        assertEquals(200, bundle.status(), bundle.toString());
        JsonObject manifest = new JsonObject(new String(PrivacyTestSupport.unzip(bundle.body()).get("manifest.json"),
                StandardCharsets.UTF_8));
        JsonArray exported = manifest.getJsonArray("corrections");
        assertEquals(3, exported.size());
        assertEquals(3, manifest.getJsonObject("summary").getInteger("corrections"));
        assertEquals("This call was made by the caller's spouse, not by the caller (ticket 88).",
                exported.getJsonObject(1).getString("statement"));
        assertEquals(first.getString("id"), exported.getJsonObject(1).getString("supersedes"));

        // erasure takes them with the caller's data
        String erasure = PrivacyTestSupport.requestFor(client, compliance, "erasure", caller);
        ApiClient.Reply erased = client.post("/api/v1/privacy/requests/" + erasure + "/erase", compliance, null);
        assertEquals(200, erased.status(), erased.toString());
        assertEquals(3, erased.json().getJsonObject("result").getInteger("corrections_deleted"));
        assertTrue(h.rows("select 1 from correction").isEmpty());
    }
}
