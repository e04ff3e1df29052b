package org.consentrecorder.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.consentrecorder.call.CallCommand.AppendTimeline;
import org.consentrecorder.call.CallCommand.ControlAnswered;
import org.consentrecorder.call.CallCommand.PauseRecording;
import org.consentrecorder.call.CallCommand.ResumeRecording;
import org.consentrecorder.call.TimelineEntry.Change;
import org.junit.jupiter.api.Test;

/** Payment pause and withdrawal as a pure state machine: triggers in, ARI commands and timeline rows out. */
class RecordingControlTest {
    private static final Instant T0 = Instant.parse("2026-11-24T16:40:49.132Z");

    private final List<CallCommand> all = new ArrayList<>();
    private Instant now = T0;

    private RecordingControl control(RecordingSettings s) {
        RecordingControl c = new RecordingControl(s, "cr-rec", "cr-rec-snoop", T0);
        all.addAll(c.started());
        return c;
    }

    private static RecordingSettings settings(PauseStyle style) {
        RecordingSettings d = RecordingSettings.defaults();
        return new RecordingSettings(d.format(), d.spy(), style, d.pauseSequence(), d.resumeSequence(),
                d.withdrawSequence(), d.sequenceGap(), d.pauseUserEvent(), d.resumeUserEvent(), d.pauseDeadline(),
                Duration.ofMinutes(5), d.burstGuard(), d.burstDigits(), d.burstWindow(), d.snoopTimeout(),
                d.teardownTimeout(), true);
    }

    private List<CallCommand> digits(RecordingControl c, String keys, Duration gap) {
        List<CallCommand> out = new ArrayList<>();
        for (char k : keys.toCharArray()) {
            now = now.plus(gap);
            out.addAll(c.onDigit(k, now));
        }
        all.addAll(out);
        return out;
    }

    private List<CallCommand> at(Duration d, List<CallCommand> out) {
        all.addAll(out);
        return out;
    }

    private static <T> T only(List<CallCommand> out, Class<T> type) {
        List<T> found = out.stream().filter(type::isInstance).map(type::cast).toList();
        assertEquals(1, found.size(), "expected one " + type.getSimpleName() + " in " + out);
        return found.get(0);
    }

    private List<TimelineEntry> timeline() {
        return all.stream().filter(AppendTimeline.class::isInstance).map(c -> ((AppendTimeline) c).entry()).toList();
    }

    @Test
    void givenTheDtmfPauseSequence_thenThePauseRequestIsTheFirstCommandAndTheTimelineWaitsForAsterisk() {
        RecordingControl c = control(settings(PauseStyle.SKIP));
        List<CallCommand> out = digits(c, "*7", Duration.ofMillis(300));
        assertInstanceOf(PauseRecording.class, out.get(0), "nothing may delay the pause request");
        PauseRecording pause = (PauseRecording) out.get(0);
        assertEquals(PauseStyle.SKIP, pause.style());
        assertEquals(1, timeline().size(), "no pause row before Asterisk accepted");

        now = now.plusMillis(3);
        all.addAll(c.onCommandResult(pause.tag(), true, 204, now));
        TimelineEntry row = timeline().get(1);
        assertEquals(Change.PAUSED, row.change());
        assertEquals(TriggerKind.DTMF_SEQUENCE, row.trigger());
        assertEquals(now.minusMillis(3), row.requestedAt());
        assertEquals(now, row.acceptedAt());
        assertEquals(603, row.offsetMs());
        assertEquals(RecordingControl.State.PAUSED, c.state());
    }

    @Test
    void givenSkipStyle_thenOffsetsAfterAResumeLeaveThePausedTimeOut() {
        RecordingControl c = control(settings(PauseStyle.SKIP));
        now = T0.plusSeconds(2);
        PauseRecording p = only(c.onUserEvent("PaymentStart", now), PauseRecording.class);
        all.addAll(c.onCommandResult(p.tag(), true, 204, now));
        now = T0.plusSeconds(5);
        ResumeRecording r = only(c.onUserEvent("PaymentEnd", now), ResumeRecording.class);
        all.addAll(c.onCommandResult(r.tag(), true, 204, now));
        TimelineEntry resumed = timeline().get(2);
        assertEquals(Change.RESUMED, resumed.change());
        assertEquals(TriggerKind.USER_EVENT, resumed.trigger());
        assertEquals("PaymentEnd", resumed.triggerDetail());
        // the 3 s pause is cut out of the file: audio resumes at 2 s into the file
        assertEquals(2000, resumed.offsetMs());
    }

