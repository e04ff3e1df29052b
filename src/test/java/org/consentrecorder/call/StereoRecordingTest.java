package org.consentrecorder.call;

import static org.consentrecorder.call.FlowHarness.of;
import static org.consentrecorder.call.FlowHarness.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.consentrecorder.call.CallCommand.AppendTimeline;
import org.consentrecorder.call.CallCommand.ArchiveRecording;
import org.consentrecorder.call.CallCommand.ControlAnswered;
import org.consentrecorder.call.CallCommand.CreateSnoop;
import org.consentrecorder.call.CallCommand.DiscardRecording;
import org.consentrecorder.call.CallCommand.HangupSnoop;
import org.consentrecorder.call.CallCommand.PauseRecording;
import org.consentrecorder.call.CallCommand.ResumeRecording;
import org.consentrecorder.call.CallCommand.SetVariable;
import org.consentrecorder.call.CallCommand.StartRecording;
import org.consentrecorder.call.CallCommand.StopRecording;
import org.consentrecorder.call.CommandKey.CallStep;
import org.consentrecorder.call.CommandKey.RecordingRequest;
import org.consentrecorder.call.RecordingControl.State;
import org.consentrecorder.call.TimelineEntry.Change;
import org.junit.jupiter.api.Test;

/**
 * A call recorded in stereo ({@code CR_RECORDING_CHANNELS=stereo}) through the pure core: two
 * snoop channels (spy=in, spy=out), two recordings controlled as one. Given/when/then in the names.
 */
class StereoRecordingTest {
    private static final CallSettings STEREO = FlowHarness.settings(LawfulBasis.CONSENT,
            RecordingSettings.defaults().withChannels(RecordingChannels.STEREO));
    private static final String IN = CallIds.recordingName(FlowHarness.CALL);
    private static final String OUT = CallIds.outRecordingName(FlowHarness.CALL);
    private static final String IN_SNOOP = CallIds.snoopId(FlowHarness.CALL);
    private static final String OUT_SNOOP = CallIds.outSnoopId(FlowHarness.CALL);

    /** Granted, subscribed: both snoop channels asked for. */
    private static FlowHarness toSnoops(List<CallCommand> snoops) {
        FlowHarness h = new FlowHarness(STEREO);
        h.toWaiting();
        h.send(new CallEvent.DtmfReceived('1'));
        h.ok(CallStep.DECISION);
        snoops.addAll(h.ok(CallStep.SUBSCRIBE));
        return h;
    }

    /** Both legs recording, the caller in the dialplan. */
    private static FlowHarness recording() {
        FlowHarness h = toSnoops(new java.util.ArrayList<>());
        h.send(new CallEvent.SnoopEnteredStasis(IN_SNOOP));
        h.ok(CallStep.SNOOP);
        h.send(new CallEvent.SnoopEnteredStasis(OUT_SNOOP));
        h.ok(CallStep.SNOOP_OUT);
        h.ok(CallStep.RECORD);
        h.ok(CallStep.RECORD_OUT);
        h.ok(FlowHarness.variable(Handback.VAR_OUTCOME));
        h.ok(FlowHarness.variable(Handback.VAR_CONSENT_ID));
        h.ok(FlowHarness.variable(Handback.VAR_RECORDING));
        h.ok(CallStep.CONTINUE);
        h.send(new CallEvent.StasisEnded());
        assertEquals(CallPhase.IN_DIALPLAN, h.state.phase());
        assertEquals(State.RECORDING, h.state.recording().state());
        return h;
    }

    private static Set<String> names(List<CallCommand> out, Class<? extends CallCommand> type) {
        return out.stream().filter(type::isInstance).map(c -> {
            if (c instanceof PauseRecording p) {
                return p.recordingName();
            } else if (c instanceof ResumeRecording r) {
                return r.recordingName();
            } else if (c instanceof StopRecording s) {
                return s.recordingName();
            } else if (c instanceof DiscardRecording d) {
                return d.recordingName();
            } else if (c instanceof HangupSnoop s) {
                return s.snoopId();
            }
            throw new AssertionError(c.toString());
        }).collect(Collectors.toSet());
    }

