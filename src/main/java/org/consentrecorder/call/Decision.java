package org.consentrecorder.call;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.consentrecorder.call.CallCommand.CancelTimer;
import org.consentrecorder.call.CallCommand.RecordDecision;
import org.consentrecorder.call.CallCommand.SaveState;
import org.consentrecorder.call.CallState.EvidenceWrite;
import org.consentrecorder.call.CommandKey.CallStep;
import org.consentrecorder.call.CommandKey.StopPrompt;

/**
 * The consent decision and its evidence: the moment the dialogue ends, what is written (who was
 * asked, what they heard and pressed, under which basis), and the rule that nothing is recorded
 * unless that evidence is stored and allows it. Kept on its own because it is the one place every
 * path of the dialogue (key, silence, hangup, failed prompt) goes through, and the rule auditors read.
 */
final class Decision {
    private Decision() {
    }

    /** Decides once; later calls change nothing. A prompt still playing is stopped before the call goes on. */
    static CallState decide(CallSettings cfg, CallState s, Outcome decided, Instant now, List<CallCommand> out) {
        if (s.outcome() != null) {
            return s;
        }
        out.add(new CancelTimer(TimerKey.NO_INPUT));
        out.add(new CancelTimer(TimerKey.PROMPT_GUARD));
        out.add(new CancelTimer(TimerKey.REGRANT));
        ConsentEvidence e = evidence(cfg, s, decided, now);
        out.add(new RecordDecision(CallStep.DECISION, e));
        CallState n = s.withDecision(decided, e);
        if (n.channelGone()) {
            n = n.withPhase(CallPhase.ENDING);
        } else {
            n = n.withPhase(CallPhase.CLOSING);
            if (n.dialogue().current() != null) {
                n = ConsentDialogue.stopPrompt(n.withDialogue(n.dialogue().withClosingStopPending(true)),
                        StopPrompt.Why.DECIDED, out);
            }
        }
        out.add(new SaveState(CallStateSnapshot.of(n)));
        return n;
    }

    static CallState onEvidenceResult(CallSettings cfg, CallState s, boolean ok, Instant now, List<CallCommand> out) {
        CallState n = s.withEvidence(ok ? EvidenceWrite.WRITTEN : EvidenceWrite.FAILED);
        if (!ok) {
            // what was not stored is not claimed: the dialplan, the call row and the end all say error
            // (the decision the caller made stays in the state, unstored, for the log)
            n = n.withDecision(Outcome.ERROR, n.decision());
        }
        if (n.phase() == CallPhase.ENDING && n.recording() == null) {
            return CallEnding.finish(n, now, out);
        }
        return proceed(cfg, n, out);
    }

    /** Once the evidence is answered and no prompt plays any more: record, or hand the call back unrecorded. */
    static CallState proceed(CallSettings cfg, CallState s, List<CallCommand> out) {
        if (s.phase() != CallPhase.CLOSING || s.dialogue().closingStopPending() || !s.evidence().answered()) {
            return s;
        }
        if (s.evidence() == EvidenceWrite.FAILED) {
            // without stored evidence we could not prove consent later: do not record
            return Handback.setVariables(s.withSetup(s.setup().failed("the consent evidence could not be stored")), out);
        }
        return s.outcome().allowsRecording(cfg.ivr().basis()) ? RecordingSetup.begin(s, out) : Handback.setVariables(s, out);
    }

    private static ConsentEvidence evidence(CallSettings cfg, CallState s, Outcome decided, Instant at) {
        CallFacts f = s.facts();
        ChannelSnapshot ch = f.channel();
        NoticeSet notice = f.notice();
        DialogueState d = s.dialogue();
        return new ConsentEvidence(
                s.consentId(), s.callId(), null, ch.id(), ch.linkedId(),
                ch.callerNumber(), ch.callerName(), f.subject(), ch.dialledNumber(),
                d.noticeStartedAt(), d.noticeCompleted(), at,
                notice.id(), notice.language(), d.doNotRecordOnFile() ? notice.notRecordedVersion() : notice.version(),
                d.doNotRecordOnFile() ? notice.notRecorded().text() : notice.informedText(),
                d.playedUris(), d.keys(), d.attempts(), decided, cfg.ivr().basis(), f.asteriskId(), "caller");
    }

    /** The withdrawal row repeats what the caller was told, and points at the decision it ends. */
    static ConsentEvidence withdrawn(CallState s, RecordingControl.Withdrawal w) {
        ConsentEvidence d = s.decision();
        UUID id = UUID.nameUUIDFromBytes((s.consentId() + ":withdrawn").getBytes(StandardCharsets.UTF_8));
        return new ConsentEvidence(id, s.callId(), s.consentId(), d.channelId(), d.linkedId(),
                d.callerNumber(), d.callerName(), d.callerSubject(), d.dialledNumber(), d.noticeStartedAt(),
                d.noticeCompleted(), w.at(), d.noticeSetId(), d.language(), d.noticeVersion(), d.noticeText(),
                d.soundUris(), d.keysPressed(), d.attempts(), Outcome.WITHDRAWN, d.lawfulBasis(), d.asteriskId(),
                w.by());
    }
}