    @Test
    void givenSilenceStyle_thenPauseIsAMuteAndOffsetsAreWallTime() {
        RecordingControl c = control(settings(PauseStyle.SILENCE));
        now = T0.plusSeconds(2);
        PauseRecording p = only(c.onUserEvent("PaymentStart", now), PauseRecording.class);
        assertEquals(PauseStyle.SILENCE, p.style());
        all.addAll(c.onCommandResult(p.tag(), true, 204, now));
        now = T0.plusSeconds(5);
        ResumeRecording r = only(c.onUserEvent("PaymentEnd", now), ResumeRecording.class);
        all.addAll(c.onCommandResult(r.tag(), true, 204, now));
        assertEquals(5000, timeline().get(2).offsetMs());
    }

    @Test
    void givenSilenceStyle_thenOnlyTheFirstPauseIsAMuteAndLaterOnesCutWithOffsetsStillInFileTime() {
        // Asterisk before the fix for asterisk/asterisk#322 ignores a second mute of a recording
        RecordingControl c = control(settings(PauseStyle.SILENCE));
        now = T0.plusSeconds(2);
        PauseRecording first = only(c.onUserEvent("PaymentStart", now), PauseRecording.class);
        all.addAll(c.onCommandResult(first.tag(), true, 204, now));
        now = T0.plusSeconds(5);
        ResumeRecording firstEnd = only(c.onUserEvent("PaymentEnd", now), ResumeRecording.class);
        assertEquals(PauseStyle.SILENCE, firstEnd.style(), "a mute is ended by an unmute");
        all.addAll(c.onCommandResult(firstEnd.tag(), true, 204, now));

        now = T0.plusSeconds(10);
        PauseRecording second = only(c.onUserEvent("PaymentStart", now), PauseRecording.class);
        assertEquals(PauseStyle.SKIP, second.style(), "the second pause of a recording is never a mute");
        all.addAll(c.onCommandResult(second.tag(), true, 204, now));
        now = T0.plusSeconds(14);
        ResumeRecording secondEnd = only(c.onUserEvent("PaymentEnd", now), ResumeRecording.class);
        assertEquals(PauseStyle.SKIP, secondEnd.style());
        all.addAll(c.onCommandResult(secondEnd.tag(), true, 204, now));
        now = T0.plusSeconds(20);
        all.addAll(c.onRecordingEnded(now));

        List<TimelineEntry> rows = timeline();
        assertEquals(List.of(Change.STARTED, Change.PAUSED, Change.RESUMED, Change.PAUSED, Change.RESUMED, Change.ENDED),
                rows.stream().map(TimelineEntry::change).toList());
        assertEquals(List.of(PauseStyle.SILENCE, PauseStyle.SILENCE, PauseStyle.SKIP, PauseStyle.SKIP),
                rows.subList(1, 5).stream().map(TimelineEntry::style).toList());
        // the muted 3 s stay in the file as silence, the cut 4 s do not
        assertEquals(List.of(0L, 2000L, 5000L, 10000L, 10000L, 16000L),
                rows.stream().map(TimelineEntry::offsetMs).toList());
    }

    @Test
    void givenATakenOverSilenceRecording_thenAMuteOnFileIsEndedByUnmuteAndTheNextPauseCuts() {
        RecordingControl c = RecordingControl.restore(settings(PauseStyle.SILENCE), "cr-rec", "cr-rec-snoop",
                T0, 0, T0.plusSeconds(4), PauseStyle.SILENCE);
        now = T0.plusSeconds(6);
        ResumeRecording r = only(c.onUserEvent("PaymentEnd", now), ResumeRecording.class);
        assertEquals(PauseStyle.SILENCE, r.style());
        all.addAll(c.onCommandResult(r.tag(), true, 204, now));
        assertEquals(6000, timeline().get(0).offsetMs(), "a mute cuts nothing");
        now = T0.plusSeconds(8);
        PauseRecording p = only(c.onUserEvent("PaymentStart", now), PauseRecording.class);
        assertEquals(PauseStyle.SKIP, p.style(), "whether a mute was spent before the restart is not certain");
    }

