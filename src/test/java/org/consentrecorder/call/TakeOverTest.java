package org.consentrecorder.call;

import static org.consentrecorder.call.FlowHarness.of;
import static org.consentrecorder.call.FlowHarness.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.consentrecorder.call.CallCommand.AppendTimeline;
import org.consentrecorder.call.CallCommand.ControlAnswered;
import org.consentrecorder.call.CallCommand.PauseRecording;
import org.consentrecorder.call.CallCommand.ResumeRecording;
import org.consentrecorder.call.CommandKey.RecordingRequest;
import org.junit.jupiter.api.Test;

/**
 * A call taken over after a restart is its saved state plus {@link CallEvent.TakenOver}: the same
 * core goes on from there, told only what Asterisk says about the recording now.
 */
class TakeOverTest {
    private static final CallSettings SETTINGS = FlowHarness.settings(LawfulBasis.CONSENT);

    /** The state as a restarted process reads it back from the call table. */
    private static FlowHarness restarted(FlowHarness before) {
        return restarted(before, SETTINGS);
    }

    private static FlowHarness restarted(FlowHarness before, CallSettings settings) {
        CallStateSnapshot s = CallStateSnapshot.of(before.state);
        JsonObject json = CallStateCodec.encode(before.state);
        CallFacts f = before.state.facts();
        CallRepository.ActiveCall row = new CallRepository.ActiveCall(s.callId(), f.channel().id(), f.channel().name(),
                f.channel().linkedId(), f.asteriskId(), f.startedAt(), s.outcome(), s.consentId(), s.recordingName(),
                s.snoopId(), s.recordingState(), s.paused(), s.phase().wire(), f.subject(), 3, json);
        FlowHarness after = new FlowHarness(settings);
        after.state = CallStateCodec.decode(json, row, before.state.decision(), settings);
        after.now = before.now.plusSeconds(5);
        return after;
    }

    private static FlowHarness paused() {
        FlowHarness h = new FlowHarness(SETTINGS);
        h.toDialplanRecording();
        PauseRecording p = only(h.send(new CallEvent.UserEvent("PaymentStart")), PauseRecording.class);
        h.ok(p.key());
        return h;
    }

    @Test
    void givenAPausedRecording_thenThePauseIsReassertedAndNoNewRowWritten() {
        FlowHarness h = restarted(paused());
        PauseRecording again = only(h.send(new CallEvent.TakenOver(false)), PauseRecording.class);
        assertEquals(RecordingRequest.Kind.REASSERT, ((RecordingRequest) again.key()).kind());
        assertEquals(CallPhase.IN_DIALPLAN, h.state.phase());
        assertTrue(of(h.ok(again.key()), AppendTimeline.class).isEmpty(), "it was paused already");
        assertEquals(RecordingControl.State.PAUSED, h.state.recording().state());
    }

