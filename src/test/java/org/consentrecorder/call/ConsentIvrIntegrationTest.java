package org.consentrecorder.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.consentrecorder.testing.ari.FakeAsterisk.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The real application against the ARI double (real HTTP and WebSocket) and a real PostgreSQL,
 * one test per path of the consent IVR. Each asserts the ARI requests sent and the rows written.
 */
class ConsentIvrIntegrationTest {
    private static final Duration WAIT = AppHarness.WAIT;
    private AppHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    private List<String> requestLine(String channel) {
        return h.asterisk.requests().stream()
                .filter(r -> !r.path().startsWith("/ari/api-docs") && !r.path().equals("/ari/asterisk/info")
                        && !r.path().equals("/ari/applications/" + FakeAsterisk.USER) || r.method().equals("POST"))
                .map(r -> r.method() + " " + r.path().replace(channel, "{ch}").replaceAll("cr-[0-9a-f-]{36}", "{cr}"))
                .toList();
    }

    private Map<String, Object> decisionRow(String channel) {
        return h.awaitRows("select * from consent_decision where channel_id = $1", channel).get(0);
    }

    @Test
    void granted_thenRecordedThroughASnoopAndContinued() {
        h = AppHarness.start(Map.of());
        String ch = h.asterisk.placeCall("+15551230001");
        h.asterisk.awaitRequest("POST", "/ari/channels/.*/play", WAIT);
        h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/.*/play").size() == 2, WAIT);
        h.asterisk.pressDtmf(ch, '1');
        h.asterisk.awaitRequest("POST", "/ari/channels/.*/continue", WAIT);

        assertEquals(List.of(
                // the connection's, at its connect: only the event types the application acts on (EventFilter)
                "PUT /ari/applications/consent-recorder/eventFilter",
                "POST /ari/channels/{ch}/answer",
                "POST /ari/channels/{ch}/play",
                "POST /ari/channels/{ch}/play",
                "POST /ari/applications/consent-recorder/subscription",
                "POST /ari/channels/{ch}/snoop",
                "POST /ari/channels/{cr}-snoop/record",
                "POST /ari/channels/{ch}/variable",
                "POST /ari/channels/{ch}/variable",
                "POST /ari/channels/{ch}/variable",
                "POST /ari/channels/{ch}/continue"), requestLine(ch).stream()
                .filter(l -> !l.startsWith("GET") && !l.startsWith("DELETE /ari/playbacks")).toList());

        Request snoop = h.asterisk.requests("POST", "/ari/channels/.*/snoop").get(0);
        assertEquals("both", snoop.param("spy"));
        assertEquals(FakeAsterisk.USER, snoop.param("app"));
        Request record = h.asterisk.requests("POST", "/ari/channels/.*/record").get(0);
        assertEquals("wav", record.param("format"));
        assertEquals("fail", record.param("ifExists"));
        assertEquals("channel:" + ch, h.asterisk.requests("POST", "/ari/applications/.*/subscription").get(0).param("eventSource"));
        assertTrue(h.asterisk.requests("POST", "/ari/channels/.*/continue").get(0).query().isEmpty(),
                "by default the call continues at the next priority");

        Map<String, String> vars = h.asterisk.variables(ch);
        assertEquals("granted", vars.get("CONSENT_OUTCOME"));
        assertEquals("1", vars.get("CONSENT_RECORDING"));
        assertTrue(h.asterisk.location(ch).startsWith("dialplan:"));

        Map<String, Object> d = decisionRow(ch);
        assertEquals(vars.get("CONSENT_ID"), d.get("id").toString());
        assertEquals("granted", d.get("outcome"));
        assertEquals("consent", d.get("lawful_basis"));
        assertEquals("+15551230001", d.get("caller_number"));
        assertEquals("+15551230001", d.get("caller_subject"));
        assertEquals("Test Caller", d.get("caller_name"));
        assertEquals("100", d.get("dialled_number"));
        assertEquals(ch, d.get("linked_id"), "linkedid from ari.conf channelvars");
        assertEquals("1", d.get("keys_pressed"));
        assertEquals(1, d.get("attempts"));
        assertEquals("en", d.get("language"));
        assertEquals(FakeAsterisk.USER.equals("x") ? "" : "02:fc:00:00:00:01", d.get("asterisk_id"));
        OffsetDateTime noticeStarted = (OffsetDateTime) d.get("notice_started_at");
        OffsetDateTime decided = (OffsetDateTime) d.get("decided_at");
        assertNotNull(noticeStarted);
        assertTrue(decided.isAfter(noticeStarted));
        assertEquals(0, decided.getNano() % 1_000_000, "millisecond precision");
        String text = (String) h.rows("select notice_text from notice_version where version = $1",
                d.get("notice_version")).get(0).get("notice_text");
        assertTrue(text.contains("press 1"), "the evidence points at the words the caller heard");

        // the state row after continue is written just after the continue request: wait for it, not for an earlier one
        Map<String, Object> call = h.awaitRows("select * from call where channel_id = $1 and recording_state = 'recording' "
                + "and phase = 'in_dialplan'", ch).get(0);
        assertEquals("in_dialplan", call.get("phase"));
        h.awaitRows("select * from recording_timeline where call_id = $1 and change = 'started'", call.get("id"));

        h.asterisk.callerHangsUp(ch);
        h.awaitRows("select * from call where channel_id = $1 and ended_at is not null", ch);
        h.awaitNoLiveCalls();
        // on Asterisk, or already archived and deleted there (the archive may be quicker than this line)
        String name = "cr-" + call.get("id");
        assertTrue(h.asterisk.storedRecordings().contains(name) || h.asterisk.wasDeleted(name), name);
    }

