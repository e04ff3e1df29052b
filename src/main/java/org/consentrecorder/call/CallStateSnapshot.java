package org.consentrecorder.call;

import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/**
 * The durable per-call state: the whole {@link CallState} (saved by {@link CallRepository} as
 * JSON, see {@link CallStateCodec}) and the columns operators and the other features query,
 * derived from it. endedAt is set by the last snapshot of a call.
 */
public record CallStateSnapshot(CallState state, Instant endedAt) {

    public static CallStateSnapshot of(CallState state) {
        return new CallStateSnapshot(state, null);
    }

    public static CallStateSnapshot endedAt(CallState state, Instant at) {
        return new CallStateSnapshot(state, at);
    }

    public UUID callId() {
        return state.callId();
    }

    public CallPhase phase() {
        return state.phase();
    }

    public Outcome outcome() {
        return state.outcome();
    }

    /** The evidence row, once decided. */
    public UUID consentId() {
        return state.outcome() == null ? null : state.consentId();
    }

    public String recordingName() {
        return state.recording() != null ? state.recording().recordingName() : null;
    }

    public String snoopId() {
        return state.setup().snoopId();
    }

    /** The recording's state in lower case, "failed" when it was wanted but not started, or "none". */
    public String recordingState() {
        if (state.recording() != null) {
            return state.recording().state().name().toLowerCase(Locale.ROOT);
        }
        return state.setup().failure() != null ? "failed" : "none";
    }

    public boolean paused() {
        return state.recording() != null && state.recording().isPaused();
    }
}
