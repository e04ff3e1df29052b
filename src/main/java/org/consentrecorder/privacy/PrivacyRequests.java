package org.consentrecorder.privacy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.consentrecorder.store.Tx;

/**
 * Data-subject requests as they are tracked: kind (access or erasure), the subject, when it was
 * received, when it is due (one calendar month later by default, GDPR Art. 12(3)), its status,
 * who handled it and what was done. A request is overdue while it is open after its due date.
 */
public final class PrivacyRequests {
    public static final String ACCESS = "access";
    public static final String ERASURE = "erasure";

    private final Period due;
    private final PrivacyRequestRepository repository;

    public PrivacyRequests(Period due, PrivacyRequestRepository repository) {
        this.due = due;
        this.repository = repository;
    }

    /** The due date: received plus the configured period in calendar terms (UTC). */
    public Instant dueAt(Instant received) {
        return received.atOffset(ZoneOffset.UTC).plus(due).toInstant();
    }

    /** Registers a request in the caller's transaction (with its audit row); due {@link #dueAt} after receipt. */
    public Future<PrivacyRequest> create(Tx tx, String kind, String subject, Instant receivedAt, String note,
                                         String createdBy, Instant now) {
        return repository.create(tx, kind, subject, receivedAt, dueAt(receivedAt), note, createdBy, now);
    }

    public Future<Optional<PrivacyRequest>> find(UUID id) {
        return repository.find(id);
    }

    /** A page of requests, oldest due first; filters are optional (null). */
    public Future<List<PrivacyRequest>> list(String status, String kind, boolean overdueOnly, int limit, int offset) {
        return repository.list(status, kind, overdueOnly, limit, offset);
    }

    /** An access request was answered with an export bundle. */
    public Future<Void> accessCompleted(UUID id, String handledBy, JsonObject result, Instant at) {
        return repository.accessCompleted(id, handledBy, result, at);
    }
}