    @Test
    void declined_thenNoSnoopNoRecordingAndTheCallContinues() {
        h = AppHarness.start(Map.of());
        String ch = h.asterisk.placeCall("+15551230002");
        h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/.*/play").size() == 2, WAIT);
        h.asterisk.pressDtmf(ch, '2');
        h.asterisk.awaitRequest("POST", "/ari/channels/.*/continue", WAIT);
        h.awaitNoLiveCalls();
        assertTrue(h.asterisk.requests("POST", ".*/snoop").isEmpty());
        assertTrue(h.asterisk.requests("POST", ".*/record").isEmpty());
        assertTrue(h.asterisk.requests("POST", ".*/subscription").isEmpty());
        assertEquals("declined", h.asterisk.variables(ch).get("CONSENT_OUTCOME"));
        assertEquals("0", h.asterisk.variables(ch).get("CONSENT_RECORDING"));
        assertEquals("declined", decisionRow(ch).get("outcome"));
    }

    @Test
    void invalidKeyThenGranted_thenTheInvalidPromptPlaysAndBothKeysAreEvidence() {
        h = AppHarness.start(Map.of());
        String ch = h.asterisk.placeCall("+15551230003");
        h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/.*/play").size() == 2, WAIT);
        h.asterisk.pressDtmf(ch, '5');
        h.asterisk.await("the invalid prompt", () -> h.asterisk.requests("POST", "/ari/channels/.*/play").stream()
                .anyMatch(r -> r.param("media").equals("sound:consent-recorder/invalid-choice")), WAIT);
        h.asterisk.await("the choice again", () -> h.asterisk.requests("POST", "/ari/channels/.*/play").size() == 4, WAIT);
        h.asterisk.pressDtmf(ch, '1');
        h.asterisk.awaitRequest("POST", "/ari/channels/.*/continue", WAIT);
        Map<String, Object> d = decisionRow(ch);
        assertEquals("granted", d.get("outcome"));
        assertEquals("51", d.get("keys_pressed"));
        assertEquals(2, d.get("attempts"));
    }

    @Test
    void noResponse_afterEveryAttempt_thenNotRecorded() {
        h = AppHarness.start(Map.of("CR_IVR_TIMEOUT", "1s", "CR_IVR_ATTEMPTS", "2"));
        String ch = h.asterisk.placeCall("+15551230004");
        h.asterisk.awaitRequest("POST", "/ari/channels/.*/continue", Duration.ofSeconds(15));
        Map<String, Object> d = decisionRow(ch);
        assertEquals("no_response", d.get("outcome"));
        assertEquals(3, d.get("attempts"));
        // notice, choice, choice again
        assertEquals(3, h.asterisk.requests("POST", "/ari/channels/.*/play").size());
        assertTrue(h.asterisk.requests("POST", ".*/snoop").isEmpty(), "silence is not consent");
        assertEquals("no_response", h.asterisk.variables(ch).get("CONSENT_OUTCOME"));
    }

