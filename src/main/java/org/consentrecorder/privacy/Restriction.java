package org.consentrecorder.privacy;

import java.time.Instant;
import java.util.UUID;

/**
 * A restriction of processing (GDPR Art. 18) on a call ({@code scope} "call") or on everything about a
 * subject ({@code scope} "subject"). Active until lifted; never deleted.
 */
public record Restriction(UUID id, String scope, UUID callId, String subject, String reason, String placedBy,
                          Instant placedAt, String liftedBy, Instant liftedAt, String liftReason) {

    public boolean active() {
        return liftedAt == null;
    }
}