    private static RecordingRequest keyTo(List<CallCommand> out, String recordingName) {
        return (RecordingRequest) out.stream().filter(c -> c instanceof PauseRecording p && p.recordingName().equals(recordingName)
                || c instanceof ResumeRecording r && r.recordingName().equals(recordingName)).findFirst()
                .map(c -> c instanceof PauseRecording p ? p.key() : ((ResumeRecording) c).key())
                .orElseThrow(() -> new AssertionError("no request to " + recordingName + " in " + out));
    }

    @Test
    void givenStereo_whenSubscribed_thenTwoSnoopChannelsAreAskedForOneEachWay() {
        List<CallCommand> out = new java.util.ArrayList<>();
        toSnoops(out);
        List<CreateSnoop> snoops = of(out, CreateSnoop.class);
        assertEquals(2, snoops.size(), out.toString());
        assertEquals(IN_SNOOP, snoops.get(0).snoopId());
        assertEquals("in", snoops.get(0).spy());
        assertEquals(OUT_SNOOP, snoops.get(1).snoopId());
        assertEquals("out", snoops.get(1).spy());
    }

    @Test
    void givenStereo_whenOnlyOneSnoopIsReady_thenNothingIsRecordedYet_andBothAreRecordedWhenBothAre() {
        FlowHarness h = toSnoops(new java.util.ArrayList<>());
        h.send(new CallEvent.SnoopEnteredStasis(IN_SNOOP));
        assertTrue(of(h.ok(CallStep.SNOOP), StartRecording.class).isEmpty());
        h.ok(CallStep.SNOOP_OUT);
        List<StartRecording> records = of(h.send(new CallEvent.SnoopEnteredStasis(OUT_SNOOP)), StartRecording.class);
        assertEquals(List.of(IN, OUT), records.stream().map(StartRecording::recordingName).toList());
        assertEquals(List.of(IN_SNOOP, OUT_SNOOP), records.stream().map(StartRecording::snoopId).toList());
        assertTrue(of(h.ok(CallStep.RECORD), SetVariable.class).isEmpty(), "not handed back with one leg recording");
        assertNull(h.state.recording());
        List<CallCommand> out = h.ok(CallStep.RECORD_OUT);
        assertTrue(h.state.recording().stereo());
        assertEquals(1, of(out, AppendTimeline.class).size(), "one 'started' row for the call");
        assertEquals(3, of(out, SetVariable.class).size());
    }

    @Test
    void givenStereo_whenOneLegsRecordIsRefused_thenTheOtherIsDiscarded_andTheCallIsNotRecorded() {
        FlowHarness h = toSnoops(new java.util.ArrayList<>());
        h.send(new CallEvent.SnoopEnteredStasis(IN_SNOOP));
        h.ok(CallStep.SNOOP);
        h.send(new CallEvent.SnoopEnteredStasis(OUT_SNOOP));
        h.ok(CallStep.SNOOP_OUT);
        h.ok(CallStep.RECORD);
        List<CallCommand> out = h.fail(CallStep.RECORD_OUT, 500);
        assertEquals(Set.of(IN), names(out, DiscardRecording.class), "the leg that did start is discarded");
        assertTrue(names(out, HangupSnoop.class).containsAll(Set.of(IN_SNOOP, OUT_SNOOP)), out.toString());
        assertNull(h.state.recording());
        assertTrue(h.state.setup().failure().contains("out recording"), h.state.setup().failure());
        SetVariable recorded = of(out, SetVariable.class).stream()
                .filter(v -> v.name().equals(Handback.VAR_RECORDING)).findFirst().orElseThrow();
        assertEquals("0", recorded.value());
    }

    @Test
    void givenStereo_whenOneLegIsRefusedBeforeTheOtherIsAccepted_thenTheLateLegIsDiscardedToo() {
        FlowHarness h = toSnoops(new java.util.ArrayList<>());
        h.send(new CallEvent.SnoopEnteredStasis(IN_SNOOP));
        h.ok(CallStep.SNOOP);
        h.send(new CallEvent.SnoopEnteredStasis(OUT_SNOOP));
        h.ok(CallStep.SNOOP_OUT);
        h.fail(CallStep.RECORD, 500);
        List<CallCommand> late = h.ok(CallStep.RECORD_OUT);
        assertEquals(Set.of(OUT), names(late, DiscardRecording.class));
        assertEquals(Set.of(OUT_SNOOP), names(late, HangupSnoop.class));
        assertNull(h.state.recording());
    }

