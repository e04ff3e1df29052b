package org.consentrecorder.privacy;

import java.time.Instant;
import java.util.UUID;

/**
 * A legal hold on a call ({@code scope} "call", {@code callId} set) or on everything about a
 * subject ({@code scope} "subject", {@code subject} set). Active until released; never deleted.
 */
public record LegalHold(UUID id, String scope, UUID callId, String subject, String reason, String placedBy,
                        Instant placedAt, String releasedBy, Instant releasedAt, String releaseReason) {

    public boolean active() {
        return releasedAt == null;
    }
}
