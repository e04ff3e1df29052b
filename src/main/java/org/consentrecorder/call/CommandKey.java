package org.consentrecorder.call;

/**
 * Names a request whose answer comes back as {@link CallEvent.CommandSucceeded} or
 * {@link CallEvent.CommandFailed}. Typed, so that the core matches answers by value (a playback id,
 * a request number) and a switch over them is checked by the compiler, instead of parsing tags.
 * {@code toString()} of every key is safe to log: no key holds a digit or a caller number.
 */
public sealed interface CommandKey {

    /** The call's one-of-a-kind requests. */
    enum CallStep implements CommandKey {
        ANSWER,
        DECISION,
        WITHDRAWAL,
        SUBSCRIBE,
        SNOOP,
        RECORD,
        /** The second leg's snoop channel and recording (stereo only). */
        SNOOP_OUT,
        RECORD_OUT,
        /** Hang up a snoop channel whose recording never started. */
        SNOOP_CLEANUP,
        CONTINUE,
        TEARDOWN_STOP,
        TEARDOWN_SNOOP;

        /** The snoop request of a leg. */
        static CallStep snoopOf(Leg leg) {
            return leg == Leg.IN ? SNOOP : SNOOP_OUT;
        }

        /** The record request of a leg. */
        static CallStep recordOf(Leg leg) {
            return leg == Leg.IN ? RECORD : RECORD_OUT;
        }
    }

    /** Play a prompt; the playback id is chosen by the call (it carries the call id). */
    record PlayPrompt(String playbackId) implements CommandKey {
    }

    /**
     * Stop a prompt: after a wrong key (then "invalid choice" follows), once decided (then the call
     * goes on), or again because an earlier stop overtook the play request (its answer changes nothing).
     */
    record StopPrompt(String playbackId, Why why) implements CommandKey {
        public enum Why { BARGE_IN, DECIDED, STALE }
    }

    record SetChannelVariable(String name) implements CommandKey {
    }

    /**
     * A pause, resume or re-asserted pause of the live recording; seq tells a late answer from the
     * current one. A stereo call sends each request to both legs, under the same seq.
     */
    record RecordingRequest(int seq, Kind kind, Leg leg) implements CommandKey {
        public enum Kind { PAUSE, RESUME, REASSERT }

        /** The request to a mono call's one recording (or a stereo call's first leg). */
        public RecordingRequest(int seq, Kind kind) {
            this(seq, kind, Leg.IN);
        }

        /** The same request to another leg. */
        RecordingRequest to(Leg other) {
            return new RecordingRequest(seq, kind, other);
        }

        /** Whether an answer under this key belongs to the request under the other, whichever leg. */
        boolean sameRequest(RecordingRequest other) {
            return other != null && seq == other.seq && kind == other.kind;
        }
    }

    /** Stops and hang-ups that end a recording (fail closed, withdrawal); their answers change nothing. */
    enum RecordingEnd implements CommandKey {
        FAIL_CLOSED_STOP,
        FAIL_CLOSED_SNOOP,
        DISCARD,
        DISCARD_SNOOP
    }
}
