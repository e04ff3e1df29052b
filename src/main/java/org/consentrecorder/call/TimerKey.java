package org.consentrecorder.call;

/**
 * The timers a call can run; one of each at most (starting one again restarts it). The
 * recording's own timers are answered by {@link RecordingControl}, the others by the call.
 */
public enum TimerKey {
    NO_INPUT,
    PROMPT_GUARD,
    SNOOP,
    TEARDOWN,
    CONTINUE_RETRY,
    REGRANT,
    PAUSE_DEADLINE,
    MAX_PAUSE;

    /** True for the timers that belong to the live recording's control. */
    public boolean ofRecording() {
        return this == PAUSE_DEADLINE || this == MAX_PAUSE;
    }
}
