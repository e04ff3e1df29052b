package org.consentrecorder.call;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.consentrecorder.call.CallCommand.Continue;
import org.consentrecorder.call.CallCommand.SaveState;
import org.consentrecorder.call.CallCommand.SetVariable;
import org.consentrecorder.call.CallCommand.StartTimer;
import org.consentrecorder.call.CommandKey.CallStep;
import org.consentrecorder.call.CommandKey.SetChannelVariable;

/**
 * Handing the call back to the dialplan: set CONSENT_OUTCOME, CONSENT_ID and CONSENT_RECORDING,
 * then continue at the target configured for the outcome (retried once). A recorded call stays
 * ours while it is in the dialplan; an unrecorded one ends when it has left Stasis. Pure functions
 * of the call's state; its own part is {@link State}.
 */
public final class Handback {
    public static final String VAR_OUTCOME = "CONSENT_OUTCOME";
    public static final String VAR_CONSENT_ID = "CONSENT_ID";
    public static final String VAR_RECORDING = "CONSENT_RECORDING";
    private static final Duration CONTINUE_RETRY = Duration.ofMillis(500);

    /** The hand-back's part of the call state. */
    public record State(int pendingVariables, int continueAttempts) {
        static State initial() {
            return new State(0, 0);
        }
    }

    private Handback() {
    }

    static CallState setVariables(CallState s, List<CallCommand> out) {
        out.add(new SetVariable(new SetChannelVariable(VAR_OUTCOME), VAR_OUTCOME, s.outcome().wire()));
        // no evidence row, no id to point at
        String consentId = s.evidence() == CallState.EvidenceWrite.WRITTEN ? s.consentId().toString() : "";
        out.add(new SetVariable(new SetChannelVariable(VAR_CONSENT_ID), VAR_CONSENT_ID, consentId));
        out.add(new SetVariable(new SetChannelVariable(VAR_RECORDING), VAR_RECORDING, s.recording() != null ? "1" : "0"));
        return s.withPhase(CallPhase.SETTING_VARIABLES).withHandback(new State(3, s.handback().continueAttempts()));
    }

    static CallState onVariableResult(CallSettings cfg, CallState s, List<CallCommand> out) {
        if (s.phase() != CallPhase.SETTING_VARIABLES) {
            return s;
        }
        State h = s.handback();
        CallState n = s.withHandback(new State(h.pendingVariables() - 1, h.continueAttempts()));
        return n.handback().pendingVariables() == 0 ? sendContinue(cfg, n.withPhase(CallPhase.CONTINUING), out) : n;
    }

    static CallState onRetryTimer(CallSettings cfg, CallState s, List<CallCommand> out) {
        return s.phase() == CallPhase.CONTINUING ? sendContinue(cfg, s, out) : s;
    }

    private static CallState sendContinue(CallSettings cfg, CallState s, List<CallCommand> out) {
        out.add(new Continue(CallStep.CONTINUE, cfg.ivr().targets().forOutcome(s.outcome())));
        State h = s.handback();
        return s.withHandback(new State(h.pendingVariables(), h.continueAttempts() + 1));
    }

    static CallState onContinueResult(CallSettings cfg, CallState s, boolean ok, int status, Instant now,
                                      List<CallCommand> out) {
        if (s.phase() != CallPhase.CONTINUING) {
            return s;
        }
        if (ok || status == 404 || status == 409) {
            // 404: the channel is gone; 409: it already left Stasis. Either way it is not ours to hold.
            if (s.recording() != null) {
                boolean gone = s.channelGone() || status == 404;
                CallState n = s.withPhase(gone ? CallPhase.ENDING : CallPhase.IN_DIALPLAN);
                if (gone) {
                    out.add(new StartTimer(TimerKey.TEARDOWN, cfg.recording().teardownTimeout()));
                }
                out.add(new SaveState(CallStateSnapshot.of(n)));
                return n;
            }
            if (s.stasisEnded() || s.channelGone() || !ok) {
                return CallEnding.finish(s, now, out);
            }
            return s.withPhase(CallPhase.ENDING);
        }
        if (s.handback().continueAttempts() < 2) {
            out.add(new StartTimer(TimerKey.CONTINUE_RETRY, CONTINUE_RETRY));
            return s;
        }
        // keep the call: it is still in Stasis; the operator sees the error in the log
        return s.withPhase(s.recording() != null ? CallPhase.IN_DIALPLAN : CallPhase.ENDING);
    }
}
