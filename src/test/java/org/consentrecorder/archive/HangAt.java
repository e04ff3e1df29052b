package org.consentrecorder.archive;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.consentrecorder.archive.ArchiveCheckpoints.Point;

/** Stops the pipeline at one point the first time it is reached, as a crash would: the step never completes. */
final class HangAt implements ArchiveCheckpoints {
    final Point point;
    final CompletableFuture<UUID> reached = new CompletableFuture<>();
    final AtomicBoolean armed = new AtomicBoolean(true);

    HangAt(Point point) {
        this.point = point;
    }

    @Override
    public Future<Void> reached(Point p, UUID recordingId) {
        if (p == point && armed.getAndSet(false)) {
            reached.complete(recordingId);
            return Promise.<Void>promise().future();
        }
        return Future.succeededFuture();
    }
}
