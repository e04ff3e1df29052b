package org.consentrecorder.admin;

import static org.consentrecorder.admin.ApiTestSupport.enc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The breach register (GDPR Art. 33/34) over real HTTP with a real PostgreSQL: the 72-hour countdown and
 * its overdue list and metric, the notification (reasons required when late) and the callers decision,
 * what a compromised account reached according to the audit trail (a recording it played and a call it
 * read, through the ARI double's recorded call), the Markdown report, and the audit rows of it all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BreachApiTest {
    private AppHarness h;
    private ApiClient client;
    private String compliance;
    private String mallory;

    @BeforeAll
    void start() {
        h = AppHarness.start(Map.of("CR_METRICS_REFRESH", "200ms"));
        client = new ApiClient(h.app.httpPort());
        String admin = ApiTestSupport.adminToken(client);
        compliance = ApiTestSupport.tokenFor(h, client, admin, "bea", "compliance");
        mallory = ApiTestSupport.tokenFor(h, client, admin, "mallory", "supervisor");
    }

    @AfterAll
    void stop() {
        client.close();
        h.close();
    }

    private JsonObject record(JsonObject body) {
        ApiClient.Reply r = client.post("/api/v1/breaches", compliance, body);
        assertEquals(201, r.status(), r.toString());
        return r.json();
    }

    private static JsonObject breach(String title, Instant discovered, String risk) {
        return new JsonObject().put("title", title).put("discovered_at", discovered.toString())
                .put("description", "A laptop with an exported bundle was stolen").put("data_affected",
                        "call metadata and recordings of one caller").put("callers_affected", 1)
                .put("recordings_affected", 1).put("risk", risk).put("risk_assessment", "voice and number exposed");
    }

    private double overdueMetric() {
        String body = client.get("/metrics", null).body().toString();
        for (String line : body.split("\n")) {
            if (line.startsWith("consent_recorder_breaches_overdue ")) {
                return Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
            }
        }
        throw new AssertionError("no consent_recorder_breaches_overdue in /metrics");
    }

    @Test
    void theCountdown_theNotification_theCallersDecision_andTheOverdueListAndMetric() {
        Instant now = Instant.now();
        assertEquals(403, client.post("/api/v1/breaches", mallory, breach("x", now, "risk")).status());
        assertEquals(400, client.post("/api/v1/breaches", compliance, breach("bad risk", now, "huge")).status());
        assertEquals(400, client.post("/api/v1/breaches", compliance,
                breach("future", now.plus(Duration.ofHours(2)), "risk")).status());

        JsonObject late = record(breach("Stolen laptop", now.minus(Duration.ofHours(73)), "risk"));
        JsonObject fresh = record(breach("Misaddressed email", now.minus(Duration.ofHours(1)), "high_risk"));
        JsonObject harmless = record(breach("Encrypted disk lost", now.minus(Duration.ofHours(100)), "unlikely"));
        assertEquals("overdue", late.getString("notification_status"));
        assertTrue(late.getLong("seconds_left") < 0);
        assertEquals(now.minus(Duration.ofHours(73)).plus(Duration.ofHours(72)).truncatedTo(ChronoUnit.MILLIS),
                Instant.parse(late.getString("notify_authority_by")));
        assertEquals("open", fresh.getString("notification_status"));
        long left = fresh.getLong("seconds_left");
        assertTrue(left > 70 * 3600 && left <= 71 * 3600, "about 71 hours left: " + left);
        assertEquals("not_required", harmless.getString("notification_status"));
        assertNull(harmless.getValue("seconds_left"));

        JsonArray overdue = client.get("/api/v1/breaches/overdue", compliance).json().getJsonArray("items");
        assertEquals(List.of(late.getString("id")), overdue.stream().map(o -> ((JsonObject) o).getString("id")).toList());
        h.asterisk.await("the overdue metric", () -> overdueMetric() == 1.0, AppHarness.WAIT);

        // notifying late needs the reasons for the delay; then it is no longer overdue, and only once
        String notify = "/api/v1/breaches/" + late.getString("id") + "/authority-notification";
        JsonObject notice = new JsonObject().put("notified_at", now.toString()).put("reference", "DPA-2026-0042");
        assertEquals(400, client.post(notify, compliance, notice).status());
        ApiClient.Reply notified = client.post(notify, compliance, notice.copy()
                .put("delay_reason", "the theft was reported to us by the police three days later"));
        assertEquals(200, notified.status(), notified.toString());
        assertEquals("notified", notified.json().getString("notification_status"));
        assertEquals("DPA-2026-0042", notified.json().getString("authority_reference"));
        assertEquals(409, client.post(notify, compliance, notice.copy().put("delay_reason", "again")).status());
        assertTrue(client.get("/api/v1/breaches/overdue", compliance).json().getJsonArray("items").isEmpty());
        h.asterisk.await("the overdue metric back to 0", () -> overdueMetric() == 0.0, AppHarness.WAIT);

        String decide = "/api/v1/breaches/" + fresh.getString("id") + "/callers-decision";
        assertEquals(400, client.post(decide, compliance, new JsonObject().put("decision", "maybe")
                .put("reason", "unsure")).status());
        ApiClient.Reply decided = client.post(decide, compliance, new JsonObject().put("decision", "inform")
                .put("reason", "high risk: the recording reveals health data").put("informed_at", now.toString()));
        assertEquals(200, decided.status(), decided.toString());
        assertEquals("inform", decided.json().getString("callers_decision"));

        List<String> outcomes = h.rows("select outcome from audit_log where action = 'breaches.authority_notified' "
                + "and target_id = $1 order by seq", late.getString("id")).stream().map(r -> (String) r.get("outcome")).toList();
        assertEquals(List.of("rejected:bad_request", "ok", "rejected:conflict"), outcomes);
        assertEquals(1, h.rows("select 1 from audit_log where action = 'breaches.record' and outcome = 'ok' "
                + "and target_id = $1", fresh.getString("id")).size());
    }

    @Test
    void aCompromisedAccount_theRecordingsAndCallersItReached_andTheMarkdownReport() throws Exception {
        // not earlier: the other test of this class (same app) may have had mallory refused a moment ago
        Instant windowStart = Instant.now();
        String caller = "+15551110001";
        PrivacyTestSupport.Archived call = PrivacyTestSupport.archivedCall(h, caller, false);
        PrivacyTestSupport.Archived untouched = PrivacyTestSupport.archivedCall(h, "+15551110002", false);
        // what the stolen session did: a search, a call read, a recording played (twice), one refusal
        assertEquals(200, client.get("/api/v1/calls?limit=5", mallory).status());
        assertEquals(200, client.get("/api/v1/calls/" + call.callId(), mallory).status());
        for (int i = 0; i < 2; i++) {
            assertEquals(200, client.get("/api/v1/recordings/" + call.recordingId() + "/audio?reason="
                    + enc("curious look"), mallory).status());
        }
        assertEquals(403, client.get("/api/v1/audit", mallory).status());
        Instant windowEnd = Instant.now().plusSeconds(1);

        ApiClient.Reply trace = client.get("/api/v1/breaches/account-access?account=mallory&from=" + windowStart
                + "&to=" + windowEnd, compliance);
        assertEquals(200, trace.status(), trace.toString());
        JsonObject t = trace.json();
        JsonArray recordings = t.getJsonArray("recordings");
        assertEquals(1, recordings.size(), t.encodePrettily());
        assertEquals(call.recordingId().toString(), recordings.getJsonObject(0).getString("id"));
        assertEquals(caller, recordings.getJsonObject(0).getString("caller"));
        assertEquals(2L, recordings.getJsonObject(0).getLong("times"));
        assertEquals(new JsonArray().add(caller), t.getJsonArray("callers"));
        assertFalse(t.encode().contains(untouched.recordingId().toString()), "only what the account reached");
        assertTrue(t.getLong("searches") >= 1);
        assertEquals(1L, t.getLong("refused"), () -> "refusals: " + h.rows("select action, outcome from audit_log "
                + "where actor_name = 'mallory' and (outcome like 'rejected%' or outcome = 'denied')"));
        // a window before the compromise shows nothing
        assertTrue(client.get("/api/v1/breaches/account-access?account=mallory&from=2020-01-01T00:00:00Z"
                + "&to=2020-01-02T00:00:00Z", compliance).json().getJsonArray("reached").isEmpty());
        assertEquals(400, client.get("/api/v1/breaches/account-access?account=mallory", compliance).status());

        JsonObject b = record(breach("Supervisor session stolen", Instant.now(), "high_risk")
                .put("compromised_account", "mallory").put("occurred_from", windowStart.toString())
                .put("occurred_to", windowEnd.toString()));
        ApiClient.Reply report = client.get("/api/v1/breaches/" + b.getString("id") + "/report", compliance);
        assertEquals(200, report.status(), report.toString());
        assertTrue(report.headers().get("content-type").startsWith("text/markdown"));
        String md = report.body().toString();
        assertTrue(md.startsWith("# Personal data breach: Supervisor session stolen\n"), md);
        assertTrue(md.contains("- Notification status: **open**"), md);
        assertTrue(md.contains("- Recordings reached: 1"), md);
        assertTrue(md.contains("| " + call.recordingId() + " | " + caller + " | 2 |"), md);
        assertTrue(md.contains("## Communication to the callers (Art. 34)"), md);
        assertEquals(1, h.rows("select 1 from audit_log where action = 'breaches.report' and target_id = $1",
                b.getString("id")).size());
        assertFalse(h.rows("select 1 from audit_log where action = 'breaches.account_access' "
                + "and outcome = 'allowed' and detail like '%mallory%'").isEmpty());
    }
}
