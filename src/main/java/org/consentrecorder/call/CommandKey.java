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
        /** Hang up a snoop channel whose recording never started. */
        SNOOP_CLEANUP,
        CONTINUE,
        TEARDOWN_STOP,
        TEARDOWN_SNOOP
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

    /** A pause, resume or re-asserted pause of the live recording; seq tells a late answer from the current one. */
    record RecordingRequest(int seq, Kind kind) implements CommandKey {
        public enum Kind { PAUSE, RESUME, REASSERT }
    }

    /** Stops and hang-ups that end a recording (fail closed, withdrawal); their answers change nothing. */
    enum RecordingEnd implements CommandKey {
        FAIL_CLOSED_STOP,
        FAIL_CLOSED_SNOOP,
        DISCARD,
        DISCARD_SNOOP
    }
}
