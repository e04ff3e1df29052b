package org.consentrecorder.call;

import java.time.Duration;

/**
 * Deployment choices for recording and payment pause. Sequences are strings of DTMF digits
 * (0-9, *, #, A-D); an empty sequence disables that trigger.
 */
public record RecordingSettings(
        String format,
        String spy,
        PauseStyle pauseStyle,
        String pauseSequence,
        String resumeSequence,
        String withdrawSequence,
        Duration sequenceGap,
        String pauseUserEvent,
        String resumeUserEvent,
        Duration pauseDeadline,
        Duration maxPause,
        boolean burstGuard,
        int burstDigits,
        Duration burstWindow,
        Duration snoopTimeout,
        Duration teardownTimeout,
        boolean pauseOnOutage,
        RecordingChannels channels) {

    public static RecordingSettings defaults() {
        return new RecordingSettings("wav", "both", PauseStyle.SKIP, "*7", "*8", "*9",
                Duration.ofSeconds(3), "PaymentStart", "PaymentEnd", Duration.ofMillis(500),
                Duration.ZERO, true, 4, Duration.ofSeconds(4), Duration.ofSeconds(3), Duration.ofSeconds(15), true,
                RecordingChannels.MONO);
    }

    public RecordingSettings withChannels(RecordingChannels c) {
        return new RecordingSettings(format, spy, pauseStyle, pauseSequence, resumeSequence, withdrawSequence,
                sequenceGap, pauseUserEvent, resumeUserEvent, pauseDeadline, maxPause, burstGuard, burstDigits,
                burstWindow, snoopTimeout, teardownTimeout, pauseOnOutage, c);
    }

    public boolean stereo() {
        return channels == RecordingChannels.STEREO;
    }

    /** The snoop direction of a leg: the configured one in mono, the leg's own in stereo. */
    public String spyOf(Leg leg) {
        return stereo() ? leg.spy() : spy;
    }

    public boolean hasMaxPause() {
        return !maxPause.isZero();
    }
}
