package org.consentrecorder.archive;

import io.vertx.core.Future;
import org.consentrecorder.archive.ArchiveCheckpoints.Point;
import org.consentrecorder.archive.ArchiveRepository.RecordingRow;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.ari.AriClients;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 3, verified → archived: deletes Asterisk's copy, only ever after the encrypted copy was
 * proven. Every deletion of a stored recording on Asterisk goes through {@link #deleteFile}, so
 * "a file already gone counts as deleted" is decided once and every deletion can simply run again.
 */
final class AsteriskDeletion {
    private static final Logger LOG = LoggerFactory.getLogger(AsteriskDeletion.class);

    private final ArchiveRepository repository;
    private final AriClients ari;
    private final ArchiveCheckpoints checkpoints;

    AsteriskDeletion(ArchiveRepository repository, AriClients ari, ArchiveCheckpoints checkpoints) {
        this.repository = repository;
        this.ari = ari;
        this.checkpoints = checkpoints;
    }

    /** True when this run moved the row to archived (false: another instance already had). */
    Future<Boolean> run(RecordingRow row) {
        // the copy to delete is on the Asterisk server the call was on, and only there
        AriClient client = ari.client(row.server());
        if (client == null) {
            return Future.failedFuture("ARI server '" + row.server() + "' is not connected here");
        }
        // both legs of a stereo recording, one after the other: a run cut short between them runs again, and a
        // leg already gone counts as deleted
        Future<Boolean> deleted = deleteFile(client, row.name());
        if (row.outName() != null) {
            deleted = deleted.compose(v -> deleteFile(client, row.outName()));
        }
        return deleted
                .compose(v -> checkpoints.reached(Point.DELETED_ON_ASTERISK, row.id()))
                .compose(v -> repository.archived(row.id()))
                .onSuccess(changed -> LOG.info("archive: {} archived ({} bytes of audio, encrypted, verified); "
                        + "Asterisk's copy deleted", row.name(), row.plaintextBytes()));
    }

    /** Deletes a stored recording on Asterisk; true if it was there, false if it was already gone (404). */
    static Future<Boolean> deleteFile(AriClient client, String name) {
        return client.deleteStoredRecording(name).map(true)
                .recover(e -> AriClient.notFound(e) ? Future.succeededFuture(false) : Future.failedFuture(e));
    }
}
