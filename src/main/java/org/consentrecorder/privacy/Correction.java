package org.consentrecorder.privacy;

import java.time.Instant;
import java.util.UUID;

/**
 * A correction or supplementary statement (GDPR Art. 16) on a call ({@code scope} "call") or on everything
 * about a subject ({@code scope} "subject"). {@code supersedes} names the earlier version it amends;
 * {@code supersededBy} the later one, if any (then this one is history).
 */
public record Correction(UUID id, String scope, UUID callId, String subject, String kind, String statement,
                         UUID supersedes, UUID supersededBy, String createdBy, Instant createdAt) {

    public boolean current() {
        return supersededBy == null;
    }
}
