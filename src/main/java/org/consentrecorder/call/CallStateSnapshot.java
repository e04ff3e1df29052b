package org.consentrecorder.call;

import java.time.Instant;
import java.util.UUID;

/** The durable per-call state, written as it changes. */
public record CallStateSnapshot(
        UUID callId,
        String channelId,
        String channelName,
        String linkedId,
        String callerSubject,
        String asteriskId,
        Instant startedAt,
        String phase,
        Outcome outcome,
        UUID consentId,
        String recordingName,
        String snoopId,
        String recordingState,
        boolean paused,
        Instant endedAt) {
}