    @Test
    void givenATakenOverRecordingWithEarlierCuts_thenOffsetsSubtractThem() {
        RecordingControl c = RecordingControl.restore(settings(PauseStyle.SKIP), "cr-rec", "cr-rec-snoop",
                T0, 3000, T0.plusSeconds(10), PauseStyle.SKIP);
        now = T0.plusSeconds(12);
        ResumeRecording r = only(c.onUserEvent("PaymentEnd", now), ResumeRecording.class);
        all.addAll(c.onCommandResult(r.tag(), true, 204, now));
        // 12 s of wall time, 3 s cut before the restart, 2 s cut by the pause taken over
        assertEquals(7000, timeline().get(0).offsetMs());
    }

    @Test
    void givenAPauseNotAcceptedInTime_thenTheRecordingIsStoppedAndTheSnoopHungUp() {
        RecordingControl c = control(settings(PauseStyle.SKIP));
        PauseRecording p = only(c.onUserEvent("PaymentStart", now), PauseRecording.class);
        now = now.plusMillis(500);
        List<CallCommand> out = c.onTimer(RecordingControl.PAUSE_DEADLINE_TIMER, now);
        all.addAll(out);
        assertEquals("cr-rec", only(out, CallCommand.StopRecording.class).recordingName());
        assertEquals("cr-rec-snoop", only(out, CallCommand.HangupSnoop.class).snoopId());
        TimelineEntry row = timeline().get(1);
        assertEquals(Change.PAUSE_FAILED_STOPPED, row.change());
        assertNull(row.acceptedAt());
        assertEquals(RecordingControl.State.STOPPED, c.state());
        // the late 204 changes nothing
        assertTrue(c.onCommandResult(p.tag(), true, 204, now.plusMillis(100)).isEmpty());
        assertFalse(c.isLive());
    }

    @Test
    void givenAPauseRefusedByAsterisk_thenTheRecordingIsStopped() {
        RecordingControl c = control(settings(PauseStyle.SKIP));
        PauseRecording p = only(c.onUserEvent("PaymentStart", now), PauseRecording.class);
        List<CallCommand> out = c.onCommandResult(p.tag(), false, 500, now.plusMillis(20));
        assertEquals(1, out.stream().filter(CallCommand.StopRecording.class::isInstance).count());
        assertEquals(RecordingControl.State.STOPPED, c.state());
    }

    @Test
    void givenAResumeRefused_thenTheRecordingStaysPausedAndSaysSo() {
        RecordingControl c = control(settings(PauseStyle.SKIP));
        PauseRecording p = only(c.onUserEvent("PaymentStart", now), PauseRecording.class);
        c.onCommandResult(p.tag(), true, 204, now);
        UUID request = UUID.randomUUID();
        ResumeRecording r = only(c.onControl(request, ControlAction.RESUME, "agent-7", now), ResumeRecording.class);
        List<CallCommand> out = c.onCommandResult(r.tag(), false, 404, now.plusMillis(5));
        all.addAll(out);
        assertEquals(RecordingControl.State.PAUSED, c.state());
        assertEquals("resume_failed_still_paused", only(out, ControlAnswered.class).status());
        assertEquals(Change.RESUME_FAILED, timeline().get(timeline().size() - 1).change());
    }

    @Test
    void givenAnApiPause_thenTheAnswerComesOnceAsteriskAccepted() {
        RecordingControl c = control(settings(PauseStyle.SKIP));
        UUID request = UUID.randomUUID();
        List<CallCommand> out = c.onControl(request, ControlAction.PAUSE, "agent-7", now);
        PauseRecording p = only(out, PauseRecording.class);
        assertTrue(out.stream().noneMatch(ControlAnswered.class::isInstance));
        ControlAnswered answer = only(c.onCommandResult(p.tag(), true, 204, now), ControlAnswered.class);
        assertEquals(request, answer.requestId());
        assertEquals("paused", answer.status());
        assertEquals("already_paused", only(c.onControl(UUID.randomUUID(), ControlAction.PAUSE, "x", now),
                ControlAnswered.class).status());
    }

    @Test
    void givenABurstOfDigitsWhileRecording_thenTheSafetyNetPauses() {
        RecordingControl c = control(settings(PauseStyle.SKIP));
        List<CallCommand> out = digits(c, "4111", Duration.ofMillis(400));
        PauseRecording p = only(out, PauseRecording.class);
        all.addAll(c.onCommandResult(p.tag(), true, 204, now));
        assertEquals(TriggerKind.DTMF_BURST, timeline().get(1).trigger());
    }

