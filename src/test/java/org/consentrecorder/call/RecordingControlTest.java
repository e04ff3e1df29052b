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
import java.util.Optional;
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
    /** The control as it is now: each step replaces it (it is an immutable value). */
    private RecordingControl c;
    private RecordingSettings s;
    private Optional<RecordingControl.Withdrawal> withdrawal = Optional.empty();

    private RecordingControl control(RecordingSettings settings) {
        s = settings;
        c = RecordingControl.started("cr-rec", "cr-rec-snoop", T0);
        all.addAll(c.startedRow(s));
        return c;
    }

    /** Takes the step: the control becomes its next value; returns the step's commands. */
    private List<CallCommand> step(RecordingControl.Step step) {
        c = step.control();
        withdrawal = step.withdrawal();
        return step.commands();
    }

    private List<CallCommand> result(CallCommand request, boolean ok, int status, Instant at) {
        CommandKey.RecordingRequest key = (CommandKey.RecordingRequest) (request instanceof PauseRecording p ? p.key()
                : ((ResumeRecording) request).key());
        return step(c.onResult(s, key, ok, status, at));
    }

    private static RecordingSettings settings(PauseStyle style) {
        RecordingSettings d = RecordingSettings.defaults();
        return new RecordingSettings(d.format(), d.spy(), style, d.pauseSequence(), d.resumeSequence(),
                d.withdrawSequence(), d.sequenceGap(), d.pauseUserEvent(), d.resumeUserEvent(), d.pauseDeadline(),
                Duration.ofMinutes(5), d.burstGuard(), d.burstDigits(), d.burstWindow(), d.snoopTimeout(),
                d.teardownTimeout(), true, d.channels());
    }

    private List<CallCommand> digits(String keys, Duration gap) {
        List<CallCommand> out = new ArrayList<>();
        for (char k : keys.toCharArray()) {
            now = now.plus(gap);
            out.addAll(step(c.onDigit(s, k, now)));
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
        control(settings(PauseStyle.SKIP));
        List<CallCommand> out = digits("*7", Duration.ofMillis(300));
        assertInstanceOf(PauseRecording.class, out.get(0), "nothing may delay the pause request");
        PauseRecording pause = (PauseRecording) out.get(0);
        assertEquals(PauseStyle.SKIP, pause.style());
        assertEquals(1, timeline().size(), "no pause row before Asterisk accepted");

        now = now.plusMillis(3);
        all.addAll(result(pause, true, 204, now));
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
        control(settings(PauseStyle.SKIP));
        now = T0.plusSeconds(2);
        PauseRecording p = only(step(c.onUserEvent(s, "PaymentStart", now)), PauseRecording.class);
        all.addAll(result(p, true, 204, now));
        now = T0.plusSeconds(5);
        ResumeRecording r = only(step(c.onUserEvent(s, "PaymentEnd", now)), ResumeRecording.class);
        all.addAll(result(r, true, 204, now));
        TimelineEntry resumed = timeline().get(2);
        assertEquals(Change.RESUMED, resumed.change());
        assertEquals(TriggerKind.USER_EVENT, resumed.trigger());
        assertEquals("PaymentEnd", resumed.triggerDetail());
        // the 3 s pause is cut out of the file: audio resumes at 2 s into the file
        assertEquals(2000, resumed.offsetMs());
    }

    @Test
    void givenSilenceStyle_thenPauseIsAMuteAndOffsetsAreWallTime() {
        control(settings(PauseStyle.SILENCE));
        now = T0.plusSeconds(2);
        PauseRecording p = only(step(c.onUserEvent(s, "PaymentStart", now)), PauseRecording.class);
        assertEquals(PauseStyle.SILENCE, p.style());
        all.addAll(result(p, true, 204, now));
        now = T0.plusSeconds(5);
        ResumeRecording r = only(step(c.onUserEvent(s, "PaymentEnd", now)), ResumeRecording.class);
        all.addAll(result(r, true, 204, now));
        assertEquals(5000, timeline().get(2).offsetMs());
    }

    @Test
    void givenSilenceStyle_thenOnlyTheFirstPauseIsAMuteAndLaterOnesCutWithOffsetsStillInFileTime() {
        // Asterisk before the fix for asterisk/asterisk#322 ignores a second mute of a recording
        control(settings(PauseStyle.SILENCE));
        now = T0.plusSeconds(2);
        PauseRecording first = only(step(c.onUserEvent(s, "PaymentStart", now)), PauseRecording.class);
        all.addAll(result(first, true, 204, now));
        now = T0.plusSeconds(5);
        ResumeRecording firstEnd = only(step(c.onUserEvent(s, "PaymentEnd", now)), ResumeRecording.class);
        assertEquals(PauseStyle.SILENCE, firstEnd.style(), "a mute is ended by an unmute");
        all.addAll(result(firstEnd, true, 204, now));

        now = T0.plusSeconds(10);
        PauseRecording second = only(step(c.onUserEvent(s, "PaymentStart", now)), PauseRecording.class);
        assertEquals(PauseStyle.SKIP, second.style(), "the second pause of a recording is never a mute");
        all.addAll(result(second, true, 204, now));
        now = T0.plusSeconds(14);
        ResumeRecording secondEnd = only(step(c.onUserEvent(s, "PaymentEnd", now)), ResumeRecording.class);
        assertEquals(PauseStyle.SKIP, secondEnd.style());
        all.addAll(result(secondEnd, true, 204, now));
        now = T0.plusSeconds(20);
        all.addAll(step(c.onRecordingEnded(s, now)));

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
        s = settings(PauseStyle.SILENCE);
        c = RecordingTakeover.restore("cr-rec", "cr-rec-snoop", T0, 0, T0.plusSeconds(4), PauseStyle.SILENCE);
        now = T0.plusSeconds(6);
        ResumeRecording r = only(step(c.onUserEvent(s, "PaymentEnd", now)), ResumeRecording.class);
        assertEquals(PauseStyle.SILENCE, r.style());
        all.addAll(result(r, true, 204, now));
        assertEquals(6000, timeline().get(0).offsetMs(), "a mute cuts nothing");
        now = T0.plusSeconds(8);
        PauseRecording p = only(step(c.onUserEvent(s, "PaymentStart", now)), PauseRecording.class);
        assertEquals(PauseStyle.SKIP, p.style(), "whether a mute was spent before the restart is not certain");
    }

    @Test
    void givenATakenOverRecordingWithEarlierCuts_thenOffsetsSubtractThem() {
        s = settings(PauseStyle.SKIP);
        c = RecordingTakeover.restore("cr-rec", "cr-rec-snoop", T0, 3000, T0.plusSeconds(10), PauseStyle.SKIP);
        now = T0.plusSeconds(12);
        ResumeRecording r = only(step(c.onUserEvent(s, "PaymentEnd", now)), ResumeRecording.class);
        all.addAll(result(r, true, 204, now));
        // 12 s of wall time, 3 s cut before the restart, 2 s cut by the pause taken over
        assertEquals(7000, timeline().get(0).offsetMs());
    }

    @Test
    void givenAPauseNotAcceptedInTime_thenTheRecordingIsStoppedAndTheSnoopHungUp() {
        control(settings(PauseStyle.SKIP));
        PauseRecording p = only(step(c.onUserEvent(s, "PaymentStart", now)), PauseRecording.class);
        now = now.plusMillis(500);
        List<CallCommand> out = step(c.onTimer(s, TimerKey.PAUSE_DEADLINE, now));
        all.addAll(out);
        assertEquals("cr-rec", only(out, CallCommand.StopRecording.class).recordingName());
        assertEquals("cr-rec-snoop", only(out, CallCommand.HangupSnoop.class).snoopId());
        TimelineEntry row = timeline().get(1);
        assertEquals(Change.PAUSE_FAILED_STOPPED, row.change());
        assertNull(row.acceptedAt());
        assertEquals(RecordingControl.State.STOPPED, c.state());
        // the late 204 changes nothing
        assertTrue(result(p, true, 204, now.plusMillis(100)).isEmpty());
        assertFalse(c.isLive());
    }

    @Test
    void givenAPauseRefusedByAsterisk_thenTheRecordingIsStopped() {
        control(settings(PauseStyle.SKIP));
        PauseRecording p = only(step(c.onUserEvent(s, "PaymentStart", now)), PauseRecording.class);
        List<CallCommand> out = result(p, false, 500, now.plusMillis(20));
        assertEquals(1, out.stream().filter(CallCommand.StopRecording.class::isInstance).count());
        assertEquals(RecordingControl.State.STOPPED, c.state());
    }

    @Test
    void givenAResumeRefused_thenTheRecordingStaysPausedAndSaysSo() {
        control(settings(PauseStyle.SKIP));
        PauseRecording p = only(step(c.onUserEvent(s, "PaymentStart", now)), PauseRecording.class);
        result(p, true, 204, now);
        UUID request = UUID.randomUUID();
        ResumeRecording r = only(step(c.onControl(s, request, ControlAction.RESUME, "agent-7", now)), ResumeRecording.class);
        List<CallCommand> out = result(r, false, 404, now.plusMillis(5));
        all.addAll(out);
        assertEquals(RecordingControl.State.PAUSED, c.state());
        assertEquals("resume_failed_still_paused", only(out, ControlAnswered.class).status().wire());
        assertEquals(Change.RESUME_FAILED, timeline().get(timeline().size() - 1).change());
    }

    @Test
    void givenAnApiPause_thenTheAnswerComesOnceAsteriskAccepted() {
        control(settings(PauseStyle.SKIP));
        UUID request = UUID.randomUUID();
        List<CallCommand> out = step(c.onControl(s, request, ControlAction.PAUSE, "agent-7", now));
        PauseRecording p = only(out, PauseRecording.class);
        assertTrue(out.stream().noneMatch(ControlAnswered.class::isInstance));
        ControlAnswered answer = only(result(p, true, 204, now), ControlAnswered.class);
        assertEquals(request, answer.requestId());
        assertEquals("paused", answer.status().wire());
        assertEquals("already_paused", only(step(c.onControl(s, UUID.randomUUID(), ControlAction.PAUSE, "x", now)),
                ControlAnswered.class).status().wire());
    }

    @Test
    void givenABurstOfDigitsWhileRecording_thenTheSafetyNetPauses() {
        control(settings(PauseStyle.SKIP));
        List<CallCommand> out = digits("4111", Duration.ofMillis(400));
        PauseRecording p = only(out, PauseRecording.class);
        all.addAll(result(p, true, 204, now));
        assertEquals(TriggerKind.DTMF_BURST, timeline().get(1).trigger());
    }

    @Test
    void givenSlowSingleDigits_thenTheSafetyNetStaysQuiet() {
        control(settings(PauseStyle.SKIP));
        assertTrue(digits("1234", Duration.ofSeconds(3)).isEmpty());
    }

    @Test
    void givenDigitsWhilePaused_thenNoCommandOrRowCarriesThem() {
        control(settings(PauseStyle.SKIP));
        PauseRecording p = only(step(c.onUserEvent(s, "PaymentStart", now)), PauseRecording.class);
        all.addAll(result(p, true, 204, now));
        digits("4111111111111111", Duration.ofMillis(150));
        digits("737", Duration.ofMillis(150));
        for (CallCommand cmd : all) {
            assertFalse(cmd.toString().contains("4111") || cmd.toString().contains("737"), "digits leaked into " + cmd);
        }
        assertEquals(RecordingControl.State.PAUSED, c.state());
    }

    @Test
    void givenDigitsWhilePaused_thenNoMoreAreKeptThanTheLongestTriggerSequence() {
        control(settings(PauseStyle.SKIP));
        PauseRecording p = only(step(c.onUserEvent(s, "PaymentStart", now)), PauseRecording.class);
        all.addAll(result(p, true, 204, now));
        int longest = Math.max(s.pauseSequence().length(),
                Math.max(s.resumeSequence().length(), s.withdrawSequence().length()));
        for (char d : "4111111111111111".toCharArray()) {
            digits(String.valueOf(d), Duration.ofMillis(150));
            assertTrue(c.triggers().recent().length() <= longest, c.triggers().recent().length() + " digits kept");
        }
        assertEquals(longest, c.triggers().recent().length());
        assertTrue(c.triggers().burst().isEmpty(), "the burst net counts nothing while paused");
        assertFalse(c.triggers().toString().contains("11"), c.triggers().toString());
        // the sequences still work on what is kept
        only(digits("*8", Duration.ofMillis(150)), ResumeRecording.class);
        assertEquals(RecordingControl.State.RESUME_PENDING, c.state());
    }

    @Test
    void givenTheWithdrawSequence_thenTheRecordingIsDiscardedAndTheWithdrawalReported() {
        control(settings(PauseStyle.SKIP));
        List<CallCommand> out = digits("*9", Duration.ofMillis(300));
        assertEquals("cr-rec", only(out, CallCommand.DiscardRecording.class).recordingName());
        assertEquals(1, out.stream().filter(CallCommand.HangupSnoop.class::isInstance).count());
        assertEquals(Change.WITHDRAWN_DISCARDED, timeline().get(1).change());
        RecordingControl.Withdrawal w = withdrawal.orElseThrow();
        assertEquals(TriggerKind.DTMF_SEQUENCE, w.trigger());
        assertEquals(RecordingControl.State.DISCARDED, c.state());
        assertTrue(step(c.onUserEvent(s, "PaymentStart", now)).isEmpty(), "nothing to pause any more");
        assertTrue(withdrawal.isEmpty(), "reported once");
    }

    @Test
    void givenAMaximumPause_thenTheRecordingResumesByItself() {
        control(settings(PauseStyle.SKIP));
        PauseRecording p = only(step(c.onUserEvent(s, "PaymentStart", now)), PauseRecording.class);
        List<CallCommand> accepted = result(p, true, 204, now);
        assertEquals(Duration.ofMinutes(5), only(accepted, CallCommand.StartTimer.class).after());
        ResumeRecording r = only(step(c.onTimer(s, TimerKey.MAX_PAUSE, now.plusSeconds(300))), ResumeRecording.class);
        all.addAll(result(r, true, 204, now.plusSeconds(300)));
        assertEquals(TriggerKind.MAX_PAUSE_ELAPSED, timeline().get(timeline().size() - 1).trigger());
    }

    @Test
    void givenAResumeThenAPauseInQuickSuccession_thenThePauseIsSentOnceTheResumeIsAnswered() {
        control(settings(PauseStyle.SKIP));
        PauseRecording p = only(step(c.onUserEvent(s, "PaymentStart", now)), PauseRecording.class);
        result(p, true, 204, now);
        ResumeRecording r = only(step(c.onUserEvent(s, "PaymentEnd", now)), ResumeRecording.class);
        assertTrue(step(c.onUserEvent(s, "PaymentStart", now)).isEmpty());
        List<CallCommand> out = result(r, true, 204, now.plusMillis(2));
        assertEquals(1, out.stream().filter(PauseRecording.class::isInstance).count(), "the second pause is not lost");
    }

    @Test
    void givenPauseResumePauseWithinOneRoundTrip_thenTheLatestTriggerWinsAndTheRecordingStaysPaused() {
        control(settings(PauseStyle.SKIP));
        PauseRecording p = only(step(c.onUserEvent(s, "PaymentStart", now)), PauseRecording.class);
        assertTrue(step(c.onUserEvent(s, "PaymentEnd", now)).isEmpty(), "queued behind the pause");
        assertTrue(step(c.onUserEvent(s, "PaymentStart", now)).isEmpty(), "and cancelled by the next pause");
        List<CallCommand> out = result(p, true, 204, now.plusMillis(3));
        assertTrue(out.stream().noneMatch(ResumeRecording.class::isInstance), "no resume during the payment: " + out);
        assertEquals(RecordingControl.State.PAUSED, c.state());
    }

    @Test
    void givenAResumeThatGetsNoAnswer_thenThePauseIsSentAgainBecauseAsteriskMayHaveResumed() {
        control(settings(PauseStyle.SKIP));
        PauseRecording p = only(step(c.onUserEvent(s, "PaymentStart", now)), PauseRecording.class);
        result(p, true, 204, now);
        UUID request = UUID.randomUUID();
        ResumeRecording r = only(step(c.onControl(s, request, ControlAction.RESUME, "agent-7", now)), ResumeRecording.class);
        List<CallCommand> out = result(r, false, 0, now.plusMillis(500));
        all.addAll(out);
        PauseRecording again = only(out, PauseRecording.class);
        assertEquals(CommandKey.RecordingRequest.Kind.REASSERT, ((CommandKey.RecordingRequest) again.key()).kind());
        assertEquals(PauseStyle.SKIP, again.style());
        assertEquals("resume_failed_still_paused", only(out, ControlAnswered.class).status().wire());
        assertEquals(Change.RESUME_FAILED, timeline().get(timeline().size() - 1).change());
        assertEquals(RecordingControl.State.PAUSE_PENDING, c.state());
        // and if that pause is refused, the recording is stopped
        List<CallCommand> refused = result(again, false, 500, now.plusMillis(520));
        assertEquals(1, refused.stream().filter(CallCommand.StopRecording.class::isInstance).count());
    }

    @Test
    void givenTheRecordingEnds_thenPendingRequestsAreAnsweredAndTheTimelineCloses() {
        control(settings(PauseStyle.SKIP));
        UUID request = UUID.randomUUID();
        step(c.onControl(s, request, ControlAction.PAUSE, "agent", now));
        List<CallCommand> out = step(c.onRecordingEnded(s, now.plusSeconds(1)));
        assertEquals("not_recording", only(out, ControlAnswered.class).status().wire());
        assertEquals(RecordingControl.State.ENDED, c.state());
    }
}