    @Test
    void givenStereo_whenAPaymentStarts_thenBothLegsArePaused_andPausedOnlyOnceBothAnswered() {
        FlowHarness h = recording();
        UUID request = UUID.randomUUID();
        List<CallCommand> out = h.send(new CallEvent.ControlRequested(request, ControlAction.PAUSE, "api:agent"));
        assertEquals(Set.of(IN, OUT), names(out, PauseRecording.class));
        assertTrue(out.get(0) instanceof PauseRecording && out.get(1) instanceof PauseRecording,
                "both pauses go out before anything else: " + out);
        List<CallCommand> first = h.ok(keyTo(out, OUT));
        assertEquals(State.PAUSE_PENDING, h.state.recording().state(), "one leg paused is not paused");
        assertTrue(of(first, ControlAnswered.class).isEmpty());
        assertTrue(of(first, AppendTimeline.class).isEmpty());
        List<CallCommand> second = h.ok(keyTo(out, IN));
        assertEquals(State.PAUSED, h.state.recording().state());
        assertEquals(ControlStatus.PAUSED, only(second, ControlAnswered.class).status());
        assertEquals(Change.PAUSED, only(second, AppendTimeline.class).entry().change(), "one row for the call");
        // a repeated answer of a leg changes nothing
        assertTrue(h.ok(keyTo(out, IN)).isEmpty());
    }

    @Test
    void givenStereo_whenOneLegRefusesThePause_thenBothLegsAreStoppedAndBothSnoopsHungUp() {
        FlowHarness h = recording();
        UUID request = UUID.randomUUID();
        List<CallCommand> out = h.send(new CallEvent.ControlRequested(request, ControlAction.PAUSE, "api:agent"));
        h.ok(keyTo(out, IN));
        List<CallCommand> closed = h.fail(keyTo(out, OUT), 500);
        assertEquals(Set.of(IN, OUT), names(closed, StopRecording.class));
        assertEquals(Set.of(IN_SNOOP, OUT_SNOOP), names(closed, HangupSnoop.class));
        assertEquals(State.STOPPED, h.state.recording().state());
        assertEquals(ControlStatus.PAUSE_FAILED_RECORDING_STOPPED, only(closed, ControlAnswered.class).status());
        assertEquals(Change.PAUSE_FAILED_STOPPED, only(closed, AppendTimeline.class).entry().change());
    }

    @Test
    void givenStereo_whenOnlyOneLegAcceptsThePauseByTheDeadline_thenBothAreStopped() {
        FlowHarness h = recording();
        List<CallCommand> out = h.send(new CallEvent.UserEvent("PaymentStart"));
        h.ok(keyTo(out, IN));
        List<CallCommand> closed = h.advance(Duration.ofMillis(500), new CallEvent.TimerFired(TimerKey.PAUSE_DEADLINE));
        assertEquals(Set.of(IN, OUT), names(closed, StopRecording.class));
        assertEquals(Set.of(IN_SNOOP, OUT_SNOOP), names(closed, HangupSnoop.class));
        assertEquals(State.STOPPED, h.state.recording().state());
    }

    @Test
    void givenStereo_whenTheCallerPausesByDtmf_thenBothLegsArePausedAndResumed() {
        FlowHarness h = recording();
        h.send(new CallEvent.DtmfReceived('*'));
        List<CallCommand> out = h.send(new CallEvent.DtmfReceived('7'));
        assertEquals(Set.of(IN, OUT), names(out, PauseRecording.class));
        h.ok(keyTo(out, IN));
        h.ok(keyTo(out, OUT));
        assertEquals(State.PAUSED, h.state.recording().state());
        h.send(new CallEvent.DtmfReceived('*'));
        List<CallCommand> resume = h.send(new CallEvent.DtmfReceived('8'));
        assertEquals(Set.of(IN, OUT), names(resume, ResumeRecording.class));
        h.ok(keyTo(resume, OUT));
        assertEquals(State.RESUME_PENDING, h.state.recording().state(), "one leg recording again is not recording");
        List<CallCommand> done = h.ok(keyTo(resume, IN));
        assertEquals(State.RECORDING, h.state.recording().state());
        assertEquals(Change.RESUMED, only(done, AppendTimeline.class).entry().change());
    }

