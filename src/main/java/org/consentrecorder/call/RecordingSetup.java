package org.consentrecorder.call;

import java.time.Instant;
import java.util.List;
import org.consentrecorder.call.CallCommand.CancelTimer;
import org.consentrecorder.call.CallCommand.CreateSnoop;
import org.consentrecorder.call.CallCommand.DiscardRecording;
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
 *
 * <p>In stereo ({@link RecordingSettings#stereo()}) there are two of everything: a snoop channel
 * with {@code spy=in} and one with {@code spy=out}, both asked for at once, and both recordings
 * asked for at once when both snoops are ready. The recording counts as started only when Asterisk
 * accepted both; when either leg fails, the call is not recorded at all: both snoops are hung up
 * and a leg Asterisk did accept (now, or with a late answer) is discarded. A call recorded on one
 * leg only would be a different record than the one configured.
 */
public final class RecordingSetup {

    /**
     * The set-up's part of the call state.
     *
     * @param snoopId set once the snoop channel was asked for (the first leg's in stereo)
     * @param failure why recording was wanted but not started, or null
     * @param outSnoopId the second leg's snoop channel in stereo; null for a mono call
     * @param recordsAnswered the legs ({@link Leg#bit()}) whose record request has been answered
     * @param recordsAccepted the legs whose record request Asterisk accepted
     * @param inStartedAt stereo: the first leg's RecordingStarted time, null until known
     * @param outStartedAt stereo: the second leg's RecordingStarted time, null until known
     */
    public record State(String snoopId, boolean snoopAnswered, boolean snoopInStasis, boolean recordRequested,
                        String failure, String outSnoopId, boolean outSnoopAnswered, boolean outSnoopInStasis,
                        int recordsAnswered, int recordsAccepted, Instant inStartedAt, Instant outStartedAt) {

        public State(String snoopId, boolean snoopAnswered, boolean snoopInStasis, boolean recordRequested,
                     String failure, String outSnoopId, boolean outSnoopAnswered, boolean outSnoopInStasis,
                     int recordsAnswered, int recordsAccepted) {
            this(snoopId, snoopAnswered, snoopInStasis, recordRequested, failure, outSnoopId, outSnoopAnswered,
                    outSnoopInStasis, recordsAnswered, recordsAccepted, null, null);
        }

        /**
         * How much later the second leg started than the first (negative: earlier), from their
         * RecordingStarted times; empty for a mono call or while either time is unknown.
         */
        public java.util.Optional<Long> outOffsetMillis() {
            return stereo() && inStartedAt != null && outStartedAt != null
                    ? java.util.Optional.of(java.time.Duration.between(inStartedAt, outStartedAt).toMillis())
                    : java.util.Optional.empty();
        }

        State withStartedAt(Leg leg, Instant at) {
            return new State(snoopId, snoopAnswered, snoopInStasis, recordRequested, failure, outSnoopId,
                    outSnoopAnswered, outSnoopInStasis, recordsAnswered, recordsAccepted,
                    leg == Leg.IN ? at : inStartedAt, leg == Leg.OUT ? at : outStartedAt);
        }

        /** A mono call's set-up (and one saved before stereo existed). */
        public State(String snoopId, boolean snoopAnswered, boolean snoopInStasis, boolean recordRequested,
                     String failure) {
            this(snoopId, snoopAnswered, snoopInStasis, recordRequested, failure, null, false, false, 0, 0);
        }

        static State initial() {
            return new State(null, false, false, false, null);
        }

        public boolean stereo() {
            return outSnoopId != null;
        }

        /** The legs of this call, in channel order. */
        public List<Leg> legs() {
            return stereo() ? List.of(Leg.IN, Leg.OUT) : List.of(Leg.IN);
        }

        /** The snoop channel of a leg. */
        public String snoopOf(Leg leg) {
            return leg == Leg.IN ? snoopId : outSnoopId;
        }

        int allLegs() {
            return stereo() ? Leg.ALL_STEREO : Leg.IN.bit();
        }

        boolean allRecordsAnswered() {
            return recordsAnswered == allLegs();
        }

        State failed(String why) {
            return new State(snoopId, snoopAnswered, snoopInStasis, recordRequested, why, outSnoopId,
                    outSnoopAnswered, outSnoopInStasis, recordsAnswered, recordsAccepted, inStartedAt, outStartedAt);
        }

        State snoopsAsked(String id, String outId) {
            return new State(id, snoopAnswered, snoopInStasis, recordRequested, failure, outId,
                    outSnoopAnswered, outSnoopInStasis, recordsAnswered, recordsAccepted, inStartedAt, outStartedAt);
        }

        State withSnoopAnswered(Leg leg) {
            return new State(snoopId, snoopAnswered || leg == Leg.IN, snoopInStasis, recordRequested, failure,
                    outSnoopId, outSnoopAnswered || leg == Leg.OUT, outSnoopInStasis, recordsAnswered, recordsAccepted,
                    inStartedAt, outStartedAt);
        }

        State withSnoopInStasis(Leg leg) {
            return new State(snoopId, snoopAnswered, snoopInStasis || leg == Leg.IN, recordRequested, failure,
                    outSnoopId, outSnoopAnswered, outSnoopInStasis || leg == Leg.OUT, recordsAnswered, recordsAccepted,
                    inStartedAt, outStartedAt);
        }

        State withRecordRequested() {
            return new State(snoopId, snoopAnswered, snoopInStasis, true, failure, outSnoopId, outSnoopAnswered,
                    outSnoopInStasis, recordsAnswered, recordsAccepted, inStartedAt, outStartedAt);
        }

        State withRecordAnswer(Leg leg, boolean accepted) {
            return new State(snoopId, snoopAnswered, snoopInStasis, recordRequested, failure, outSnoopId,
                    outSnoopAnswered, outSnoopInStasis, recordsAnswered | leg.bit(),
                    accepted ? recordsAccepted | leg.bit() : recordsAccepted, inStartedAt, outStartedAt);
        }

        private boolean snoopsReady() {
            return snoopAnswered && snoopInStasis && (!stereo() || (outSnoopAnswered && outSnoopInStasis));
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
        boolean stereo = cfg.recording().stereo();
        for (Leg leg : cfg.recording().channels().legs()) {
            out.add(new CreateSnoop(CallStep.snoopOf(leg), CallIds.snoopId(s.callId(), leg), cfg.recording().spyOf(leg)));
        }
        out.add(new StartTimer(TimerKey.SNOOP, cfg.recording().snoopTimeout()));
        return s.withSetup(s.setup().snoopsAsked(s.snoopChannelId(), stereo ? CallIds.outSnoopId(s.callId()) : null));
    }

    static CallState onSnoopResult(CallSettings cfg, CallState s, Leg leg, boolean ok, int status,
                                   List<CallCommand> out) {
        if (s.phase() != CallPhase.SETTING_UP_RECORDING || s.setup().failure() != null) {
            return s;
        }
        if (!ok) {
            return notStarted(s, "creating the " + (s.setup().stereo() ? leg.spy() + " " : "")
                    + "snoop channel failed (HTTP " + status + ")", true, out);
        }
        return maybeStartRecording(cfg, s.withSetup(s.setup().withSnoopAnswered(leg)), out);
    }

    /** A snoop channel's StasisStart: it often overtakes the response to the snoop request. */
    static CallState onSnoopInStasis(CallSettings cfg, CallState s, String snoopId, List<CallCommand> out) {
        State st = s.setup();
        for (Leg leg : st.legs()) {
            if (snoopId.equals(st.snoopOf(leg))) {
                return maybeStartRecording(cfg, s.withSetup(st.withSnoopInStasis(leg)), out);
            }
        }
        return s;
    }

    private static CallState maybeStartRecording(CallSettings cfg, CallState s, List<CallCommand> out) {
        State st = s.setup();
        if (s.phase() != CallPhase.SETTING_UP_RECORDING || !st.snoopsReady() || st.recordRequested()
                || st.failure() != null) {
            return s;
        }
        out.add(new CancelTimer(TimerKey.SNOOP));
        for (Leg leg : st.legs()) {
            // both legs at once: the later one starts a few milliseconds after the first, which the
            // archive makes up from their RecordingStarted times
            out.add(new StartRecording(CallStep.recordOf(leg), st.snoopOf(leg), CallIds.recordingName(s.callId(), leg),
                    cfg.recording().format()));
        }
        return s.withSetup(st.withRecordRequested());
    }

    static CallState onRecordResult(CallSettings cfg, CallState s, Leg leg, boolean ok, int status, Instant now,
                                    List<CallCommand> out) {
        if (s.recording() != null) {
            return s;
        }
        State before = s.setup();
        CallState n = s.withSetup(before.withRecordAnswer(leg, ok));
        if (before.failure() != null) {
            // the other leg failed already: a leg Asterisk accepts now must not record on its own
            if (ok) {
                discardLeg(n, leg, out);
            }
            return n.phase() == CallPhase.ENDING && n.setup().allRecordsAnswered() ? CallEnding.finish(n, now, out) : n;
        }
        if (!ok) {
            String why = "starting the " + (before.stereo() ? leg.spy() + " " : "") + "recording failed (HTTP "
                    + status + ")";
            for (Leg other : before.legs()) {
                if ((before.recordsAccepted() & other.bit()) != 0) {
                    discardLeg(n, other, out);
                }
            }
            if (n.phase() == CallPhase.SETTING_UP_RECORDING) {
                return notStarted(n, why, true, out);
            }
            if (n.phase() == CallPhase.ENDING) {
                n = n.withSetup(n.setup().failed(why));
                return n.setup().allRecordsAnswered() ? CallEnding.finish(n, now, out) : n;
            }
            return n;
        }
        if (n.setup().recordsAccepted() != n.setup().allLegs()) {
            // stereo: the other leg's answer is still on its way
            return n;
        }
        RecordingControl recording = RecordingControl.started(n.recordingName(), n.setup().snoopId(),
                n.setup().stereo() ? new RecordingControl.OutLeg(n.outRecordingName(), n.setup().outSnoopId()) : null,
                now);
        out.addAll(recording.startedRow(cfg.recording()));
        if (n.ariDown() && cfg.recording().pauseOnOutage()) {
            // started while the event connection is down: no trigger could reach us
            RecordingControl.Step paused = recording.onOutage(cfg.recording(), now);
            out.addAll(paused.commands());
            recording = paused.control();
        }
        n = n.withRecording(recording);
        out.add(new SaveState(CallStateSnapshot.of(n)));
        if (n.channelGone()) {
            out.add(new StartTimer(TimerKey.TEARDOWN, cfg.recording().teardownTimeout()));
            return n.withPhase(CallPhase.ENDING);
        }
        return n.phase() == CallPhase.SETTING_UP_RECORDING ? Handback.setVariables(n, out) : n;
    }

    /** A stereo leg's RecordingStarted: its time is what the archive aligns the two legs by. */
    static CallState onRecordingStarted(CallState s, String name, Instant at, List<CallCommand> out) {
        State st = s.setup();
        if (!st.stereo() || at == null) {
            return s;
        }
        for (Leg leg : st.legs()) {
            if (CallIds.recordingName(s.callId(), leg).equals(name)) {
                CallState n = s.withSetup(st.withStartedAt(leg, at));
                if (n.recording() != null) {
                    // the recording's state was saved already: the time must survive a restart too
                    out.add(new SaveState(CallStateSnapshot.of(n)));
                }
                return n;
            }
        }
        return s;
    }

    /** A leg that records while the call as a whole is not recorded: stopped, its file deleted, its snoop hung up. */
    private static void discardLeg(CallState s, Leg leg, List<CallCommand> out) {
        out.add(new DiscardRecording(CallStep.SNOOP_CLEANUP, CallIds.recordingName(s.callId(), leg)));
        out.add(new HangupSnoop(CallStep.SNOOP_CLEANUP, s.setup().snoopOf(leg)));
    }

    static CallState onSnoopTimer(CallState s, List<CallCommand> out) {
        if (s.phase() == CallPhase.SETTING_UP_RECORDING && !s.setup().recordRequested() && s.setup().failure() == null) {
            return notStarted(s, "the snoop channel did not enter Stasis in time", true, out);
        }
        return s;
    }

    private static CallState notStarted(CallState s, String why, boolean hangupSnoop, List<CallCommand> out) {
        CallState n = s.withSetup(s.setup().failed(why));
        out.add(new CancelTimer(TimerKey.SNOOP));
        if (hangupSnoop) {
            out.add(new HangupSnoop(CallStep.SNOOP_CLEANUP, s.snoopChannelId()));
            if (s.setup().stereo()) {
                out.add(new HangupSnoop(CallStep.SNOOP_CLEANUP, s.setup().outSnoopId()));
            }
        }
        out.add(new SaveState(CallStateSnapshot.of(n)));
        return Handback.setVariables(n, out);
    }
}