    @Test
    void givenARecordingAsteriskReportsPaused_thenItIsPausedWithAriPause() {
        FlowHarness before = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT, silence()));
        before.toDialplanRecording();
        FlowHarness h = restarted(before);
        PauseRecording again = only(h.send(new CallEvent.TakenOver(true)), PauseRecording.class);
        assertEquals(PauseStyle.SKIP, again.style(), "Asterisk reports an ARI pause, never a mute");
    }

    @Test
    void givenARunningRecording_thenItIsPausedAsOnAnOutage_becauseTriggersRaisedWhileNobodyListenedAreLost() {
        FlowHarness before = new FlowHarness(SETTINGS);
        before.toDialplanRecording();
        FlowHarness h = restarted(before);
        PauseRecording pause = only(h.send(new CallEvent.TakenOver(false)), PauseRecording.class);
        assertEquals(RecordingRequest.Kind.PAUSE, ((RecordingRequest) pause.key()).kind(), "a new pause, not a re-assertion");
        AppendTimeline row = only(h.ok(pause.key()), AppendTimeline.class);
        assertEquals(TriggerKind.ARI_OUTAGE, row.entry().trigger());
        assertEquals(RecordingControl.State.PAUSED, h.state.recording().state());
        // until an explicit resume, as after an outage
        ResumeRecording resume = only(h.send(new CallEvent.UserEvent("PaymentEnd")), ResumeRecording.class);
        h.ok(resume.key());
        assertEquals(RecordingControl.State.RECORDING, h.state.recording().state());
    }

    @Test
    void givenARunningRecordingAndNoOutagePause_thenItGoesOnRecording() {
        RecordingSettings d = RecordingSettings.defaults();
        CallSettings settings = FlowHarness.settings(LawfulBasis.CONSENT, new RecordingSettings(d.format(), d.spy(),
                d.pauseStyle(), d.pauseSequence(), d.resumeSequence(), d.withdrawSequence(), d.sequenceGap(),
                d.pauseUserEvent(), d.resumeUserEvent(), d.pauseDeadline(), d.maxPause(), d.burstGuard(), d.burstDigits(),
                d.burstWindow(), d.snoopTimeout(), d.teardownTimeout(), false, d.channels()));
        FlowHarness before = new FlowHarness(settings);
        before.toDialplanRecording();
        FlowHarness h = restarted(before, settings);
        assertTrue(h.send(new CallEvent.TakenOver(false)).isEmpty(), "CR_OUTAGE_PAUSE=false: nothing sent");
        assertEquals(RecordingControl.State.RECORDING, h.state.recording().state());
    }

    @Test
    void givenARecordingThatWasBeingStoppedFailClosed_thenItIsStoppedAgain() {
        FlowHarness before = new FlowHarness(SETTINGS);
        before.toDialplanRecording();
        only(before.send(new CallEvent.UserEvent("PaymentStart")), PauseRecording.class);
        before.advance(Duration.ofMillis(500), new CallEvent.TimerFired(TimerKey.PAUSE_DEADLINE));
        assertEquals(RecordingControl.State.STOPPED, before.state.recording().state());
        FlowHarness h = restarted(before);
        List<CallCommand> out = h.send(new CallEvent.TakenOver(false));
        assertEquals(h.state.recordingName(), only(out, CallCommand.StopRecording.class).recordingName());
        assertEquals(h.state.snoopChannelId(), only(out, CallCommand.HangupSnoop.class).snoopId());
        assertTrue(of(out, PauseRecording.class).isEmpty());
    }

    @Test
    void givenADiscardedRecording_thenItIsDiscardedAgain() {
        FlowHarness before = new FlowHarness(SETTINGS);
        before.toDialplanRecording();
        before.send(new CallEvent.DtmfReceived('*'));
        before.send(new CallEvent.DtmfReceived('9'));
        FlowHarness h = restarted(before);
        List<CallCommand> out = h.send(new CallEvent.TakenOver(false));
        assertEquals(1, of(out, CallCommand.DiscardRecording.class).size());
        assertEquals(1, of(out, CallCommand.HangupSnoop.class).size());
    }

    @Test
    void givenAResumeDuringTheReassertedPause_thenItIsSentOnceThePauseIsConfirmedAndNeverLater() {
        FlowHarness h = restarted(paused());
        PauseRecording again = only(h.send(new CallEvent.TakenOver(false)), PauseRecording.class);
        UUID pause = UUID.randomUUID();
        assertTrue(h.send(new CallEvent.ControlRequested(pause, ControlAction.PAUSE, "api:x")).isEmpty());
        assertTrue(h.send(new CallEvent.UserEvent("PaymentEnd")).isEmpty(), "queued behind the reasserted pause");
        List<CallCommand> confirmed = h.ok(again.key());
        assertEquals(ControlStatus.PAUSED, only(confirmed, ControlAnswered.class).status(), "the API hears it");
        ResumeRecording resume = only(confirmed, ResumeRecording.class);
        h.ok(resume.key());
        assertEquals(RecordingControl.State.RECORDING, h.state.recording().state());
        // the next payment pauses and stays paused: the resume above is spent
        PauseRecording next = only(h.send(new CallEvent.UserEvent("PaymentStart")), PauseRecording.class);
        assertTrue(of(h.ok(next.key()), ResumeRecording.class).isEmpty());
        assertEquals(RecordingControl.State.PAUSED, h.state.recording().state());
    }

    @Test
    void givenACallThatIsNotInTheDialplan_thenTakingItOverChangesNothing() {
        FlowHarness h = new FlowHarness(SETTINGS);
        h.toWaiting();
        CallState before = h.state;
        assertTrue(h.send(new CallEvent.TakenOver(false)).isEmpty());
        assertEquals(before, h.state);
    }

    private static RecordingSettings silence() {
        RecordingSettings d = RecordingSettings.defaults();
        return new RecordingSettings(d.format(), d.spy(), PauseStyle.SILENCE, d.pauseSequence(), d.resumeSequence(),
                d.withdrawSequence(), d.sequenceGap(), d.pauseUserEvent(), d.resumeUserEvent(), d.pauseDeadline(),
                d.maxPause(), d.burstGuard(), d.burstDigits(), d.burstWindow(), d.snoopTimeout(), d.teardownTimeout(),
                d.pauseOnOutage(), d.channels());
    }
}
