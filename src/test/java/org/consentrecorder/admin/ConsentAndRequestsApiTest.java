package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The consent registry's API withdrawal (effective at the caller's next call; no API grant), the
 * tracking of data-subject requests (due one calendar month after receipt, overdue listed), and
 * the records of processing built from the running configuration.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsentAndRequestsApiTest {
    private AppHarness h;
    private ApiClient client;
    private String admin;
    private String compliance;

    @BeforeAll
    void start() {
        h = AppHarness.start(Map.of("CR_CONTROLLER_NAME", "Example Telecom GmbH",
                "CR_CONTROLLER_CONTACT", "privacy@example.org", "CR_RETENTION_RECORDINGS", "30d"));
        client = new ApiClient(h.app.httpPort());
        admin = ApiTestSupport.adminToken(client);
        compliance = ApiTestSupport.tokenFor(h, client, admin, "cora", "compliance");
    }

    @AfterAll
    void stop() {
        client.close();
        h.close();
    }

    @Test
    void aWithdrawalThroughTheApi_takesEffectAtTheNextCall_andOnlyTheCallerCanGrantAgain() {
        String caller = "+15556660001";
        ApiClient.Reply r = client.post("/api/v1/consent/withdraw", compliance,
                new JsonObject().put("caller", "+1 555 666 0001").put("note", "ticket 9"));
        assertEquals(200, r.status(), r.toString());
        assertTrue(r.json().getBoolean("changed"));
        Map<String, Object> pref = h.rows("select * from subject_preference where subject = $1", caller).get(0);
        assertEquals("do_not_record", pref.get("preference"));
        assertEquals("api", pref.get("source"));
        assertEquals("account:cora", pref.get("changed_by"));
        assertFalse(client.post("/api/v1/consent/withdraw", compliance, new JsonObject().put("caller", caller))
                .json().getBoolean("changed"), "already on file");
        String pseudonym = ApiTestSupport.pseudonym(h, caller);
        assertEquals(2, ApiTestSupport.auditRows(h, "consent.withdraw", pseudonym).size());

        JsonArray history = client.get("/api/v1/consent/history?caller=" + ApiTestSupport.enc(caller), compliance)
                .json().getJsonArray("items");
        assertEquals("api", history.getJsonObject(0).getString("source"));

        // the next call is not asked and not recorded
        String ch = h.asterisk.placeCall(caller);
        h.asterisk.await("the call continues", () -> h.asterisk.location(ch).startsWith("dialplan:"), AppHarness.WAIT);
        assertEquals("do_not_record", h.asterisk.variables(ch).get("CONSENT_OUTCOME"));
        assertTrue(h.asterisk.requests("POST", ".*/snoop").isEmpty());
        h.asterisk.callerHangsUp(ch);

        // there is no route that grants
        assertEquals("no_route", client.post("/api/v1/consent/grant", compliance,
                new JsonObject().put("caller", caller)).error());
        assertEquals(400, client.post("/api/v1/consent/withdraw", compliance,
                new JsonObject().put("caller", "sip:alice@example.org")).status());
        assertEquals(400, client.post("/api/v1/consent/withdraw", compliance,
                new JsonObject().put("caller", caller).put("preference", "granted")).status());
    }

    @Test
    void requestsAreDueOneMonthAfterReceipt_andOverdueOnesAreListed() {
        Instant received = Instant.now().minus(40, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        JsonObject late = PrivacyTestSupport.created(client.post("/api/v1/privacy/requests", compliance, new JsonObject()
                .put("kind", "access").put("caller", "+15556660002").put("received_at", received.toString())
                .put("note", "letter of 3 March")));
        assertEquals(received.atOffset(ZoneOffset.UTC).plusMonths(1).toInstant(), Instant.parse(late.getString("due_at")));
        assertEquals("open", late.getString("status"));
        assertTrue(late.getBoolean("overdue"));
        JsonObject fresh = PrivacyTestSupport.created(client.post("/api/v1/privacy/requests", compliance,
                new JsonObject().put("kind", "erasure").put("caller", "+15556660003")));
        assertFalse(fresh.getBoolean("overdue"));

        List<String> overdue = client.get("/api/v1/privacy/requests/overdue", compliance).json().getJsonArray("items")
                .stream().map(o -> ((JsonObject) o).getString("id")).toList();
        assertTrue(overdue.contains(late.getString("id")));
        assertFalse(overdue.contains(fresh.getString("id")));
        assertEquals(overdue, client.get("/api/v1/privacy/requests?overdue=true", compliance).json().getJsonArray("items")
                .stream().map(o -> ((JsonObject) o).getString("id")).toList());
        assertTrue(client.get("/api/v1/privacy/requests?kind=erasure", compliance).json().getJsonArray("items").stream()
                .allMatch(o -> "erasure".equals(((JsonObject) o).getString("kind"))));
        assertEquals("+15556660002", client.get("/api/v1/privacy/requests/" + late.getString("id"), compliance).json()
                .getString("caller"));

        assertEquals(400, client.post("/api/v1/privacy/requests", compliance, new JsonObject().put("kind", "rectify")
                .put("caller", "+15556660002")).status());
        assertEquals(400, client.post("/api/v1/privacy/requests", compliance, new JsonObject().put("kind", "access")
                .put("caller", "+15556660002").put("received_at", Instant.now().plusSeconds(86_400).toString())).status());
        assertEquals(400, client.get("/api/v1/privacy/requests?status=lost", compliance).status());
        // the audit row of a new request names the caller by pseudonym only
        String detail = (String) ApiTestSupport.auditRows(h, "privacy_requests.create", late.getString("id")).get(0)
                .get("detail");
        assertTrue(detail.contains(ApiTestSupport.pseudonym(h, "+15556660002")) && !detail.contains("5556660002"), detail);
    }

    @Test
    void theRegisterIsBuiltFromTheRunningConfiguration() {
        String auditor = ApiTestSupport.tokenFor(h, client, admin, "audra", "auditor");
        ApiClient.Reply r = client.get("/api/v1/privacy/register", auditor);
        assertEquals(200, r.status(), r.toString());
        JsonObject register = r.json();
        assertEquals("Example Telecom GmbH", register.getJsonObject("controller").getString("name"));
        assertTrue(register.getJsonObject("controller").getString("data_protection_officer").contains("CR_DPO_CONTACT"));
        JsonObject recording = register.getJsonArray("activities").getJsonObject(0);
        assertTrue(recording.getString("lawful_basis").startsWith("GDPR Art. 6(1)(a)"));
        assertTrue(recording.getJsonObject("retention").getString("recordings").startsWith("30 days"));
        assertEquals("30 days", register.getJsonObject("configuration").getString("retention_recordings"));
        assertEquals("skip", register.getJsonObject("configuration").getString("pause_style"));
        assertEquals(List.of("en", "de"), register.getJsonArray("notice_sets").stream()
                .map(o -> ((JsonObject) o).getString("id")).toList());
        assertTrue(register.getJsonObject("roles").getJsonArray("compliance").contains("erasure"));

        ApiClient.Reply md = client.get("/api/v1/privacy/register?format=markdown", auditor);
        assertEquals(200, md.status());
        assertTrue(md.headers().get("content-type").startsWith("text/markdown"));
        assertTrue(md.body().toString().startsWith("# Records of processing activities (GDPR Art. 30)"));

        JsonObject policy = client.get("/api/v1/retention/policy", admin).json();
        assertEquals(30.0, policy.getJsonObject("recordings").getDouble("days"));
        assertEquals(180.0, policy.getJsonObject("calls").getDouble("days"));
        assertEquals(1460.0, policy.getJsonObject("evidence").getDouble("days"));
        assertEquals(403, client.get("/api/v1/privacy/register", ApiTestSupport.tokenFor(h, client, admin, "sid", "supervisor"))
                .status());
    }
}
