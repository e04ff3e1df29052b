package org.consentrecorder.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.consentrecorder.call.CallRegistry.ControlResult;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.CapturedLogs;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.consentrecorder.testing.ari.FakeAsterisk.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Consent-gated recording against the ARI double and PostgreSQL: the exact ARI requests for
 * snoop, record, pause, resume, stop and discard, their order, the timeline rows, the fail-closed
 * path, both pause styles, withdrawal, teardown, strays and take-over after a restart.
 */
class RecordingIntegrationTest {
    private static final Duration WAIT = AppHarness.WAIT;
    private AppHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    /** A granted call, recorded, now in the dialplan. */
    private record Recorded(String channel, String recording, String snoop, UUID callId) {
    }

    private Recorded recordedCall(String caller) {
        String ch = h.asterisk.placeCall(caller);
        String esc = ch.replace(".", "\\.");
        h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/" + esc + "/play").size() >= 2, WAIT);
        h.asterisk.pressDtmf(ch, '1');
        h.asterisk.await("the call in the dialplan", () -> h.asterisk.location(ch).startsWith("dialplan:"), WAIT);
        Request record = h.asterisk.requests("POST", "/ari/channels/.*/record").stream()
                .filter(r -> r.path().contains(ch) || true).reduce((a, b) -> b).orElseThrow();
        String name = record.param("name");
        UUID callId = UUID.fromString(name.substring(3));
        h.awaitRows("select 1 from call where id = $1 and phase = 'in_dialplan'", callId);
        return new Recorded(ch, name, name + "-snoop", callId);
    }

    /** The recorded file: on Asterisk, or (once the archive verified its encrypted copy) as Asterisk had it. */
    private byte[] recordedBytes(String recording) {
        h.asterisk.await("the recorded file", () -> h.asterisk.storedBytes(recording) != null
                || h.asterisk.deletedBytes(recording) != null, WAIT);
        byte[] stored = h.asterisk.storedBytes(recording);
        return stored != null ? stored : h.asterisk.deletedBytes(recording);
    }

    private List<Map<String, Object>> timeline(UUID callId) {
        return h.rows("select * from recording_timeline where call_id = $1 order by id", callId);
    }

    private void awaitTimeline(UUID callId, String change) {
        h.awaitRows("select 1 from recording_timeline where call_id = $1 and change = $2", callId, change);
    }

    @Test
    void dtmfPauseAndResume_silenceStyleMutesAndUnmutes() {
        h = AppHarness.start(Map.of("CR_PAUSE_STYLE", "silence"));
        Recorded c = recordedCall("+15551230301");
        h.asterisk.pressDtmf(c.channel(), '*');
        h.asterisk.pressDtmf(c.channel(), '7');
        h.asterisk.awaitRequest("POST", "/ari/recordings/live/" + c.recording() + "/mute", WAIT);
        assertEquals("muted", h.asterisk.liveState(c.recording()));
        awaitTimeline(c.callId(), "paused");
        h.awaitRows("select 1 from call where id = $1 and paused", c.callId());
        h.asterisk.pressDtmf(c.channel(), '*');
        h.asterisk.pressDtmf(c.channel(), '8');
        h.asterisk.awaitRequest("DELETE", "/ari/recordings/live/" + c.recording() + "/mute", WAIT);
        awaitTimeline(c.callId(), "resumed");
        List<Map<String, Object>> rows = timeline(c.callId());
        assertEquals(List.of("started", "paused", "resumed"), rows.stream().map(r -> r.get("change")).toList());
        Map<String, Object> paused = rows.get(1);
        assertEquals("dtmf_sequence", paused.get("trigger_kind"));
        assertEquals("silence", paused.get("pause_style"));
        assertNotNull(paused.get("accepted_at"));
        assertTrue(((Number) rows.get(2).get("offset_ms")).longValue() >= ((Number) paused.get("offset_ms")).longValue());
        assertTrue(h.asterisk.requests("POST", "/ari/recordings/live/.*/pause").isEmpty(), "the first pause is not cut");
    }