    @Test
    void hangupDuringTheNotice_thenAbandonedAndNothingMoreIsSent() {
        h = AppHarness.start(Map.of());
        h.asterisk.playbackDuration("sound:consent-recorder/notice-consent", Duration.ofSeconds(30));
        String ch = h.asterisk.placeCall("+15551230005");
        h.asterisk.awaitRequest("POST", "/ari/channels/.*/play", WAIT);
        h.asterisk.callerHangsUp(ch);
        Map<String, Object> d = decisionRow(ch);
        assertEquals("abandoned", d.get("outcome"));
        h.awaitNoLiveCalls();
        assertTrue(h.asterisk.requests("POST", ".*/continue").isEmpty());
        assertTrue(h.asterisk.requests("POST", ".*/variable").isEmpty());
        h.awaitRows("select * from call where channel_id = $1 and ended_at is not null", ch);
    }

    @Test
    void bargeIn_aKeyDuringTheNoticeStopsItBeforeTheCallContinues() {
        h = AppHarness.start(Map.of());
        h.asterisk.playbackDuration("sound:consent-recorder/notice-consent", Duration.ofSeconds(30));
        String ch = h.asterisk.placeCall("+15551230006");
        h.asterisk.awaitRequest("POST", "/ari/channels/.*/play", WAIT);
        h.asterisk.pressDtmf(ch, '1');
        h.asterisk.awaitRequest("POST", "/ari/channels/.*/continue", WAIT);
        List<Request> all = h.asterisk.requests();
        int stop = indexOf(all, "DELETE", "/ari/playbacks/.*");
        int cont = indexOf(all, "POST", "/ari/channels/.*/continue");
        assertTrue(stop >= 0 && stop < cont, "the prompt is stopped before continue: " + all);
        // with the prompt stopped, the channel really left Stasis (the double holds continue behind a playback)
        h.asterisk.await("the call in the dialplan", () -> h.asterisk.location(ch).startsWith("dialplan:"), WAIT);
        Map<String, Object> d = decisionRow(ch);
        assertEquals("granted", d.get("outcome"));
        assertEquals(false, d.get("notice_completed"));
    }

    @Test
    void legitimateInterest_silenceIsRecordedAndTheBasisIsEvidence() {
        h = AppHarness.start(Map.of("CR_LAWFUL_BASIS", "legitimate_interest", "CR_IVR_ATTEMPTS", "1"));
        String ch = h.asterisk.placeCall("+15551230007");
        h.asterisk.awaitRequest("POST", "/ari/channels/.*/continue", Duration.ofSeconds(15));
        Map<String, Object> d = decisionRow(ch);
        assertEquals("no_response", d.get("outcome"));
        assertEquals("legitimate_interest", d.get("lawful_basis"));
        assertEquals(1, h.asterisk.requests("POST", ".*/snoop").size());
        assertEquals("sound:consent-recorder/notice-li", h.asterisk.requests("POST", "/ari/channels/.*/play").get(0).param("media"));
        assertEquals("1", h.asterisk.variables(ch).get("CONSENT_RECORDING"));
    }

    @Test
    void legitimateInterest_anObjectionIsNotRecorded() {
        h = AppHarness.start(Map.of("CR_LAWFUL_BASIS", "legitimate_interest"));
        String ch = h.asterisk.placeCall("+15551230008");
        h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/.*/play").size() == 2, WAIT);
        h.asterisk.pressDtmf(ch, '2');
        h.asterisk.awaitRequest("POST", "/ari/channels/.*/continue", WAIT);
        assertEquals("opted_out", decisionRow(ch).get("outcome"));
        assertTrue(h.asterisk.requests("POST", ".*/snoop").isEmpty());
    }

    @Test
    void secondLanguage_theGermanNoticeSetIsPlayedAndRecorded() {
        h = AppHarness.start(Map.of());
        String ch = h.asterisk.placeCall(FakeAsterisk.USER, "+4930555", "Kunde", "101", "de");
        h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/.*/play").size() == 2, WAIT);
        assertEquals("de", h.asterisk.requests("POST", "/ari/channels/.*/play").get(0).param("lang"));
        h.asterisk.pressDtmf(ch, '1');
        h.asterisk.awaitRequest("POST", "/ari/channels/.*/continue", WAIT);
        Map<String, Object> d = decisionRow(ch);
        assertEquals("de", d.get("notice_set"));
        assertEquals("de", d.get("language"));
        String text = (String) h.rows("select notice_text from notice_version where version = $1",
                d.get("notice_version")).get(0).get("notice_text");
        assertTrue(text.contains("1"), text);
        assertFalse(text.contains("press 1"), "the German words, not the English ones");
    }

    private static int indexOf(List<Request> all, String method, String regex) {
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).method().equals(method) && all.get(i).path().matches(regex)) {
                return i;
            }
        }
        return -1;
    }
}
