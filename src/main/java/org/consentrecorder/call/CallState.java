package org.consentrecorder.call;

import java.util.UUID;

/**
 * Everything the core knows about one call, as one immutable value: {@link CallCore} maps a state
 * and an event to the next state and the commands for the shell. The same value is what
 * {@link CallStateSnapshot} saves, so a call taken over after a restart continues from it.
 *
 * <p>Each concern keeps its own part: the consent dialogue ({@link DialogueState}), the
 * recording set-up ({@link RecordingSetup.State}), the hand-back to the dialplan
 * ({@link Handback.State}) and the live recording ({@link RecordingControl}); what they share
 * (the phase, the caller's channel, the decision) is here.
 *
 * @param facts null until the call has started
 * @param channelGone the caller hung up (or the channel is gone)
 * @param stasisEnded the caller's channel left Stasis (our continue, or a hangup)
 * @param ariDown the event connection to Asterisk is down: no trigger could reach us
 * @param decision the evidence written for the outcome; null until decided
 * @param recording null until Asterisk accepted the record request
 * @param recordingEndHandled the end of the recording was handled (handed to the archive or discarded)
 */
public record CallState(
        UUID callId,
        UUID consentId,
        CallPhase phase,
        CallFacts facts,
        boolean channelGone,
        boolean stasisEnded,
        boolean ariDown,
        Outcome outcome,
        ConsentEvidence decision,
        EvidenceWrite evidence,
        DialogueState dialogue,
        RecordingSetup.State setup,
        Handback.State handback,
        RecordingControl recording,
        boolean recordingEndHandled) {

    /** Whether the decision's evidence row was written; the call goes on only once it is answered. */
    public enum EvidenceWrite {
        PENDING, WRITTEN, FAILED;

        public boolean answered() {
            return this != PENDING;
        }
    }

    /** A call that has not started yet: its ids are chosen before any request is sent. */
    public static CallState initial(UUID callId, UUID consentId) {
        return new CallState(callId, consentId, CallPhase.NEW, null, false, false, false, null, null,
                EvidenceWrite.PENDING, DialogueState.initial(), RecordingSetup.State.initial(),
                Handback.State.initial(), null, false);
    }

    /** The name of the recording this call uses (or will use) when recorded. */
    public String recordingName() {
        return CallIds.recordingName(callId);
    }

    /** The snoop channel id this call uses (or will use) when recorded. */
    public String snoopChannelId() {
        return CallIds.snoopId(callId);
    }

    /** The name of the second leg's recording of a stereo call. */
    public String outRecordingName() {
        return CallIds.outRecordingName(callId);
    }

    /** Whether this call is (or is being set up to be) recorded in stereo: its own choice, kept across restarts. */
    public boolean stereo() {
        return recording != null ? recording.stereo() : setup.stereo();
    }

    /** True while a snoop channel of this call may legitimately exist (the sweep asks). */
    public boolean snoopExpected() {
        return phase == CallPhase.SETTING_UP_RECORDING
                || (recording != null && recording.isLive() && phase != CallPhase.ENDED);
    }

    public boolean ended() {
        return phase == CallPhase.ENDED;
    }

    // ---- the next value, one part at a time ------------------------------------------------------

    public CallState withPhase(CallPhase p) {
        return new CallState(callId, consentId, p, facts, channelGone, stasisEnded, ariDown, outcome, decision,
                evidence, dialogue, setup, handback, recording, recordingEndHandled);
    }

    public CallState withFacts(CallFacts f) {
        return new CallState(callId, consentId, phase, f, channelGone, stasisEnded, ariDown, outcome, decision,
                evidence, dialogue, setup, handback, recording, recordingEndHandled);
    }

    public CallState withChannelGone(boolean gone) {
        return new CallState(callId, consentId, phase, facts, gone, stasisEnded, ariDown, outcome, decision,
                evidence, dialogue, setup, handback, recording, recordingEndHandled);
    }

    public CallState withStasisEnded(boolean ended) {
        return new CallState(callId, consentId, phase, facts, channelGone, ended, ariDown, outcome, decision,
                evidence, dialogue, setup, handback, recording, recordingEndHandled);
    }

    public CallState withAriDown(boolean down) {
        return new CallState(callId, consentId, phase, facts, channelGone, stasisEnded, down, outcome, decision,
                evidence, dialogue, setup, handback, recording, recordingEndHandled);
    }

    public CallState withDecision(Outcome o, ConsentEvidence d) {
        return new CallState(callId, consentId, phase, facts, channelGone, stasisEnded, ariDown, o, d,
                evidence, dialogue, setup, handback, recording, recordingEndHandled);
    }

    public CallState withEvidence(EvidenceWrite e) {
        return new CallState(callId, consentId, phase, facts, channelGone, stasisEnded, ariDown, outcome, decision,
                e, dialogue, setup, handback, recording, recordingEndHandled);
    }

    public CallState withDialogue(DialogueState d) {
        return new CallState(callId, consentId, phase, facts, channelGone, stasisEnded, ariDown, outcome, decision,
                evidence, d, setup, handback, recording, recordingEndHandled);
    }

    public CallState withSetup(RecordingSetup.State s) {
        return new CallState(callId, consentId, phase, facts, channelGone, stasisEnded, ariDown, outcome, decision,
                evidence, dialogue, s, handback, recording, recordingEndHandled);
    }

    public CallState withHandback(Handback.State h) {
        return new CallState(callId, consentId, phase, facts, channelGone, stasisEnded, ariDown, outcome, decision,
                evidence, dialogue, setup, h, recording, recordingEndHandled);
    }

    public CallState withRecording(RecordingControl r) {
        return new CallState(callId, consentId, phase, facts, channelGone, stasisEnded, ariDown, outcome, decision,
                evidence, dialogue, setup, handback, r, recordingEndHandled);
    }

    public CallState withRecordingEndHandled() {
        return new CallState(callId, consentId, phase, facts, channelGone, stasisEnded, ariDown, outcome, decision,
                evidence, dialogue, setup, handback, recording, true);
    }
}
