package org.consentrecorder.call;

import java.time.Instant;
import java.util.Locale;

/**
 * One change of a live recording, as evidence of which parts of a call were never recorded.
 * offsetMs is the position in the recorded file where the change applies (for SKIP, paused time
 * is subtracted because it is not in the file). acceptedAt is null when Asterisk did not accept.
 */
public record TimelineEntry(
        String recordingName,
        Change change,
        TriggerKind trigger,
        String triggerDetail,
        long offsetMs,
        Instant requestedAt,
        Instant acceptedAt,
        PauseStyle style) {

    public enum Change {
        STARTED,
        PAUSED,
        RESUMED,
        /** Pause not accepted in time or refused: the recording was stopped instead (fail closed). */
        PAUSE_FAILED_STOPPED,
        /** Resume refused: the recording stays paused. */
        RESUME_FAILED,
        /** The caller keyed the withdraw sequence: discarded, "withdrawn" evidence, do not record. */
        WITHDRAWN_DISCARDED,
        /** An operator stopped the recording through the API: discarded; the caller's consent stands. */
        STOPPED_BY_OPERATOR,
        ENDED;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
