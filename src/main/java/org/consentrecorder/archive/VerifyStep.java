package org.consentrecorder.archive;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.MessageDigest;
import org.consentrecorder.archive.ArchiveCheckpoints.Point;
import org.consentrecorder.archive.ArchiveRepository.Chunk;
import org.consentrecorder.archive.ArchiveRepository.RecordingRow;
import org.consentrecorder.crypto.DataKey;
import org.consentrecorder.crypto.RecordingDecryptor;
import org.consentrecorder.crypto.StreamSummary;
import org.consentrecorder.crypto.SubjectKeyStore;
import org.consentrecorder.crypto.WrappedDataKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * Step 2, stored → verified: reads every chunk back, authenticates and decrypts it, and compares
 * the plaintext length and SHA-256 with those computed on the way in. It is what entitles the next
 * step to delete Asterisk's copy, so it trusts nothing the fetch believed: a mismatch or a failed
 * tag sends the recording back to be fetched again (the file is still on Asterisk).
 */
final class VerifyStep {
    private static final Logger LOG = LoggerFactory.getLogger(VerifyStep.class);
    /** Chunk rows read per query: bounded memory, no long transaction. */
    private static final int ROWS_PER_READ = 4;

    private final Vertx vertx;
    private final ArchiveRepository repository;
    private final SubjectKeyStore keys;
    private final ArchiveCheckpoints checkpoints;

    VerifyStep(Vertx vertx, ArchiveRepository repository, SubjectKeyStore keys, ArchiveCheckpoints checkpoints) {
        this.vertx = vertx;
        this.repository = repository;
        this.keys = keys;
        this.checkpoints = checkpoints;
    }

    /** True when the copy is proven; false when it was sent back to be fetched again. */
    Future<Boolean> run(RecordingRow row) {
        byte[] ad = ArchivePipeline.associatedData(row.id());
        // key store work touches files (fsync): never on an event loop
        return vertx.executeBlocking(() -> keys.unwrapDataKey(WrappedDataKey.parse(row.wrappedDataKey()), ad), false)
                .compose(dataKey -> readBack(row, dataKey, ad).eventually(() -> {
                    dataKey.destroy();
                    return Future.succeededFuture();
                }))
                .compose(summary -> {
                    boolean same = summary.plaintextBytes() == row.plaintextBytes()
                            && MessageDigest.isEqual(summary.plaintextSha256(), row.plaintextSha256());
                    if (!same) {
                        return Future.failedFuture("the stored copy does not match what was fetched");
                    }
                    return repository.verified(row.id());
                })
                .recover(e -> {
                    LOG.error("archive: {} failed verification, fetching again: {}", row.name(), ExternalText.forLog(e.getMessage()));
                    return repository.verificationFailed(row.id(), "verification failed: " + e.getMessage())
                            .map(false);
                })
                .compose(ok -> ok ? checkpoints.reached(Point.VERIFIED, row.id()).map(true) : Future.succeededFuture(false));
    }

    private Future<StreamSummary> readBack(RecordingRow row, DataKey dataKey, byte[] ad) {
        RecordingDecryptor decryptor = RecordingDecryptor.create(dataKey, ad);
        decryptor.update(row.header());
        return readChunks(row, 0, decryptor).map(v -> {
            decryptor.finish();
            return decryptor.summary();
        });
    }

    private Future<Void> readChunks(RecordingRow row, int fromSeq, RecordingDecryptor decryptor) {
        if (fromSeq >= row.chunkCount()) {
            return Future.succeededFuture();
        }
        return repository.chunks(row.id(), fromSeq, ROWS_PER_READ).compose(chunks -> {
            int expected = fromSeq;
            for (Chunk c : chunks) {
                if (c.seq() != expected) {
                    return Future.failedFuture("chunk " + expected + " is missing");
                }
                decryptor.update(c.data());
                expected++;
            }
            if (expected != Math.min(fromSeq + ROWS_PER_READ, row.chunkCount())) {
                return Future.failedFuture("chunk " + expected + " is missing");
            }
            return readChunks(row, expected, decryptor);
        });
    }
}
