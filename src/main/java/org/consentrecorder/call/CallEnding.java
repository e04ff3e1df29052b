package org.consentrecorder.call;

import java.time.Instant;
import java.util.List;
import org.consentrecorder.call.CallCommand.ArchiveRecording;
import org.consentrecorder.call.CallCommand.CancelTimer;
import org.consentrecorder.call.CallCommand.Finished;
import org.consentrecorder.call.CallCommand.HangupSnoop;
import org.consentrecorder.call.CallCommand.SaveState;
import org.consentrecorder.call.CallCommand.StartTimer;
import org.consentrecorder.call.CallCommand.StopRecording;
import org.consentrecorder.call.CommandKey.CallStep;

/**
 * How a call ends: the caller hangs up (in the dialogue, during set-up, or in the dialplan), the
 * recording finishes and goes to the archive, or no RecordingFinished arrives and the teardown
 * timer makes sure nothing keeps recording. Every path ends in {@link #finish}, after which the
 * core answers nothing. Pure functions of the call's state.
 */
final class CallEnding {
    private CallEnding() {
    }

    static CallState onHangup(CallSettings cfg, CallState s, Instant now, List<CallCommand> out) {
        return onChannelGone(cfg, s.withChannelGone(true), now, out);
    }

    static CallState onStasisEnded(CallSettings cfg, CallState s, Instant now, List<CallCommand> out) {
        CallState n = s.withStasisEnded(true);
        return switch (n.phase()) {
            // our own continue: the call goes on in the dialplan
            case CONTINUING, IN_DIALPLAN -> n;
            case ENDING -> n.recording() == null && n.outcome() != null && n.evidence().answered()
                    ? finish(n, now, out) : n;
            // left Stasis without our continue: gone
            default -> onChannelGone(cfg, n.withChannelGone(true), now, out);
        };
    }

    private static CallState onChannelGone(CallSettings cfg, CallState s, Instant now, List<CallCommand> out) {
        if (s.outcome() == null) {
            if (s.phase() == CallPhase.NEW) {
                return s.withPhase(CallPhase.ENDED);
            }
            return Decision.decide(cfg, s.withDialogue(s.dialogue().withCurrent(null)), Outcome.ABANDONED, now, out);
        }
        switch (s.phase()) {
            case CLOSING, SETTING_UP_RECORDING, SETTING_VARIABLES, CONTINUING, IN_DIALPLAN -> {
                if (s.recording() != null && s.recording().isLive()) {
                    CallState n = s.withPhase(CallPhase.ENDING);
                    out.add(new StartTimer(TimerKey.TEARDOWN, cfg.recording().teardownTimeout()));
                    out.add(new SaveState(CallStateSnapshot.of(n)));
                    return n;
                }
                if (s.setup().recordRequested() && s.recording() == null && !s.setup().allRecordsAnswered()) {
                    // the record request is still in flight: wait for its answer
                    out.add(new StartTimer(TimerKey.TEARDOWN, cfg.recording().teardownTimeout()));
                    return s.withPhase(CallPhase.ENDING);
                }
                if (s.setup().snoopId() != null && s.recording() == null) {
                    for (Leg leg : s.setup().legs()) {
                        out.add(new HangupSnoop(CallStep.SNOOP_CLEANUP, s.setup().snoopOf(leg)));
                    }
                }
                return s.evidence().answered() ? finish(s, now, out) : s.withPhase(CallPhase.ENDING);
            }
            default -> {
                return s;
            }
        }
    }

    static CallState onRecordingEnded(CallSettings cfg, CallState s, String name, Integer durationSeconds, Instant now,
                                      List<CallCommand> out) {
        RecordingControl r = s.recording();
        if (r == null || s.recordingEndHandled() || r.legOf(name).isEmpty()) {
            return s;
        }
        if (r.stereo()) {
            Leg leg = r.legOf(name).get();
            RecordingControl withLeg = r.withLegFinished(leg);
            if (!withLeg.allLegsFinished()) {
                if (r.isLive() && s.phase() != CallPhase.ENDING) {
                    // one leg ended while the call goes on (its snoop channel went away, Asterisk failed
                    // it): the other is stopped too, so that both cover the same span of the call
                    Leg other = leg == Leg.IN ? Leg.OUT : Leg.IN;
                    out.add(new StopRecording(CallStep.TEARDOWN_STOP, withLeg.recordingNameOf(other)));
                    out.add(new HangupSnoop(CallStep.TEARDOWN_SNOOP, withLeg.snoopIdOf(other)));
                }
                return s.withRecording(withLeg);
            }
            r = withLeg;
            s = s.withRecording(r);
        }
        archiveUnlessDiscarded(s, durationSeconds, out);
        RecordingControl.Step ended = r.onRecordingEnded(cfg.recording(), now);
        out.addAll(ended.commands());
        CallState n = s.withRecordingEndHandled().withRecording(ended.control());
        out.add(new SaveState(CallStateSnapshot.of(n)));
        return n.phase() == CallPhase.ENDING || n.channelGone() ? finish(n, now, out) : n;
    }

    /** No RecordingFinished arrived after the hangup: make sure nothing keeps recording, then let go. */
    static CallState onTeardownTimer(CallSettings cfg, CallState s, Instant now, List<CallCommand> out) {
        if (s.phase() != CallPhase.ENDING) {
            return s;
        }
        RecordingControl r = s.recording();
        CallState n = s;
        if (r != null && r.isLive()) {
            for (Leg leg : r.legs()) {
                out.add(new StopRecording(CallStep.TEARDOWN_STOP, r.recordingNameOf(leg)));
                out.add(new HangupSnoop(CallStep.TEARDOWN_SNOOP, r.snoopIdOf(leg)));
            }
            RecordingControl.Step ended = r.onRecordingEnded(cfg.recording(), now);
            out.addAll(ended.commands());
            n = n.withRecording(ended.control());
        }
        if (r != null && !n.recordingEndHandled()) {
            archiveUnlessDiscarded(n, null, out);
            n = n.withRecordingEndHandled();
        }
        return finish(n, now, out);
    }

    private static void archiveUnlessDiscarded(CallState s, Integer durationSeconds, List<CallCommand> out) {
        if (s.recording().state() != RecordingControl.State.DISCARDED) {
            RecordingControl r = s.recording();
            out.add(new ArchiveRecording(r.recordingName(), r.stereo() ? r.out().recordingName() : null,
                    s.setup().outOffsetMillis().orElse(null), s.decision().id(), s.facts().subject(), durationSeconds));
        }
    }

    /** The call is over: nothing more will be asked of the shell for it. */
    static CallState finish(CallState s, Instant now, List<CallCommand> out) {
        if (s.ended()) {
            return s;
        }
        CallState n = s.withPhase(CallPhase.ENDED);
        out.add(new CancelTimer(TimerKey.TEARDOWN));
        out.add(new SaveState(CallStateSnapshot.endedAt(n, now)));
        out.add(new Finished(n.outcome()));
        return n;
    }
}
