package org.consentrecorder.privacy;

import io.vertx.core.Future;
import java.util.UUID;

/**
 * Points in an erasure and in a retention run where a crash leaves a distinct durable state, like
 * {@code archive.ArchiveCheckpoints}. Production passes through them; the crash tests stop the
 * application at one of them, kill it, and check that the work finishes after a restart.
 */
public interface PrivacyCheckpoints {

    enum Point {
        /** Erasure: the redaction committed (ciphertext and identifiers gone); the subject key not yet destroyed. */
        ERASURE_REDACTED,
        /** Retention: one batch committed; what follows it (e.g. destroying keys of subjects left without audio) not yet done. */
        RETENTION_BATCH_COMMITTED
    }

    PrivacyCheckpoints NONE = (point, id) -> Future.succeededFuture();

    /** {@code id}: the erasure request, or the retention run. */
    Future<Void> reached(Point point, UUID id);
}