    @Test
    void silenceStyle_aSecondPaymentInTheSameRecordingIsCutBecauseOldAsteriskIgnoresASecondMute() throws Exception {
        h = AppHarness.start(Map.of("CR_PAUSE_STYLE", "silence"));
        h.asterisk.emulateLegacyMuteBug(true);
        Recorded c = recordedCall("+15551230317");
        h.asterisk.userEvent(c.channel(), "PaymentStart");
        h.asterisk.awaitRequest("POST", "/ari/recordings/live/" + c.recording() + "/mute", WAIT);
        h.asterisk.userEvent(c.channel(), "PaymentEnd");
        h.asterisk.awaitRequest("DELETE", "/ari/recordings/live/" + c.recording() + "/mute", WAIT);
        awaitTimeline(c.callId(), "resumed");

        h.asterisk.userEvent(c.channel(), "PaymentStart");
        h.asterisk.awaitRequest("POST", "/ari/recordings/live/" + c.recording() + "/pause", WAIT);
        // the card digits of the second payment: Asterisk is not writing them
        assertEquals("paused", h.asterisk.liveState(c.recording()));
        assertEquals(1, h.asterisk.requests("POST", "/ari/recordings/live/.*/mute").size(), "never a second mute");
        Thread.sleep(500);
        h.asterisk.userEvent(c.channel(), "PaymentEnd");
        h.asterisk.awaitRequest("DELETE", "/ari/recordings/live/" + c.recording() + "/pause", WAIT);
        h.awaitRows("select 1 from recording_timeline where call_id = $1 and change = 'resumed' "
                + "and pause_style = 'skip'", c.callId());
        Thread.sleep(200);
        h.asterisk.callerHangsUp(c.channel());
        h.awaitRows("select 1 from recording_timeline where call_id = $1 and change = 'ended'", c.callId());
        List<Map<String, Object>> rows = timeline(c.callId());
        assertEquals(List.of("silence", "silence", "skip", "skip"),
                rows.subList(1, 5).stream().map(r -> r.get("pause_style")).toList());
        byte[] wav = recordedBytes(c.recording());
        long fileMs = (wav.length - 44) / 16;
        long endedOffset = ((Number) rows.get(5).get("offset_ms")).longValue();
        assertTrue(Math.abs(fileMs - endedOffset) < 200, "offsets are file time: file " + fileMs + " ms, end " + endedOffset);
    }

    @Test
    void userEventPauseAndResume_skipStylePausesAndTheFileIsShorter() throws Exception {
        h = AppHarness.start(Map.of("CR_PAUSE_STYLE", "skip"));
        Recorded c = recordedCall("+15551230302");
        Thread.sleep(300);
        h.asterisk.userEvent(c.channel(), "PaymentStart");
        h.asterisk.awaitRequest("POST", "/ari/recordings/live/" + c.recording() + "/pause", WAIT);
        Thread.sleep(1000);
        h.asterisk.userEvent(c.channel(), "PaymentEnd");
        h.asterisk.awaitRequest("DELETE", "/ari/recordings/live/" + c.recording() + "/pause", WAIT);
        awaitTimeline(c.callId(), "resumed");
        List<Map<String, Object>> rows = timeline(c.callId());
        assertEquals("user_event", rows.get(1).get("trigger_kind"));
        assertEquals("PaymentStart", rows.get(1).get("trigger_detail"));
        long pausedAt = ((Number) rows.get(1).get("offset_ms")).longValue();
        long resumedAt = ((Number) rows.get(2).get("offset_ms")).longValue();
        assertTrue(Math.abs(resumedAt - pausedAt) < 150, "skip: the paused second is not in the file, " + rows);
        Thread.sleep(300);
        h.asterisk.callerHangsUp(c.channel());
        h.awaitRows("select 1 from call where id = $1 and ended_at is not null", c.callId());
        byte[] wav = recordedBytes(c.recording());
        long fileMs = (wav.length - 44) / 16;
        h.awaitRows("select 1 from recording_timeline where call_id = $1 and change = 'ended'", c.callId());
        long endedOffset = ((Number) h.rows("select offset_ms from recording_timeline where call_id = $1 and change = 'ended'",
                c.callId()).get(0).get("offset_ms")).longValue();
        assertTrue(Math.abs(fileMs - endedOffset) < 200, "offsets are file time: file " + fileMs + " ms, end " + endedOffset);
    }

