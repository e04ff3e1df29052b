package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator path of the archive's quarantine (issue 12), through the real HTTP server, the ARI
 * double and the database: compliance lists recordings of no known call and decides about each;
 * Asterisk's copy goes only after the decision, which is audited; anyone else is refused.
 */
class QuarantineApiTest {
    private static final String BASE = "/api/v1/recordings/quarantine";
    private AppHarness h;
    private ApiClient client;
    private String compliance;
    private String admin;

    @BeforeEach
    void start() {
        h = AppHarness.start(Map.of("CR_ARCHIVE_RECONCILE", "300ms"));
        client = new ApiClient(h.app.httpPort());
        admin = ApiTestSupport.adminToken(client);
        compliance = ApiTestSupport.tokenFor(h, client, admin, "carol", "compliance");
    }

    @AfterEach
    void stop() {
        client.close();
        h.close();
    }

    /** A recording on Asterisk whose call the database does not know: the reconciliation quarantines it. */
    private String quarantined(long seed) {
        String name = "cr-" + UUID.randomUUID();
        byte[] audio = new byte[2000];
        new Random(seed).nextBytes(audio);
        h.asterisk.putStoredRecording(name, audio);
        h.awaitRows("select 1 from recording_quarantine where name = $1 and status = 'held'", name);
        return name;
    }

    private ApiClient.Reply decide(String name, String token, JsonObject body) {
        return client.post(BASE + "/" + name + "/decision", token, body);
    }

    @Test
    void complianceListsAndDecides_AsteriskCopyGoesOnlyAfterTheDecision_andItIsAudited() throws InterruptedException {
        String name = quarantined(1);
        String other = quarantined(2);
        Thread.sleep(1000); // several more reconciliations: still nobody deletes it

        ApiClient.Reply list = client.get(BASE + "?status=held&limit=1", compliance);
        assertEquals(200, list.status(), list.toString());
        assertEquals(1, list.json().getJsonArray("items").size(), "paginated");
        assertEquals(1, list.json().getInteger("next_offset"));
        JsonArray all = client.get(BASE + "?limit=200", compliance).json().getJsonArray("items");
        List<String> names = all.stream().map(o -> ((JsonObject) o).getString("name")).toList();
        assertTrue(names.containsAll(List.of(name, other)), names.toString());
        JsonObject entry = (JsonObject) all.stream().filter(o -> ((JsonObject) o).getString("name").equals(name))
                .findFirst().orElseThrow();
        assertEquals("held", entry.getString("status"));
        assertTrue(entry.getValue("delete_after") instanceof String, "the default grace period: " + entry);
        assertEquals(null, entry.getValue("last_decision"));

        // Asterisk keeps it as long as nobody decides
        assertFalse(h.asterisk.wasDeleted(name));
        assertTrue(h.asterisk.requests("DELETE", "/ari/recordings/stored/" + name).isEmpty());
        assertEquals(200, client.get(BASE + "/" + name, compliance).status());

        ApiClient.Reply decided = decide(name, compliance, new JsonObject().put("decision", "delete")
                .put("reason", "ticket 4711: no consent in any backup"));
        assertEquals(200, decided.status(), decided.toString());
        assertEquals("deleted", decided.json().getString("status"));
        assertEquals("account:carol", decided.json().getJsonObject("last_decision").getString("decided_by"));
        assertTrue(h.asterisk.wasDeleted(name), "Asterisk saw the DELETE");
        // (the reconciliation may send the DELETE again and hear 404: deleting is idempotent)
        assertFalse(h.asterisk.requests("DELETE", "/ari/recordings/stored/" + name).isEmpty());
        assertFalse(h.asterisk.wasDeleted(other), "only the one decided");

        List<Map<String, Object>> audit = ApiTestSupport.auditRows(h, "quarantine.decide", name);
        assertEquals(2, audit.size(), audit.toString());
        assertEquals("allowed", audit.get(0).get("outcome"), "the request is in the trail before anything happens");
        assertEquals("deleted", audit.get(1).get("outcome"));
        for (Map<String, Object> row : audit) {
            assertEquals("carol", row.get("actor_name"));
            assertEquals("ticket 4711: no consent in any backup", row.get("reason"));
            assertTrue(row.get("detail").toString().contains("\"decision\":\"delete\""), row.toString());
        }
        JsonObject read = client.get(BASE + "/" + name, compliance).json();
        assertEquals(1, read.getJsonArray("decisions").size());
        assertEquals("ticket 4711: no consent in any backup",
                read.getJsonArray("decisions").getJsonObject(0).getString("reason"));

        // a second decision is refused (409) and changes nothing
        ApiClient.Reply again = decide(name, compliance, new JsonObject().put("decision", "keep").put("reason", "on reflection"));
        assertEquals(409, again.status(), again.toString());
        assertEquals("conflict", again.error());
        assertEquals(1, h.rows("select 1 from recording_quarantine_decision where name = $1", name).size());
        assertEquals("deleted", h.rows("select status from recording_quarantine where name = $1", name).get(0).get("status"));
        List<Map<String, Object>> refused = ApiTestSupport.auditRows(h, "quarantine.decide", name);
        assertEquals(List.of("allowed", "deleted", "allowed", "rejected:conflict"),
                refused.stream().map(r -> r.get("outcome")).toList());

        // keep, then a later delete of what was kept is allowed
        assertEquals("kept", decide(other, compliance, new JsonObject().put("decision", "keep")
                .put("reason", "legal asked to keep it")).json().getString("status"));
        assertEquals(409, decide(other, compliance, new JsonObject().put("decision", "keep").put("reason", "again")).status());
        assertFalse(h.asterisk.wasDeleted(other));
        assertEquals(404, decide("cr-" + UUID.randomUUID(), compliance, new JsonObject().put("decision", "delete")
                .put("reason", "no such thing")).status());
    }

