package org.consentrecorder.call;

import java.time.Instant;
import java.util.List;
import org.consentrecorder.call.CallCommand.CancelTimer;
import org.consentrecorder.call.CallCommand.CreateSnoop;
import org.consentrecorder.call.CallCommand.HangupSnoop;
import org.consentrecorder.call.CallCommand.SaveState;
import org.consentrecorder.call.CallCommand.StartRecording;
import org.consentrecorder.call.CallCommand.StartTimer;
import org.consentrecorder.call.CallCommand.Subscribe;
import org.consentrecorder.call.CommandKey.CallStep;

/**
 * Setting up the recording of a consented call, in the order Asterisk needs: subscribe to the
 * caller's channel (otherwise its events, payment triggers included, stop at StasisEnd), create the
 * snoop channel, wait until it has both answered and entered Stasis (recording it earlier fails
 * with 409 "Channel not in Stasis application"), then record it. Any failure leaves the call
 * unrecorded and says why. Pure functions of the call's state; its own part is {@link State}.
 */
public final class RecordingSetup {

    /**
     * The set-up's part of the call state.
     *
     * @param snoopId set once the snoop channel was asked for
     * @param failure why recording was wanted but not started, or null
     */
    public record State(String snoopId, boolean snoopAnswered, boolean snoopInStasis, boolean recordRequested,
                        String failure) {

        static State initial() {
            return new State(null, false, false, false, null);
        }

        State failed(String why) {
            return new State(snoopId, snoopAnswered, snoopInStasis, recordRequested, why);
        }

        State snoopAsked(String id) {
            return new State(id, snoopAnswered, snoopInStasis, recordRequested, failure);
        }

        State withSnoopAnswered() {
            return new State(snoopId, true, snoopInStasis, recordRequested, failure);
        }

        State withSnoopInStasis() {
            return new State(snoopId, snoopAnswered, true, recordRequested, failure);
        }

        State withRecordRequested() {
            return new State(snoopId, snoopAnswered, snoopInStasis, true, failure);
        }
    }

    private RecordingSetup() {
    }

    static CallState begin(CallState s, List<CallCommand> out) {
        out.add(new Subscribe(CallStep.SUBSCRIBE));
        return s.withPhase(CallPhase.SETTING_UP_RECORDING);
    }

    static CallState onSubscribeResult(CallSettings cfg, CallState s, boolean ok, int status, List<CallCommand> out) {
        if (s.phase() != CallPhase.SETTING_UP_RECORDING) {
            return s;
        }
        if (!ok) {
            // without the subscription no pause trigger would reach us after continue
            return notStarted(s, "subscribing to the channel failed (HTTP " + status + ")", false, out);
        }
        String snoopId = s.snoopChannelId();
        out.add(new CreateSnoop(CallStep.SNOOP, snoopId, cfg.recording().spy()));
        out.add(new StartTimer(TimerKey.SNOOP, cfg.recording().snoopTimeout()));
        return s.withSetup(s.setup().snoopAsked(snoopId));
    }

    static CallState onSnoopResult(CallSettings cfg, CallState s, boolean ok, int status, List<CallCommand> out) {
        if (s.phase() != CallPhase.SETTING_UP_RECORDING) {
            return s;
        }
        if (!ok) {
            return notStarted(s, "creating the snoop channel failed (HTTP " + status + ")", true, out);
        }
        return maybeStartRecording(cfg, s.withSetup(s.setup().withSnoopAnswered()), out);
    }

    /** The snoop channel's StasisStart: it often overtakes the response to the snoop request. */
    static CallState onSnoopInStasis(CallSettings cfg, CallState s, String snoopId, List<CallCommand> out) {
        if (!snoopId.equals(s.setup().snoopId())) {
            return s;
        }
        return maybeStartRecording(cfg, s.withSetup(s.setup().withSnoopInStasis()), out);
    }

    private static CallState maybeStartRecording(CallSettings cfg, CallState s, List<CallCommand> out) {
        State st = s.setup();
        if (s.phase() != CallPhase.SETTING_UP_RECORDING || !st.snoopAnswered() || !st.snoopInStasis()
                || st.recordRequested()) {
            return s;
        }
        out.add(new CancelTimer(TimerKey.SNOOP));
        out.add(new StartRecording(CallStep.RECORD, st.snoopId(), s.recordingName(), cfg.recording().format()));
        return s.withSetup(st.withRecordRequested());
    }

    static CallState onRecordResult(CallSettings cfg, CallState s, boolean ok, int status, Instant now,
                                    List<CallCommand> out) {
        if (!ok) {
            if (s.phase() == CallPhase.SETTING_UP_RECORDING) {
                return notStarted(s, "starting the recording failed (HTTP " + status + ")", true, out);
            }
            return s.phase() == CallPhase.ENDING ? CallEnding.finish(s, now, out) : s;
        }
        RecordingControl recording = RecordingControl.started(s.recordingName(), s.setup().snoopId(), now);
        out.addAll(recording.startedRow(cfg.recording()));
        if (s.ariDown() && cfg.recording().pauseOnOutage()) {
            // started while the event connection is down: no trigger could reach us
            RecordingControl.Step paused = recording.onOutage(cfg.recording(), now);
            out.addAll(paused.commands());
            recording = paused.control();
        }
        CallState n = s.withRecording(recording);
        out.add(new SaveState(CallStateSnapshot.of(n)));
        if (n.channelGone()) {
            out.add(new StartTimer(TimerKey.TEARDOWN, cfg.recording().teardownTimeout()));
            return n.withPhase(CallPhase.ENDING);
        }
        return n.phase() == CallPhase.SETTING_UP_RECORDING ? Handback.setVariables(n, out) : n;
    }

    static CallState onSnoopTimer(CallState s, List<CallCommand> out) {
        if (s.phase() == CallPhase.SETTING_UP_RECORDING && !s.setup().recordRequested()) {
            return notStarted(s, "the snoop channel did not enter Stasis in time", true, out);
        }
        return s;
    }

    private static CallState notStarted(CallState s, String why, boolean hangupSnoop, List<CallCommand> out) {
        CallState n = s.withSetup(s.setup().failed(why));
        out.add(new CancelTimer(TimerKey.SNOOP));
        if (hangupSnoop) {
            out.add(new HangupSnoop(CallStep.SNOOP_CLEANUP, s.snoopChannelId()));
        }
        out.add(new SaveState(CallStateSnapshot.of(n)));
        return Handback.setVariables(n, out);
    }
}
