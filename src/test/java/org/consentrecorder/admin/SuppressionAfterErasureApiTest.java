package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An objection survives erasure (issue 18): a caller who withdrew and was then erased is not recorded
 * when they call again, although no table holds their number any more; only a keyed hash on the
 * suppression list recognises them. End to end: real calls through the ARI double, the erasure through
 * the API, a real PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SuppressionAfterErasureApiTest {
    private static final java.time.Duration WAIT = AppHarness.WAIT;
    private AppHarness h;
    private ApiClient client;
    private String compliance;

    @BeforeAll
    void start() {
        h = AppHarness.start(Map.of());
        client = new ApiClient(h.app.httpPort());
        String admin = ApiTestSupport.adminToken(client);
        compliance = ApiTestSupport.tokenFor(h, client, admin, "sue", "compliance");
    }

    @AfterAll
    void stop() {
        client.close();
        h.close();
    }

    private List<String> tablesMentioning(String digits) {
        List<String> found = new ArrayList<>();
        for (Map<String, Object> t : h.rows("select table_name from information_schema.tables "
                + "where table_schema = 'public' and table_type = 'BASE TABLE' order by 1")) {
            String name = (String) t.get("table_name");
            long n = (long) h.rows("select count(*) as n from public." + name + " x where x::text like $1",
                    "%" + digits + "%").get(0).get("n");
            if (n > 0) {
                found.add(name);
            }
        }
        return found;
    }

    private List<String> plays(String channel) {
        return h.asterisk.requests("POST", "/ari/channels/" + channel.replace(".", "\\.") + "/play").stream()
                .map(r -> r.param("media")).toList();
    }

    /** A call the caller allows to be recorded; it is left in the dialplan. */
    private String grantedCall(String caller) {
        String ch = h.asterisk.placeCall(caller);
        h.asterisk.await("the choice prompt", () -> plays(ch).size() >= 2, WAIT);
        h.asterisk.pressDtmf(ch, '1');
        h.asterisk.await("the call in the dialplan", () -> h.asterisk.location(ch).startsWith("dialplan:"), WAIT);
        assertEquals("1", h.asterisk.variables(ch).get("CONSENT_RECORDING"));
        return ch;
    }

    private void hangUp(String ch) {
        h.asterisk.callerHangsUp(ch);
        h.awaitNoLiveCalls();
    }

    private JsonObject erase(String caller) {
        String requestId = PrivacyTestSupport.requestFor(client, compliance, "erasure", caller);
        ApiClient.Reply r = client.post("/api/v1/privacy/requests/" + requestId + "/erase", compliance, null);
        assertEquals(200, r.status(), r.toString());
        assertEquals("completed", r.json().getString("status"), r.json().encodePrettily());
        return r.json();
    }

    @Test
    void aCallerWhoWithdrewAndWasErased_isNotRecordedAgain_withoutTheirNumberInTheDatabase() {
        String caller = "+15557770001";
        String digits = "5557770001";
        // the caller allows recording, then withdraws mid-call (*9): "do not record" is on file
        String first = grantedCall(caller);
        h.asterisk.pressDtmf(first, '*');
        h.asterisk.pressDtmf(first, '9');
        h.awaitRows("select 1 from subject_preference where subject = $1 and preference = 'do_not_record'", caller);
        hangUp(first);

        JsonObject done = erase(caller);
        JsonObject result = done.getJsonObject("result");
        assertTrue(result.getBoolean("suppression_listed"), result.encodePrettily());
        assertEquals("do_not_record", result.getString("suppression_reason"));
        assertEquals(List.of(), tablesMentioning(digits), "the erasure left no number anywhere");
        List<Map<String, Object>> listed = h.rows("select digest, reason from caller_suppression");
        assertEquals(1, listed.size());
        String digest = (String) listed.get(0).get("digest");
        assertEquals(h.app.subjectKeys().suppressionDigest(caller), digest, "the keyed hash of the normalized number");
        assertTrue(h.rows("select 1 from subject_preference where preference = 'do_not_record' and subject like $1",
                "%" + digits + "%").isEmpty(), "the preference itself no longer names the caller");

        // the caller calls again (dialled in another notation): told it is not recorded, never snooped
        int snoopsBefore = h.asterisk.requests("POST", ".*/snoop").size();
        String again = h.asterisk.placeCall("+1 555 777 0001");
        h.asterisk.await("the call continues", () -> h.asterisk.location(again).startsWith("dialplan:"), WAIT);
        assertEquals(List.of("sound:consent-recorder/not-recorded"), plays(again));
        assertEquals("do_not_record", h.asterisk.variables(again).get("CONSENT_OUTCOME"));
        assertEquals("0", h.asterisk.variables(again).get("CONSENT_RECORDING"));
        assertEquals(snoopsBefore, h.asterisk.requests("POST", ".*/snoop").size(), "never snooped");
        hangUp(again);
        // the suppression list still holds the hash only; the number is back only in this new call's own
        // evidence (the call and its decision), which a new erasure request would remove
        assertEquals(List.of(digest), h.rows("select digest from caller_suppression").stream()
                .map(r -> (String) r.get("digest")).toList());
        assertEquals(List.of("call", "consent_decision"), tablesMentioning(digits));
    }

    @Test
    void aCallerWhoNeverRefused_isAskedAgainAfterErasure_andAGrantOfTheirOwnAccordLiftsTheSuppression() {
        String willing = "+15557770002";
        hangUp(grantedCall(willing));
        JsonObject result = erase(willing).getJsonObject("result");
        assertFalse(result.getBoolean("suppression_listed"), result.encodePrettily());
        String digestWilling = h.app.subjectKeys().suppressionDigest(willing);
        assertTrue(h.rows("select 1 from caller_suppression where digest = $1", digestWilling).isEmpty());
        hangUp(grantedCall(willing));

        // a withdrawal through the API (e.g. by email), then erasure: suppressed; pressing 1 during the
        // "not recorded" notice is the caller allowing recording again of their own accord
        String changed = "+15557770003";
        assertEquals(200, client.post("/api/v1/consent/withdraw", compliance,
                new JsonObject().put("caller", changed)).status());
        assertEquals("do_not_record", erase(changed).getJsonObject("result").getString("suppression_reason"));
        String digest = h.app.subjectKeys().suppressionDigest(changed);
        assertEquals(1, h.rows("select 1 from caller_suppression where digest = $1", digest).size());
        h.asterisk.playbackDuration("sound:consent-recorder/not-recorded", java.time.Duration.ofSeconds(5));
        try {
            String ch = h.asterisk.placeCall(changed);
            h.asterisk.await("the not-recorded notice", () -> !plays(ch).isEmpty(), WAIT);
            assertEquals(List.of("sound:consent-recorder/not-recorded"), plays(ch));
            h.asterisk.pressDtmf(ch, '1');
            h.asterisk.await("recorded again", () -> h.asterisk.location(ch).startsWith("dialplan:"), WAIT);
            assertEquals("1", h.asterisk.variables(ch).get("CONSENT_RECORDING"));
            hangUp(ch);
        } finally {
            h.asterisk.playbackDuration("sound:consent-recorder/not-recorded", java.time.Duration.ofMillis(200));
        }
        assertTrue(h.rows("select 1 from caller_suppression where digest = $1", digest).isEmpty(),
                "the caller's own grant lifted the suppression");
    }
}