    @Test
    void givenStereo_whenOneLegRefusesTheResume_thenBothStayPaused_andThePauseIsReassertedOnBothOnceBothAnswered() {
        FlowHarness h = recording();
        List<CallCommand> out = h.send(new CallEvent.UserEvent("PaymentStart"));
        h.ok(keyTo(out, IN));
        h.ok(keyTo(out, OUT));
        List<CallCommand> resume = h.send(new CallEvent.UserEvent("PaymentEnd"));
        assertTrue(h.fail(keyTo(resume, IN), 500).isEmpty(), "the other leg's resume is still in flight");
        List<CallCommand> answered = h.ok(keyTo(resume, OUT));
        assertEquals(Set.of(IN, OUT), names(answered, PauseRecording.class), "the leg that resumed is paused again");
        assertEquals(Change.RESUME_FAILED, only(answered, AppendTimeline.class).entry().change());
        assertEquals(RecordingRequest.Kind.REASSERT, keyTo(answered, OUT).kind());
        assertTrue(h.state.recording().isPaused());
    }

    @Test
    void givenStereo_whenTheCallerWithdraws_thenBothLegsAreDiscardedAndBothSnoopsHungUp() {
        FlowHarness h = recording();
        h.send(new CallEvent.DtmfReceived('*'));
        List<CallCommand> out = h.send(new CallEvent.DtmfReceived('9'));
        assertEquals(Set.of(IN, OUT), names(out, DiscardRecording.class));
        assertEquals(Set.of(IN_SNOOP, OUT_SNOOP), names(out, HangupSnoop.class));
        assertEquals(State.DISCARDED, h.state.recording().state());
    }

    @Test
    void givenStereo_whenTheCallEnds_thenBothLegsGoToTheArchiveTogether_onceBothFinished() {
        FlowHarness h = recording();
        h.send(new CallEvent.ChannelDestroyed());
        assertTrue(of(h.send(new CallEvent.RecordingFinished(OUT, 12)), ArchiveRecording.class).isEmpty());
        assertTrue(h.state.recording().isLive(), "the first leg still records");
        ArchiveRecording a = only(h.send(new CallEvent.RecordingFinished(IN, 12)), ArchiveRecording.class);
        assertEquals(IN, a.recordingName());
        assertEquals(OUT, a.outRecordingName());
        assertTrue(h.state.ended());
    }

    @Test
    void givenStereo_thenTheLegsStartTimesGoToTheArchive_andSurviveARestart() {
        FlowHarness h = recording();
        h.send(new CallEvent.RecordingStarted(IN, h.now.minusMillis(300)));
        List<CallCommand> out = h.send(new CallEvent.RecordingStarted(OUT, h.now.minusMillis(300 - 47)));
        assertEquals(1, of(out, CallCommand.SaveState.class).size(), "a time learnt after the start is saved");
        h.state = roundTrip(h.state, STEREO);
        h.send(new CallEvent.ChannelDestroyed());
        h.send(new CallEvent.RecordingFinished(IN, 12));
        ArchiveRecording a = only(h.send(new CallEvent.RecordingFinished(OUT, 12)), ArchiveRecording.class);
        assertEquals(47L, a.outOffsetMillis());
    }

    @Test
    void givenStereo_whenALegsStartTimeIsUnknown_thenTheArchiveIsToldSo() {
        FlowHarness h = recording();
        h.send(new CallEvent.RecordingStarted(OUT, h.now));
        h.send(new CallEvent.ChannelDestroyed());
        h.send(new CallEvent.RecordingFinished(IN, 12));
        assertNull(only(h.send(new CallEvent.RecordingFinished(OUT, 12)), ArchiveRecording.class).outOffsetMillis());
    }