    @Test
    void otherRolesAreRefused_andBadInputIs400AndChangesNothing() {
        String name = quarantined(3);
        for (String role : List.of("admin", "supervisor", "auditor", "agent")) {
            String token = ApiTestSupport.tokenFor(h, client, admin, "q-" + role, role);
            ApiClient.Reply listed = client.get(BASE, token);
            assertEquals(403, listed.status(), role + ": " + listed);
            ApiClient.Reply decided = decide(name, token, new JsonObject().put("decision", "delete").put("reason", "because"));
            assertEquals(403, decided.status(), role + ": " + decided);
            assertEquals("forbidden", decided.error());
        }

        List<Buffer> bad = List.of(
                new JsonObject().put("decision", "destroy").put("reason", "a reason").toBuffer(),
                new JsonObject().put("decision", "delete").toBuffer(),
                new JsonObject().put("decision", "delete").put("reason", " ").toBuffer(),
                new JsonObject().put("decision", "delete").put("reason", "x".repeat(501)).toBuffer(),
                new JsonObject().put("decision", "delete").put("reason", "a\u0000b").toBuffer(),
                new JsonObject().put("decision", "delete").put("reason", "a reason").put("by", "mallory").toBuffer(),
                new JsonObject().put("decision", 1).put("reason", "a reason").toBuffer(),
                Buffer.buffer("{\"decision\":\"delete\",\"decision\":\"keep\",\"reason\":\"a reason\"}"),
                Buffer.buffer("not json"));
        for (Buffer body : bad) {
            ApiClient.Reply r = client.send(HttpMethod.POST, BASE + "/" + name + "/decision", compliance, body, Map.of());
            assertEquals(400, r.status(), body + ": " + r);
            assertEquals("bad_request", r.error());
        }
        ApiClient.Reply longName = decide("cr-" + "x".repeat(200), compliance,
                new JsonObject().put("decision", "delete").put("reason", "a reason"));
        assertEquals(400, longName.status(), longName.toString());
        assertTrue(longName.json().getString("message").contains("path parameter 'name'"), longName.toString());
        assertEquals(400, client.get(BASE + "?status=gone", compliance).status());

        assertFalse(h.asterisk.wasDeleted(name));
        assertTrue(h.rows("select 1 from recording_quarantine_decision where name = $1", name).isEmpty());
        assertEquals("held", h.rows("select status from recording_quarantine where name = $1", name).get(0).get("status"));
    }
}
