package org.consentrecorder.call;

import static org.consentrecorder.call.FlowHarness.of;
import static org.consentrecorder.call.FlowHarness.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.consentrecorder.call.CallCommand.Continue;
import org.consentrecorder.call.CallCommand.CreateSnoop;
import org.consentrecorder.call.CallCommand.Finished;
import org.consentrecorder.call.CallCommand.Play;
import org.consentrecorder.call.CallCommand.RecordDecision;
import org.consentrecorder.call.CallCommand.SetVariable;
import org.consentrecorder.call.CallCommand.StartRecording;
import org.consentrecorder.call.CallCommand.StopPlayback;
import org.consentrecorder.call.CallCommand.Subscribe;
import org.consentrecorder.call.CommandKey.CallStep;
import org.junit.jupiter.api.Test;

/** The consent IVR as a pure function of the call state: no I/O, a fake clock, commands asserted one by one. */
class CallFlowTest {

    private static boolean recordingRequested(FlowHarness h) {
        return h.any(c -> c instanceof CreateSnoop || c instanceof StartRecording || c instanceof Subscribe);
    }

    @Test
    void givenANewCall_whenItStarts_thenItIsAnsweredAndThePreferenceLookedUp() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        List<CallCommand> out = h.start("0301234567");
        assertInstanceOf(CallCommand.SaveState.class, out.get(0));
        assertInstanceOf(CallCommand.Answer.class, out.get(1));
        // a national number gets the configured country code: the subject key is normalized
        assertEquals("+49301234567", only(out, CallCommand.LoadPreference.class).subject());
        assertTrue(of(out, Play.class).isEmpty(), "nothing plays before the answer is confirmed");
    }

    @Test
    void givenTheChoicePrompt_whenTheCallerPressesOne_thenConsentIsGrantedAndTheCallRecordedBeforeContinuing() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.toWaiting();
        List<CallCommand> out = h.send(new CallEvent.DtmfReceived('1'));
        ConsentEvidence e = only(out, RecordDecision.class).evidence();
        assertEquals(Outcome.GRANTED, e.outcome());
        assertEquals(LawfulBasis.CONSENT, e.lawfulBasis());
        assertEquals("1", e.keysPressed());
        assertEquals(1, e.attempts());
        assertTrue(e.noticeCompleted());
        assertEquals(h.now, e.decidedAt());
        assertEquals("en-v1", e.noticeVersion());
        assertEquals(List.of("sound:consent-recorder/notice-consent", "sound:consent-recorder/choice-consent"), e.soundUris());
        assertEquals("+15551230001", e.callerSubject());
        assertEquals("1795538447.39", e.linkedId());

        // evidence first, then subscribe before anything is recorded
        assertEquals(List.of(new Subscribe(CallStep.SUBSCRIBE)), h.ok(CallStep.DECISION));
        List<CallCommand> snoop = h.ok(CallStep.SUBSCRIBE);
        assertEquals(h.state.snoopChannelId(), only(snoop, CreateSnoop.class).snoopId());
        assertEquals("both", only(snoop, CreateSnoop.class).spy());
        // the snoop response alone is not enough: Asterisk answers 409 until the snoop is in Stasis
        assertTrue(of(h.ok(CallStep.SNOOP), StartRecording.class).isEmpty());
        StartRecording rec = only(h.send(new CallEvent.SnoopEnteredStasis(h.state.snoopChannelId())), StartRecording.class);
        assertEquals(h.state.snoopChannelId(), rec.snoopId());
        assertEquals("wav", rec.format());

        List<CallCommand> vars = h.ok(CallStep.RECORD);
        assertEquals(List.of("granted", FlowHarness.CONSENT.toString(), "1"),
                of(vars, SetVariable.class).stream().map(SetVariable::value).toList());
        h.ok(FlowHarness.variable(Handback.VAR_OUTCOME));
        h.ok(FlowHarness.variable(Handback.VAR_CONSENT_ID));
        Continue cont = only(h.ok(FlowHarness.variable(Handback.VAR_RECORDING)), Continue.class);
        assertTrue(cont.target().isNextPriority());
        h.ok(CallStep.CONTINUE);
        assertEquals(CallPhase.IN_DIALPLAN, h.state.phase());
    }

    @Test
    void givenSnoopStasisStartAfterTheResponse_thenRecordingStartsOnlyOnceBothArrived() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.toWaiting();
        h.send(new CallEvent.DtmfReceived('1'));
        h.ok(CallStep.DECISION);
        h.ok(CallStep.SUBSCRIBE);
        assertTrue(of(h.send(new CallEvent.SnoopEnteredStasis(h.state.snoopChannelId())), StartRecording.class).isEmpty());
        assertEquals(1, of(h.ok(CallStep.SNOOP), StartRecording.class).size());
    }

    @Test
    void givenTheChoicePrompt_whenTheCallerPressesTwo_thenDeclinedAndNothingIsRecorded() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.toWaiting();
        h.send(new CallEvent.DtmfReceived('2'));
        List<CallCommand> vars = h.ok(CallStep.DECISION);
        assertEquals("declined", of(vars, SetVariable.class).get(0).value());
        assertEquals("0", of(vars, SetVariable.class).get(2).value());
        h.ok(FlowHarness.variable(Handback.VAR_OUTCOME));
        h.ok(FlowHarness.variable(Handback.VAR_CONSENT_ID));
        h.ok(FlowHarness.variable(Handback.VAR_RECORDING));
        h.ok(CallStep.CONTINUE);
        List<CallCommand> end = h.send(new CallEvent.StasisEnded());
        assertEquals(Outcome.DECLINED, only(end, Finished.class).outcome());
        assertFalse(recordingRequested(h), "no subscription, snoop or recording for a declined call");
    }

    @Test
    void givenAnInvalidKey_thenTheInvalidPromptPlaysAndTheNextValidKeyCounts() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.toWaiting();
        Play invalid = only(h.send(new CallEvent.DtmfReceived('7')), Play.class);
        assertEquals("sound:consent-recorder/invalid-choice", invalid.mediaUri());
        Play choice = only(h.send(new CallEvent.PlaybackFinished(invalid.playbackId(), false)), Play.class);
        assertEquals("sound:consent-recorder/choice-consent", choice.mediaUri());
        h.send(new CallEvent.PlaybackFinished(choice.playbackId(), false));
        ConsentEvidence e = only(h.send(new CallEvent.DtmfReceived('1')), RecordDecision.class).evidence();
        assertEquals(Outcome.GRANTED, e.outcome());
        assertEquals("71", e.keysPressed());
        assertEquals(2, e.attempts());
    }

    @Test
    void givenSilence_whenEveryAttemptTimesOut_thenNoResponseAndNoRecordingUnderConsent() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.toWaiting();
        Play repeat = only(h.advance(Duration.ofSeconds(8), new CallEvent.TimerFired(TimerKey.NO_INPUT)), Play.class);
        assertEquals("sound:consent-recorder/choice-consent", repeat.mediaUri());
        h.send(new CallEvent.PlaybackFinished(repeat.playbackId(), false));
        List<CallCommand> out = h.advance(Duration.ofSeconds(8), new CallEvent.TimerFired(TimerKey.NO_INPUT));
        ConsentEvidence e = only(out, RecordDecision.class).evidence();
        assertEquals(Outcome.NO_RESPONSE, e.outcome());
        assertEquals("", e.keysPressed());
        assertEquals(3, e.attempts());
        h.ok(CallStep.DECISION);
        assertFalse(recordingRequested(h), "silence is never consent");
    }

    @Test
    void givenLegitimateInterest_whenTheCallerStaysSilent_thenTheCallIsRecorded() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.LEGITIMATE_INTEREST));
        h.toWaiting();
        Play repeat = only(h.advance(Duration.ofSeconds(8), new CallEvent.TimerFired(TimerKey.NO_INPUT)), Play.class);
        h.send(new CallEvent.PlaybackFinished(repeat.playbackId(), false));
        ConsentEvidence e = only(h.advance(Duration.ofSeconds(8), new CallEvent.TimerFired(TimerKey.NO_INPUT)),
                RecordDecision.class).evidence();
        assertEquals(Outcome.NO_RESPONSE, e.outcome());
        assertEquals(LawfulBasis.LEGITIMATE_INTEREST, e.lawfulBasis());
        assertEquals(List.of(new Subscribe(CallStep.SUBSCRIBE)), h.ok(CallStep.DECISION));
    }

    @Test
    void givenLegitimateInterest_whenTheCallerObjects_thenOptedOutAndNothingIsRecorded() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.LEGITIMATE_INTEREST));
        h.toWaiting();
        ConsentEvidence e = only(h.send(new CallEvent.DtmfReceived('2')), RecordDecision.class).evidence();
        assertEquals(Outcome.OPTED_OUT, e.outcome());
        h.ok(CallStep.DECISION);
        assertFalse(recordingRequested(h));
    }

    @Test
    void givenTheNoticePlaying_whenTheCallerPressesOne_thenThePromptIsStoppedBeforeTheCallContinues() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        String notice = h.toNotice();
        List<CallCommand> out = h.send(new CallEvent.DtmfReceived('1'));
        StopPlayback stop = only(out, StopPlayback.class);
        assertEquals(notice, stop.playbackId());
        assertFalse(only(out, RecordDecision.class).evidence().noticeCompleted());
        // the evidence is written, but nothing goes on until the prompt has stopped:
        // Asterisk would hold continue until the playback ends (command-queue-vs-playback)
        assertTrue(h.ok(CallStep.DECISION).isEmpty());
        assertEquals(List.of(new Subscribe(CallStep.SUBSCRIBE)), h.ok(stop.key()));
    }

    @Test
    void givenTheNoticePlaying_whenTheCallerHangsUp_thenAbandonedAndNoFurtherRequests() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        String notice = h.toNotice();
        int before = h.all.size();
        List<CallCommand> out = h.send(new CallEvent.HangupRequested());
        assertEquals(Outcome.ABANDONED, only(out, RecordDecision.class).evidence().outcome());
        h.send(new CallEvent.PlaybackFinished(notice, true));
        h.send(new CallEvent.StasisEnded());
        List<CallCommand> end = h.ok(CallStep.DECISION);
        assertEquals(Outcome.ABANDONED, only(end, Finished.class).outcome());
        assertTrue(h.all.subList(before, h.all.size()).stream().noneMatch(c -> c instanceof Play
                || c instanceof StopPlayback || c instanceof Continue || c instanceof SetVariable));
    }

    @Test
    void givenDoNotRecordOnFile_thenTheNotRecordedNoticePlaysAndNobodyIsAsked() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.start("+15551230001");
        h.ok(CallStep.ANSWER);
        Play p = only(h.send(new CallEvent.PreferenceLoaded(true)), Play.class);
        assertEquals("sound:consent-recorder/not-recorded", p.mediaUri());
        assertTrue(h.send(new CallEvent.DtmfReceived('7')).isEmpty(), "only the accept key means anything here");
        List<CallCommand> finished = h.send(new CallEvent.PlaybackFinished(p.playbackId(), false));
        assertEquals(TimerKey.REGRANT, only(finished, CallCommand.StartTimer.class).key());
        ConsentEvidence e = only(h.advance(Duration.ofSeconds(4), new CallEvent.TimerFired(TimerKey.REGRANT)),
                RecordDecision.class).evidence();
        assertEquals(Outcome.DO_NOT_RECORD, e.outcome());
        assertEquals("en-v1-not-recorded", e.noticeVersion());
        h.ok(CallStep.DECISION);
        assertFalse(recordingRequested(h));
    }

    @Test
    void givenDoNotRecordOnFile_whenTheCallerPressesTheAcceptKey_thenRecordingIsAllowedAgain() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.start("+15551230001");
        h.ok(CallStep.ANSWER);
        Play p = only(h.send(new CallEvent.PreferenceLoaded(true)), Play.class);
        List<CallCommand> out = h.send(new CallEvent.DtmfReceived('1'));
        assertEquals(p.playbackId(), only(out, StopPlayback.class).playbackId());
        ConsentEvidence e = only(out, RecordDecision.class).evidence();
        assertEquals(Outcome.GRANTED, e.outcome());
        assertEquals("en-v1-not-recorded", e.noticeVersion(), "granted after hearing the not-recorded notice");
        assertEquals("1", e.keysPressed());
        h.ok(CallStep.DECISION);
        assertEquals(List.of(new Subscribe(CallStep.SUBSCRIBE)), h.ok(only(out, StopPlayback.class).key()));
    }

    @Test
    void givenAFailedPrompt_thenTheOutcomeIsErrorAndNothingIsRecorded() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.LEGITIMATE_INTEREST));
        String notice = h.toNotice();
        ConsentEvidence e = only(h.send(new CallEvent.PlaybackFinished(notice, true)), RecordDecision.class).evidence();
        assertEquals(Outcome.ERROR, e.outcome());
        h.ok(CallStep.DECISION);
        assertFalse(recordingRequested(h), "a caller who did not hear the notice is not recorded, whatever the basis");
    }

    @Test
    void givenThePlayRequestFindsNoChannel_thenTheCallerHungUpAndTheOutcomeIsAbandoned() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.start("+15551230001");
        h.ok(CallStep.ANSWER);
        Play p = only(h.send(new CallEvent.PreferenceLoaded(false)), Play.class);
        List<CallCommand> out = h.fail(p.key(), 404);
        assertEquals(Outcome.ABANDONED, only(out, RecordDecision.class).evidence().outcome());
        assertTrue(of(out, StopPlayback.class).isEmpty());
    }

    @Test
    void givenAPromptThatNeverEnds_thenTheGuardTimerEndsTheIvr() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        String notice = h.toNotice();
        List<CallCommand> out = h.advance(Duration.ofSeconds(90), new CallEvent.TimerFired(TimerKey.PROMPT_GUARD));
        assertEquals(Outcome.ERROR, only(out, RecordDecision.class).evidence().outcome());
        assertEquals(notice, only(out, StopPlayback.class).playbackId());
    }

    @Test
    void givenASecondLanguageDialledNumber_thenItsNoticeSetIsUsed() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.send(new CallEvent.Started(new ChannelSnapshot("c1", "PJSIP/x", "+4930999", null, "4930123", "en", null),
                List.of(), "a"));
        h.ok(CallStep.ANSWER);
        assertEquals("de", only(h.send(new CallEvent.PreferenceLoaded(false)), Play.class).language());
    }

    @Test
    void givenTheSnoopFails_thenTheCallContinuesUnrecordedAndSaysSo() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.toWaiting();
        h.send(new CallEvent.DtmfReceived('1'));
        h.ok(CallStep.DECISION);
        h.ok(CallStep.SUBSCRIBE);
        List<CallCommand> out = h.fail(CallStep.SNOOP, 404);
        assertEquals("0", of(out, SetVariable.class).get(2).value());
        assertTrue(h.state.setup().failure().contains("snoop"));
        assertTrue(of(h.all, StartRecording.class).isEmpty());
    }

    @Test
    void givenTheRecordRequestIsRefused_thenTheSnoopIsHungUpAndTheCallContinues() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.toWaiting();
        h.send(new CallEvent.DtmfReceived('1'));
        h.ok(CallStep.DECISION);
        h.ok(CallStep.SUBSCRIBE);
        h.ok(CallStep.SNOOP);
        h.send(new CallEvent.SnoopEnteredStasis(h.state.snoopChannelId()));
        List<CallCommand> out = h.fail(CallStep.RECORD, 409);
        assertEquals(h.state.snoopChannelId(), only(out, CallCommand.HangupSnoop.class).snoopId());
        assertEquals("0", of(out, SetVariable.class).get(2).value());
    }

    @Test
    void givenTheEvidenceCannotBeStored_thenTheCallIsNotRecorded() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.toWaiting();
        h.send(new CallEvent.DtmfReceived('1'));
        List<CallCommand> out = h.fail(CallStep.DECISION, 0);
        // nothing stored, nothing claimed: not "granted", and no evidence id to point at
        assertEquals("error", of(out, SetVariable.class).get(0).value());
        assertEquals("", of(out, SetVariable.class).get(1).value());
        assertEquals("0", of(out, SetVariable.class).get(2).value());
        assertEquals(Outcome.ERROR, h.state.outcome());
        assertFalse(recordingRequested(h));
    }

    @Test
    void givenARecordedCall_whenTheCallerHangsUp_thenItEndsWhenTheRecordingFinishes() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.toDialplanRecording();
        List<CallCommand> hangup = h.send(new CallEvent.HangupRequested());
        assertTrue(of(hangup, Finished.class).isEmpty());
        List<CallCommand> done = h.send(new CallEvent.RecordingFinished(h.state.recordingName(), 4));
        assertEquals(Outcome.GRANTED, only(done, Finished.class).outcome());
        assertEquals(CallPhase.ENDED, h.state.phase());
    }

    @Test
    void givenARecordedCall_whenNoRecordingFinishedArrives_thenTeardownStopsItAndEnds() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.toDialplanRecording();
        h.send(new CallEvent.ChannelDestroyed());
        List<CallCommand> out = h.advance(Duration.ofSeconds(15), new CallEvent.TimerFired(TimerKey.TEARDOWN));
        assertEquals(h.state.recordingName(), only(out, CallCommand.StopRecording.class).recordingName());
        assertEquals(1, of(out, Finished.class).size());
    }

    @Test
    void givenAPaymentTriggerBeforeContinueIsAnswered_thenThePauseIsSentAtOnce() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.toWaiting();
        h.send(new CallEvent.DtmfReceived('1'));
        h.ok(CallStep.DECISION);
        h.ok(CallStep.SUBSCRIBE);
        h.send(new CallEvent.SnoopEnteredStasis(h.state.snoopChannelId()));
        h.ok(CallStep.SNOOP);
        h.ok(CallStep.RECORD);
        // the dialplan raises UserEvent(PaymentStart) right after Stasis(): it can overtake the variables
        List<CallCommand> out = h.send(new CallEvent.UserEvent("PaymentStart"));
        assertEquals(1, of(out, CallCommand.PauseRecording.class).size());
        h.ok(FlowHarness.variable(Handback.VAR_OUTCOME));
        h.ok(FlowHarness.variable(Handback.VAR_CONSENT_ID));
        assertEquals(1, of(h.ok(FlowHarness.variable(Handback.VAR_RECORDING)), Continue.class).size(), "and the call still continues");
        assertTrue(h.state.recording().isPaused());
    }

    @Test
    void givenABargeInStopThatOvertookThePlay_thenThePromptIsStoppedTheMomentItStarts() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.start("+15551230001");
        h.ok(CallStep.ANSWER);
        Play notice = only(h.send(new CallEvent.PreferenceLoaded(false)), Play.class);
        StopPlayback stop = only(h.send(new CallEvent.DtmfReceived('7')), StopPlayback.class);
        // Asterisk handled the stop before the play: nothing to stop yet
        Play invalid = only(h.fail(stop.key(), 404), Play.class);
        assertEquals("sound:consent-recorder/invalid-choice", invalid.mediaUri());
        StopPlayback again = only(h.ok(notice.key()), StopPlayback.class);
        assertEquals(notice.playbackId(), again.playbackId());
        assertTrue(h.send(new CallEvent.PlaybackStarted(notice.playbackId())).isEmpty(), "stopped once");
        assertTrue(h.ok(again.key()).isEmpty(), "its answer changes nothing");
    }

    @Test
    void givenEventsBeforeStart_thenTheyAreIgnored() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        assertTrue(h.send(new CallEvent.DtmfReceived('1')).isEmpty());
        assertTrue(h.send(new CallEvent.PlaybackFinished("x", false)).isEmpty());
        assertNull(h.state.outcome());
    }

    @Test
    void givenAHangupDuringRecordingSetup_thenTheSnoopIsCleanedUpAndTheCallEnds() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.toWaiting();
        h.send(new CallEvent.DtmfReceived('1'));
        h.ok(CallStep.DECISION);
        h.ok(CallStep.SUBSCRIBE);
        List<CallCommand> out = h.send(new CallEvent.HangupRequested());
        assertEquals(1, of(out, CallCommand.HangupSnoop.class).size());
        assertEquals(1, of(out, Finished.class).size());
        assertTrue(h.ok(CallStep.SNOOP).isEmpty(), "late answers after the end are ignored");
    }

    @Test
    void givenARecordedCall_whenAnOperatorStopsIt_thenItIsDiscardedAsAnOperatorStopAndNoWithdrawalIsWritten() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.toDialplanRecording();
        java.util.UUID request = java.util.UUID.randomUUID();
        List<CallCommand> out = h.send(new CallEvent.ControlRequested(request, ControlAction.STOP, "api:supervisor-1"));
        assertEquals(1, of(out, CallCommand.DiscardRecording.class).size());
        assertEquals(1, of(out, CallCommand.HangupSnoop.class).size());
        TimelineEntry row = only(out, CallCommand.AppendTimeline.class).entry();
        assertEquals(TimelineEntry.Change.STOPPED_BY_OPERATOR, row.change());
        assertEquals(TriggerKind.API, row.trigger());
        assertEquals("api:supervisor-1", row.triggerDetail());
        assertEquals(ControlStatus.DISCARDED, only(out, CallCommand.ControlAnswered.class).status());
        // the caller did nothing: no "withdrawn" evidence, hence no "do not record" either
        assertTrue(of(out, RecordDecision.class).isEmpty(), out.toString());
        assertFalse(h.any(c -> c instanceof RecordDecision d && (d.key() == CallStep.WITHDRAWAL
                || d.evidence().outcome() == Outcome.WITHDRAWN)), "no withdrawal anywhere in the call");
        assertEquals(RecordingControl.State.DISCARDED, h.state.recording().state());
        assertEquals(Outcome.GRANTED, h.state.outcome(), "the caller's consent stands");
    }

    @Test
    void givenARecordedCall_whenTheCallerKeysTheWithdrawSequence_thenWithdrawnEvidenceIsWritten() {
        FlowHarness h = new FlowHarness(FlowHarness.settings(LawfulBasis.CONSENT));
        h.toDialplanRecording();
        h.advance(Duration.ofMillis(200), new CallEvent.DtmfReceived('*'));
        List<CallCommand> out = h.advance(Duration.ofMillis(200), new CallEvent.DtmfReceived('9'));
        RecordDecision d = only(out, RecordDecision.class);
        assertEquals(CallStep.WITHDRAWAL, d.key());
        assertEquals(Outcome.WITHDRAWN, d.evidence().outcome());
        assertEquals("caller", d.evidence().decidedBy());
        assertEquals(TimelineEntry.Change.WITHDRAWN_DISCARDED, only(out, CallCommand.AppendTimeline.class).entry().change());
    }
}