    @Test
    void apiControl_pauseResumeAnswerOnceAsteriskAccepted() throws Exception {
        h = AppHarness.start(Map.of());
        Recorded c = recordedCall("+15551230303");
        ControlResult paused = await(h.app.calls().control(c.callId(), ControlAction.PAUSE, "agent-desktop-7"));
        assertEquals("paused", paused.status().wire());
        assertEquals("already_paused", await(h.app.calls().control(c.callId(), ControlAction.PAUSE, "x")).status().wire());
        assertEquals("recording", await(h.app.calls().control(c.callId(), ControlAction.RESUME, "agent-desktop-7")).status().wire());
        assertEquals("not_found", await(h.app.calls().control(UUID.randomUUID(), ControlAction.PAUSE, "x")).status().wire());
        awaitTimeline(c.callId(), "resumed");
        List<Map<String, Object>> rows = timeline(c.callId());
        assertEquals("api", rows.get(1).get("trigger_kind"));
        assertEquals("agent-desktop-7", rows.get(1).get("trigger_detail"));
    }

    @Test
    void failClosed_aPauseAnsweredTooLateStopsTheRecordingAndHangsUpTheSnoop() throws Exception {
        h = AppHarness.start(Map.of("CR_PAUSE_DEADLINE", "300ms"));
        Recorded c = recordedCall("+15551230304");
        h.asterisk.delay("POST", "/ari/recordings/live/.*/pause", Duration.ofMillis(1500), 1);
        ControlResult r = await(h.app.calls().control(c.callId(), ControlAction.PAUSE, "payment-system"));
        assertEquals("pause_failed_recording_stopped", r.status().wire());
        h.asterisk.awaitRequest("POST", "/ari/recordings/live/" + c.recording() + "/stop", WAIT);
        h.asterisk.awaitRequest("DELETE", "/ari/channels/" + c.snoop(), WAIT);
        awaitTimeline(c.callId(), "pause_failed_stopped");
        Map<String, Object> row = timeline(c.callId()).get(1);
        assertNull(row.get("accepted_at"), "Asterisk never accepted this pause");
        assertFalse(h.asterisk.liveRecordings().contains(c.recording()), "nothing records any more");
        h.awaitRows("select 1 from call where id = $1 and recording_state = 'stopped'", c.callId());
    }

    @Test
    void failClosed_aPauseRefusedStopsTheRecording() throws Exception {
        h = AppHarness.start(Map.of());
        Recorded c = recordedCall("+15551230305");
        h.asterisk.fail("POST", "/ari/recordings/live/.*/pause", 500, "Internal Server Error", 1);
        h.asterisk.userEvent(c.channel(), "PaymentStart");
        h.asterisk.awaitRequest("POST", "/ari/recordings/live/" + c.recording() + "/stop", WAIT);
        awaitTimeline(c.callId(), "pause_failed_stopped");
    }

    @Test
    void aFailedResumeLeavesTheRecordingPausedAndSaysSo() throws Exception {
        h = AppHarness.start(Map.of("CR_PAUSE_STYLE", "skip"));
        Recorded c = recordedCall("+15551230306");
        assertEquals("paused", await(h.app.calls().control(c.callId(), ControlAction.PAUSE, "x")).status().wire());
        h.asterisk.fail("DELETE", "/ari/recordings/live/.*/pause", 409, "Recording not in session", 1);
        assertEquals("resume_failed_still_paused", await(h.app.calls().control(c.callId(), ControlAction.RESUME, "x")).status().wire());
        assertEquals("paused", h.asterisk.liveState(c.recording()));
        awaitTimeline(c.callId(), "resume_failed");
        assertTrue(h.asterisk.requests("POST", "/ari/recordings/live/.*/stop").isEmpty());
    }

