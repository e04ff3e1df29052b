package org.consentrecorder.archive;

import io.vertx.core.Future;
import java.util.UUID;

/**
 * Points between the archive's steps where a crash leaves a distinct durable state. Production
 * passes through them; the crash tests stop the pipeline at one of them, kill the application
 * and check that a restart finishes the work without duplicates or loss.
 */
public interface ArchiveCheckpoints {

    /** Where a crash can happen, in pipeline order (docs/archive.md lists what each leaves behind). */
    enum Point {
        /** Old partial chunks deleted, nothing new written yet. */
        FETCH_STARTED,
        /** The first chunk row written while the rest of the file is still being read, encoded and encrypted. */
        ENCODING,
        /** Every chunk written, the recording still in state finished. */
        CHUNKS_WRITTEN,
        /** State stored, not yet read back. */
        STORED,
        /** State verified, the file still on Asterisk. */
        VERIFIED,
        /** Deleted on Asterisk, state still verified. */
        DELETED_ON_ASTERISK
    }

    ArchiveCheckpoints NONE = (point, recordingId) -> Future.succeededFuture();

    Future<Void> reached(Point point, UUID recordingId);
}
