package org.consentrecorder.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.consentrecorder.config.Secret;
import org.consentrecorder.observability.MetricsAccess.Decision;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.Test;

/**
 * Who may read /metrics and /health/detail: loopback peers only by default, whoever sends the
 * token when CR_METRICS_TOKEN is set (on a server of its own here); /health/detail for the admin
 * role only, through the admin API's authentication and audit.
 */
class MetricsAccessTest {
    private static final String TOKEN = "5d0c4b7a9e8f1a2b3c4d5e6f7a8b9c0d";

    @Test
    void withoutAToken_loopbackPeersOnly() {
        MetricsAccess open = MetricsAccess.of(Optional.empty());
        for (String loopback : List.of("127.0.0.1", "127.8.9.10", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1")) {
            assertEquals(Decision.ALLOW, open.check(loopback, null), loopback);
        }
        for (String other : List.of("10.1.2.3", "192.168.1.5", "172.17.0.1", "fe80::1", "2001:db8::7", "localhost",
                "2130706433", "", "not an address")) {
            assertEquals(Decision.FORBIDDEN, open.check(other, null), other);
        }
        assertEquals(Decision.FORBIDDEN, open.check(null, "Bearer " + TOKEN), "a token means nothing when none is set");
    }

    @Test
    void withAToken_everyoneMustSendIt_loopbackToo() {
        MetricsAccess guarded = MetricsAccess.of(Optional.of(Secret.of(TOKEN)));
        assertTrue(guarded.tokenRequired());
        assertEquals(Decision.ALLOW, guarded.check("10.1.2.3", "Bearer " + TOKEN));
        assertEquals(Decision.ALLOW, guarded.check("127.0.0.1", "bearer  " + TOKEN + " "));
        assertEquals(Decision.UNAUTHORIZED, guarded.check("127.0.0.1", null));
        assertEquals(Decision.UNAUTHORIZED, guarded.check("10.1.2.3", "Bearer " + TOKEN.substring(1)));
        assertEquals(Decision.UNAUTHORIZED, guarded.check("10.1.2.3", "Basic " + TOKEN));
        assertEquals(Decision.UNAUTHORIZED, guarded.check("10.1.2.3", "Bearer"));
    }

    @Test
    void aServerOfItsOwnWithAToken_andHealthDetailForAdminsOnly() {
        try (AppHarness h = AppHarness.start(Map.of("CR_METRICS_PORT", "0", "CR_METRICS_TOKEN", TOKEN))) {
            int metrics = h.app.metricsPort();
            int api = h.app.httpPort();
            assertNotEquals(api, metrics);
            HttpResponse<String> refused = Http.get(metrics, "/metrics", null);
            assertEquals(401, refused.statusCode());
            assertEquals("Bearer realm=\"metrics\"", refused.headers().firstValue("www-authenticate").orElse(""));
            assertFalse(refused.body().contains("consent_recorder_"), "nothing served");
            assertEquals(401, Http.get(metrics, "/metrics", "not-the-token-" + TOKEN).statusCode());
            HttpResponse<String> ok = Http.get(metrics, "/metrics", TOKEN);
            assertEquals(200, ok.statusCode());
            assertEquals(MetricsEndpoint.CONTENT_TYPE, ok.headers().firstValue("content-type").orElse(""));
            assertEquals(1, Scrape.parse(ok.body()).value("consent_recorder_ari_connected"));
            assertEquals(404, Http.get(api, "/metrics", TOKEN).statusCode(), "not on the API's server as well");

            // /health/detail: the admin API's tokens and roles, audited
            assertEquals(401, Http.get(api, "/health/detail", null).statusCode());
            assertEquals(401, Http.get(api, "/health/detail", TOKEN).statusCode(), "the metrics token is not an API token");
            String admin = Http.login(api, AppHarness.ADMIN_USER, AppHarness.ADMIN_PASSWORD);
            h.operator("erin", "Compliance-secret-3141", "compliance");
            String compliance = Http.login(api, "erin", "Compliance-secret-3141");
            HttpResponse<String> denied = Http.get(api, "/health/detail", compliance);
            assertEquals(403, denied.statusCode(), denied.body());
            assertEquals("forbidden", new JsonObject(denied.body()).getString("error"));

            HttpResponse<String> detail = Http.get(api, "/health/detail", admin);
            assertEquals(200, detail.statusCode(), detail.body());
            JsonObject body = new JsonObject(detail.body());
            assertEquals("ok", body.getString("status"), body.encodePrettily());
            assertEquals(0, body.getJsonArray("problems").size());
            JsonObject ari = body.getJsonArray("ari").getJsonObject(0);
            assertEquals("connected", ari.getString("state"));
            assertEquals("consent-recorder", ari.getString("application"));
            assertFalse(detail.body().contains(org.consentrecorder.testing.ari.FakeAsterisk.PASSWORD), "no ARI secret");
            assertEquals("up", body.getJsonObject("database").getString("state"));
            assertEquals(0L, body.getJsonObject("archive").getJsonObject("backlog").getLong("finished"));
            assertEquals(0L, body.getJsonObject("calls").getLong("live"));
            assertEquals(0L, body.getLong("recorded_calls_without_evidence"));
            assertTrue(body.getJsonObject("retention").containsKey("interval"), body.encodePrettily());
            assertEquals(0L, body.getJsonObject("subject_requests").getJsonObject("overdue").getLong("erasure"));

            assertEquals(1, h.rows("select 1 from audit_log where action = 'health.detail' and outcome = 'allowed'").size());
            assertEquals(1, h.rows("select 1 from audit_log where action = 'health.detail' and outcome = 'denied'").size());
        }
    }
}