    @Test
    void digitsWhilePausedNeverReachLogsOrRows() {
        try (CapturedLogs logs = CapturedLogs.everything(ch.qos.logback.classic.Level.DEBUG)) {
            h = AppHarness.start(Map.of());
            Recorded c = recordedCall("+15551230307");
            h.asterisk.userEvent(c.channel(), "PaymentStart");
            awaitTimeline(c.callId(), "paused");
            for (char d : "4111111111111111".toCharArray()) {
                h.asterisk.pressDtmf(c.channel(), d);
            }
            for (char d : "90817263".toCharArray()) {
                h.asterisk.pressDtmf(c.channel(), d);
            }
            h.asterisk.await("the digits to arrive", () -> h.asterisk.sentEvents().stream()
                    .filter(e -> e.type().equals("ChannelDtmfReceived")).count() >= 24, WAIT);
            h.asterisk.userEvent(c.channel(), "PaymentEnd");
            awaitTimeline(c.callId(), "resumed");
            h.asterisk.callerHangsUp(c.channel());
            h.awaitRows("select 1 from call where id = $1 and ended_at is not null", c.callId());
            for (ILoggingEvent e : logs.events()) {
                String line = e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage());
                assertFalse(line.contains("411111") || line.contains("90817263"), "digits in a log line: " + line);
            }
            String dump = h.rows("select string_agg(t::text, '|') as all from recording_timeline t").get(0).get("all")
                    + "|" + h.rows("select string_agg(c::text, '|') as all from call c").get(0).get("all")
                    + "|" + h.rows("select string_agg(d::text, '|') as all from consent_decision d").get(0).get("all");
            assertFalse(dump.contains("411111") || dump.contains("90817263"), "digits in a row: " + dump);
        }
    }

    @Test
    void burstOfDigits_pausesAutomatically() {
        h = AppHarness.start(Map.of());
        Recorded c = recordedCall("+15551230308");
        for (char d : "4929".toCharArray()) {
            h.asterisk.pressDtmf(c.channel(), d);
        }
        h.asterisk.awaitRequest("POST", "/ari/recordings/live/" + c.recording() + "/pause", WAIT);
        awaitTimeline(c.callId(), "paused");
        assertEquals("dtmf_burst", timeline(c.callId()).get(1).get("trigger_kind"));
    }

    @Test
    void anAriOutagePausesLiveRecordingsUntilAnExplicitResume() throws Exception {
        h = AppHarness.start(Map.of());
        Recorded c = recordedCall("+15551230316");
        // triggers raised while the event WebSocket is down are lost for good (ws-reconnect.jsonl):
        // a payment could start unseen, so the recording is paused at once, over REST
        h.asterisk.dropWebSockets();
        h.asterisk.awaitRequest("POST", "/ari/recordings/live/" + c.recording() + "/pause", WAIT);
        awaitTimeline(c.callId(), "paused");
        assertEquals("ari_outage", timeline(c.callId()).get(1).get("trigger_kind"));
        h.asterisk.await("reconnected", () -> h.app.ari().connected(), WAIT);
        Thread.sleep(300);
        assertTrue(h.asterisk.requests("DELETE", "/ari/recordings/live/.*/pause").isEmpty(), "no resume by itself");
        h.asterisk.userEvent(c.channel(), "PaymentEnd");
        h.asterisk.awaitRequest("DELETE", "/ari/recordings/live/" + c.recording() + "/pause", WAIT);
        awaitTimeline(c.callId(), "resumed");
    }

    @Test
    void snoopFailure_theCallContinuesUnrecordedAndNoRecordIsRequested() {
        h = AppHarness.start(Map.of());
        h.asterisk.fail("POST", "/ari/channels/[^/]+/snoop", 500, "Allocation failed", 1);
        String ch = h.asterisk.placeCall("+15551230309");
        h.asterisk.await("prompts", () -> h.asterisk.requests("POST", "/ari/channels/.*/play").size() >= 2, WAIT);
        h.asterisk.pressDtmf(ch, '1');
        h.asterisk.await("continue", () -> h.asterisk.location(ch).startsWith("dialplan:"), WAIT);
        assertTrue(h.asterisk.requests("POST", "/ari/channels/.*/record").isEmpty());
        assertEquals("0", h.asterisk.variables(ch).get("CONSENT_RECORDING"));
        assertEquals("granted", h.asterisk.variables(ch).get("CONSENT_OUTCOME"));
        h.awaitRows("select 1 from call where channel_id = $1 and recording_state = 'failed'", ch);
    }

    @Test
    void aSlowSnoopIsWaitedForBeforeRecording() {
        h = AppHarness.start(Map.of());
        h.asterisk.snoopStasisDelay(Duration.ofMillis(400));
        Recorded c = recordedCall("+15551230310");
        Request record = h.asterisk.requests("POST", "/ari/channels/.*/record").get(0);
        assertEquals(201, record.status(), "no 409 'Channel not in Stasis application'");
        long snoopStart = h.asterisk.sentEvents().stream()
                .filter(e -> e.type().equals("StasisStart") && e.json().getJsonObject("channel").getString("id").equals(c.snoop()))
                .findFirst().orElseThrow().atNanos();
        assertTrue(record.atNanos() > snoopStart);
    }

    @Test
    void withdrawal_discardsTheRecordingAndTheNextCallIsNotAsked() {
        h = AppHarness.start(Map.of());
        Recorded c = recordedCall("+15551230311");
        h.asterisk.pressDtmf(c.channel(), '*');
        h.asterisk.pressDtmf(c.channel(), '9');
        h.asterisk.awaitRequest("DELETE", "/ari/recordings/live/" + c.recording(), WAIT);
        h.asterisk.awaitRequest("DELETE", "/ari/recordings/stored/" + c.recording(), WAIT);
        h.asterisk.awaitRequest("DELETE", "/ari/channels/" + c.snoop(), WAIT);
        assertFalse(h.asterisk.storedRecordings().contains(c.recording()), "no copy left on Asterisk");
        Map<String, Object> withdrawn = h.awaitRows(
                "select * from consent_decision where call_id = $1 and outcome = 'withdrawn'", c.callId()).get(0);
        assertNotNull(withdrawn.get("supersedes"));
        assertEquals("caller", withdrawn.get("decided_by"));
        h.awaitRows("select 1 from subject_preference where subject = '+15551230311' and preference = 'do_not_record'");
        awaitTimeline(c.callId(), "withdrawn_discarded");
        h.awaitRows("select 1 from call where id = $1 and recording_state = 'discarded'", c.callId());

        h.asterisk.callerHangsUp(c.channel());
        h.awaitNoLiveCalls();
        int snoopsBefore = h.asterisk.requests("POST", ".*/snoop").size();
        String next = h.asterisk.placeCall("+15551230311");
        h.asterisk.await("the next call continues", () -> h.asterisk.location(next).startsWith("dialplan:"), WAIT);
        List<Request> plays = h.asterisk.requests("POST", "/ari/channels/" + next.replace(".", "\\.") + "/play");
        assertEquals(List.of("sound:consent-recorder/not-recorded"), plays.stream().map(r -> r.param("media")).toList());
        assertEquals("do_not_record", h.asterisk.variables(next).get("CONSENT_OUTCOME"));
        assertEquals(snoopsBefore, h.asterisk.requests("POST", ".*/snoop").size(), "never snooped");

        // on a later call the caller may allow recording again, of their own accord
        h.asterisk.callerHangsUp(next);
        h.awaitNoLiveCalls();
        h.asterisk.playbackDuration("sound:consent-recorder/not-recorded", Duration.ofSeconds(5));
        String third = h.asterisk.placeCall("+15551230311");
        h.asterisk.await("the not-recorded notice", () -> !h.asterisk.requests("POST", "/ari/channels/"
                + third.replace(".", "\\.") + "/play").isEmpty(), WAIT);
        h.asterisk.pressDtmf(third, '1');
        h.asterisk.await("recorded again", () -> h.asterisk.location(third).startsWith("dialplan:"), WAIT);
        assertEquals("1", h.asterisk.variables(third).get("CONSENT_RECORDING"));
        h.awaitRows("select 1 from subject_preference where subject = '+15551230311' and preference = 'granted'");
    }

    @Test
    void teardown_aHangupEndsTheRecordingAndLeavesNothingLive() {
        h = AppHarness.start(Map.of());
        Recorded c = recordedCall("+15551230312");
        h.asterisk.callerHangsUp(c.channel());
        awaitTimeline(c.callId(), "ended");
        h.awaitRows("select 1 from call where id = $1 and ended_at is not null and recording_state = 'ended'", c.callId());
        h.awaitNoLiveCalls();
        assertTrue(h.asterisk.liveRecordings().isEmpty());
        assertFalse(h.asterisk.channelIds().contains(c.snoop()));
        // kept: still on Asterisk, or already archived (the archive deletes Asterisk's copy once verified)
        assertTrue(h.asterisk.storedRecordings().contains(c.recording())
                || !h.rows("select 1 from recording where name = $1 and state = 'archived'", c.recording()).isEmpty());
    }

    @Test
    void sweep_endsASnoopNoLiveCallOwns() throws Exception {
        h = AppHarness.start(Map.of());
        String ch = h.asterisk.placeCall("+15551230313");
        String stray = "cr-" + UUID.randomUUID() + "-snoop";
        h.asterisk.createSnoop(ch, stray);
        h.asterisk.await("the stray in Stasis", () -> h.asterisk.channelIds().contains(stray), WAIT);
        int ended = await(h.app.calls().registry("default").orElseThrow().recovery()
                .sweep(h.app.ari().client()));
        assertEquals(1, ended);
        h.asterisk.awaitRequest("DELETE", "/ari/channels/" + stray, WAIT);
        assertFalse(h.asterisk.channelIds().contains(stray));
    }

    @ParameterizedTest
    @CsvSource({"skip, /pause", "silence, /mute"})
    void takeover_aRestartedAppAdoptsAPausedRecordingAndResumesIt(String style, String verb) throws Exception {
        h = AppHarness.start(Map.of("CR_PAUSE_STYLE", style));
        Recorded c = recordedCall("+15551230314");
        assertEquals("paused", await(h.app.calls().control(c.callId(), ControlAction.PAUSE, "x")).status().wire());
        h.awaitRows("select 1 from call where id = $1 and paused", c.callId());
        h.awaitRows("select 1 from call where id = $1 and core_state->'recording'->>'state' = 'paused'", c.callId());
        h = h.restartApp(Map.of());
        h.asterisk.await("the call adopted", () -> h.app.calls().liveCount() == 1, WAIT);
        // the pause is re-asserted on take-over, the way it was made (harmless if Asterisk is still paused)
        h.asterisk.await("the re-asserted pause", () -> h.asterisk.requests("POST",
                "/ari/recordings/live/" + c.recording() + verb).size() == 2, WAIT);
        h.asterisk.userEvent(c.channel(), "PaymentEnd");
        h.asterisk.awaitRequest("DELETE", "/ari/recordings/live/" + c.recording() + verb, WAIT);
        awaitTimeline(c.callId(), "resumed");
        assertEquals("recording", h.asterisk.liveState(c.recording()));
        h.asterisk.pressDtmf(c.channel(), '*');
        h.asterisk.pressDtmf(c.channel(), '9');
        h.awaitRows("select 1 from consent_decision where call_id = $1 and outcome = 'withdrawn'", c.callId());
        h.asterisk.callerHangsUp(c.channel());
        h.awaitNoLiveCalls();
        h.awaitRows("select 1 from call where id = $1 and ended_at is not null", c.callId());
    }

    @Test
    void takeover_aRowAnEarlierVersionWroteWithoutTheCoreStateIsStillTakenOver() throws Exception {
        h = AppHarness.start(Map.of("CR_PAUSE_STYLE", "skip"));
        Recorded c = recordedCall("+15551230318");
        assertEquals("paused", await(h.app.calls().control(c.callId(), ControlAction.PAUSE, "x")).status().wire());
        h.awaitRows("select 1 from call where id = $1 and paused", c.callId());
        h.app.close();
        // what the version before core_state wrote: the same columns, no saved core state
        h.rows("update call set core_state = null where id = $1", c.callId());
        h = h.restartAppAfterClose(Map.of());
        h.asterisk.await("the call adopted", () -> h.app.calls().liveCount() == 1, WAIT);
        h.asterisk.await("the re-asserted pause", () -> h.asterisk.requests("POST",
                "/ari/recordings/live/" + c.recording() + "/pause").size() == 2, WAIT);
        h.asterisk.userEvent(c.channel(), "PaymentEnd");
        h.asterisk.awaitRequest("DELETE", "/ari/recordings/live/" + c.recording() + "/pause", WAIT);
        awaitTimeline(c.callId(), "resumed");
        assertEquals("recording", h.asterisk.liveState(c.recording()));
        // from now on the call's state is saved whole again
        h.awaitRows("select 1 from call where id = $1 and core_state->'recording'->>'state' = 'recording'", c.callId());
        h.asterisk.callerHangsUp(c.channel());
        h.awaitNoLiveCalls();
        h.awaitRows("select 1 from call where id = $1 and ended_at is not null and recording_state = 'ended'", c.callId());
    }

    @Test
    void takeover_aLiveRecordingWhoseDecisionIsMissingIsStoppedAndAFailedStopRetried() throws Exception {
        h = AppHarness.start(Map.of());
        Recorded c = recordedCall("+15551230319");
        h.app.close();
        // the row points at evidence that is not there: nothing may keep recording this call
        h.rows("update call set consent_id = $2 where id = $1", c.callId(), UUID.randomUUID());
        h.asterisk.fail("POST", "/ari/recordings/live/.*/stop", 500, "Internal Server Error", 2);
        h = h.restartAppAfterClose(Map.of());
        h.asterisk.await("three stop requests", () -> h.asterisk.requests("POST",
                "/ari/recordings/live/" + c.recording() + "/stop").size() == 3, WAIT);
        h.asterisk.await("the recording stopped", () -> !h.asterisk.liveRecordings().contains(c.recording()), WAIT);
        List<Integer> statuses = h.asterisk.requests("POST", "/ari/recordings/live/" + c.recording() + "/stop").stream()
                .map(Request::status).toList();
        assertEquals(List.of(500, 500, 204), statuses);
        assertEquals(0, h.app.calls().liveCount(), "a call without its evidence is not taken over");
    }

    @Test
    void takeover_aRecordedCallThatEndedWhileTheAppWasDownIsClosed() throws Exception {
        h = AppHarness.start(Map.of());
        Recorded c = recordedCall("+15551230315");
        h.app.close();
        h.asterisk.callerHangsUp(c.channel());
        h = h.restartAppAfterClose(Map.of());
        h.awaitRows("select 1 from call where id = $1 and ended_at is not null", c.callId());
        assertEquals(0, h.app.calls().liveCount());
    }

    private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
}