    @Test
    void givenStereo_whenOneLegEndsWhileTheCallGoesOn_thenTheOtherIsStoppedToo() {
        FlowHarness h = recording();
        List<CallCommand> out = h.send(new CallEvent.RecordingFailed(OUT, "snoop gone"));
        assertEquals(Set.of(IN), names(out, StopRecording.class));
        assertEquals(Set.of(IN_SNOOP), names(out, HangupSnoop.class));
        assertEquals(OUT, only(h.send(new CallEvent.RecordingFinished(IN, 3)), ArchiveRecording.class).outRecordingName());
    }

    @Test
    void givenStereo_whenNoRecordingFinishedArrives_thenTheTeardownStopsBothLegs() {
        FlowHarness h = recording();
        h.send(new CallEvent.ChannelDestroyed());
        List<CallCommand> out = h.advance(Duration.ofSeconds(15), new CallEvent.TimerFired(TimerKey.TEARDOWN));
        assertEquals(Set.of(IN, OUT), names(out, StopRecording.class));
        assertEquals(Set.of(IN_SNOOP, OUT_SNOOP), names(out, HangupSnoop.class));
        assertEquals(OUT, only(out, ArchiveRecording.class).outRecordingName());
    }

    @Test
    void givenAStereoCallSavedWhilePaused_whenTakenOver_thenItIsStillStereo_andThePauseIsReassertedOnBothLegs() {
        FlowHarness before = recording();
        List<CallCommand> out = before.send(new CallEvent.UserEvent("PaymentStart"));
        before.ok(keyTo(out, IN));
        before.ok(keyTo(out, OUT));
        // a process that starts with mono settings still takes a stereo call over as stereo
        CallSettings mono = FlowHarness.settings(LawfulBasis.CONSENT);
        FlowHarness h = new FlowHarness(mono);
        h.state = roundTrip(before.state, mono);
        assertTrue(h.state.recording().stereo());
        assertEquals(OUT, h.state.recording().out().recordingName());
        List<CallCommand> again = h.send(new CallEvent.TakenOver(false));
        assertEquals(Set.of(IN, OUT), names(again, PauseRecording.class));
        h.ok(keyTo(again, IN));
        h.ok(keyTo(again, OUT));
        assertEquals(State.PAUSED, h.state.recording().state());
    }

    @Test
    void givenAStereoCallSavedWhileOneLegsPauseWasAnswered_whenReadBack_thenTheAnswerIsKept() {
        FlowHarness before = recording();
        List<CallCommand> out = before.send(new CallEvent.UserEvent("PaymentStart"));
        before.ok(keyTo(out, IN));
        CallState back = roundTrip(before.state, STEREO);
        assertEquals(before.state.recording().inFlight(), back.recording().inFlight());
        assertEquals(before.state.setup(), back.setup());
    }

    @Test
    void givenAMonoCall_thenNothingOfASecondLegIsAskedFor() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.toDialplanRecording();
        List<CallCommand> out = h.send(new CallEvent.UserEvent("PaymentStart"));
        assertEquals(Set.of(IN), names(out, PauseRecording.class));
        assertTrue(h.all.stream().noneMatch(c -> c.toString().contains(OUT)), h.all.toString());
    }

    private static CallState roundTrip(CallState s, CallSettings settings) {
        CallStateSnapshot snap = CallStateSnapshot.of(s);
        JsonObject json = new JsonObject(CallStateCodec.encode(s).encode());
        CallFacts f = s.facts();
        CallRepository.ActiveCall row = new CallRepository.ActiveCall(snap.callId(), f.channel().id(), f.channel().name(),
                f.channel().linkedId(), f.asteriskId(), f.startedAt(), snap.outcome(), snap.consentId(),
                snap.recordingName(), snap.snoopId(), snap.recordingState(), snap.paused(), snap.phase().wire(),
                f.subject(), 3, json);
        return CallStateCodec.decode(json, row, s.decision(), settings);
    }
}
