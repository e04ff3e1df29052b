package org.consentrecorder.privacy;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * A data-subject request as it is tracked. {@code subject} is the caller's number until an
 * erasure completes, then the erasure token; {@code result} and {@code verification} are what the
 * handling did and found; {@code overdue} is computed by the database when the request is read.
 */
public record PrivacyRequest(UUID id, String kind, String subject, Instant receivedAt, Instant dueAt, String status,
                             String note, String createdBy, Instant createdAt, String handledBy, Instant completedAt,
                             String erasureToken, int attempts, String lastError, JsonObject result,
                             JsonObject verification, boolean overdue) {

    public boolean isAccess() {
        return PrivacyRequests.ACCESS.equals(kind);
    }

    public boolean isErasure() {
        return PrivacyRequests.ERASURE.equals(kind);
    }

    /** Once an erasure has completed, the request no longer holds the number. */
    public boolean subjectErased() {
        return subject.startsWith(ErasureTokens.PREFIX);
    }
}