    @Test
    void givenSlowSingleDigits_thenTheSafetyNetStaysQuiet() {
        RecordingControl c = control(settings(PauseStyle.SKIP));
        assertTrue(digits(c, "1234", Duration.ofSeconds(3)).isEmpty());
    }

    @Test
    void givenDigitsWhilePaused_thenNoCommandOrRowCarriesThem() {
        RecordingControl c = control(settings(PauseStyle.SKIP));
        PauseRecording p = only(c.onUserEvent("PaymentStart", now), PauseRecording.class);
        all.addAll(c.onCommandResult(p.tag(), true, 204, now));
        digits(c, "4111111111111111", Duration.ofMillis(150));
        digits(c, "737", Duration.ofMillis(150));
        for (CallCommand cmd : all) {
            assertFalse(cmd.toString().contains("4111") || cmd.toString().contains("737"), "digits leaked into " + cmd);
        }
        assertEquals(RecordingControl.State.PAUSED, c.state());
    }

    @Test
    void givenTheWithdrawSequence_thenTheRecordingIsDiscardedAndTheWithdrawalReported() {
        RecordingControl c = control(settings(PauseStyle.SKIP));
        List<CallCommand> out = digits(c, "*9", Duration.ofMillis(300));
        assertEquals("cr-rec", only(out, CallCommand.DiscardRecording.class).recordingName());
        assertEquals(1, out.stream().filter(CallCommand.HangupSnoop.class::isInstance).count());
        assertEquals(Change.WITHDRAWN_DISCARDED, timeline().get(1).change());
        RecordingControl.Withdrawal w = c.takeWithdrawal().orElseThrow();
        assertEquals(TriggerKind.DTMF_SEQUENCE, w.trigger());
        assertTrue(c.takeWithdrawal().isEmpty(), "reported once");
        assertEquals(RecordingControl.State.DISCARDED, c.state());
        assertTrue(c.onUserEvent("PaymentStart", now).isEmpty(), "nothing to pause any more");
    }

    @Test
    void givenAMaximumPause_thenTheRecordingResumesByItself() {
        RecordingControl c = control(settings(PauseStyle.SKIP));
        PauseRecording p = only(c.onUserEvent("PaymentStart", now), PauseRecording.class);
        List<CallCommand> accepted = c.onCommandResult(p.tag(), true, 204, now);
        assertEquals(Duration.ofMinutes(5), only(accepted, CallCommand.StartTimer.class).after());
        ResumeRecording r = only(c.onTimer(RecordingControl.MAX_PAUSE_TIMER, now.plusSeconds(300)), ResumeRecording.class);
        all.addAll(c.onCommandResult(r.tag(), true, 204, now.plusSeconds(300)));
        assertEquals(TriggerKind.MAX_PAUSE_ELAPSED, timeline().get(timeline().size() - 1).trigger());
    }

    @Test
    void givenAResumeThenAPauseInQuickSuccession_thenThePauseIsSentOnceTheResumeIsAnswered() {
        RecordingControl c = control(settings(PauseStyle.SKIP));
        PauseRecording p = only(c.onUserEvent("PaymentStart", now), PauseRecording.class);
        c.onCommandResult(p.tag(), true, 204, now);
        ResumeRecording r = only(c.onUserEvent("PaymentEnd", now), ResumeRecording.class);
        assertTrue(c.onUserEvent("PaymentStart", now).isEmpty());
        List<CallCommand> out = c.onCommandResult(r.tag(), true, 204, now.plusMillis(2));
        assertEquals(1, out.stream().filter(PauseRecording.class::isInstance).count(), "the second pause is not lost");
    }

    @Test
    void givenTheRecordingEnds_thenPendingRequestsAreAnsweredAndTheTimelineCloses() {
        RecordingControl c = control(settings(PauseStyle.SKIP));
        UUID request = UUID.randomUUID();
        c.onControl(request, ControlAction.PAUSE, "agent", now);
        List<CallCommand> out = c.onRecordingEnded(now.plusSeconds(1));
        assertEquals("not_recording", only(out, ControlAnswered.class).status());
        assertEquals(RecordingControl.State.ENDED, c.state());
    }
}
