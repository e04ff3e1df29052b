package org.consentrecorder.call;

import java.util.Locale;

/**
 * What became of a pause, resume or withdraw asked through the API. The admin API returns
 * {@link #wire()} as the "status" of its answer, so these words are part of its contract.
 */
public enum ControlStatus {
    PAUSED,
    ALREADY_PAUSED,
    RECORDING,
    ALREADY_RECORDING,
    DISCARDED,
    /** The pause was not accepted in time or was refused: the recording was stopped instead. */
    PAUSE_FAILED_RECORDING_STOPPED,
    RESUME_FAILED_STILL_PAUSED,
    NOT_RECORDING,
    /** No live call with that id (answered by the registry, never by a call). */
    NOT_FOUND,
    /** No answer from the call within the deadline (answered by the registry). */
    TIMEOUT;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
