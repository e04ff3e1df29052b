package org.consentrecorder.archive;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import org.consentrecorder.archive.ArchiveCheckpoints.Point;
import org.consentrecorder.archive.ArchiveRepository.RecordingRow;
import org.consentrecorder.audio.EncodingParameters;
import org.consentrecorder.audio.StoredAudioVerifier;
import org.consentrecorder.crypto.DataKey;
import org.consentrecorder.crypto.RecordingDecryptor;
import org.consentrecorder.crypto.StreamSummary;
import org.consentrecorder.crypto.SubjectKeyStore;
import org.consentrecorder.crypto.WrappedDataKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * Step 2, stored → verified: reads every chunk back, authenticates and decrypts it, compares the
 * plaintext length and SHA-256 with those computed on the way in and, for audio stored in a codec,
 * decodes it to its end ({@link StoredAudioVerifier}: a valid Ogg Opus or WAV stream whose decoded
 * duration equals the source's to the frame). It is what entitles the next step to delete
 * Asterisk's copy, so it trusts nothing the fetch believed: any difference sends the recording
 * back to be fetched again (the file is still on Asterisk) and fails with
 * {@link VerificationRefused}, which the pipeline reports and retries with backoff. Decoding is
 * CPU work: it runs on the archive's worker threads.
 */
final class VerifyStep {
    private static final Logger LOG = LoggerFactory.getLogger(VerifyStep.class);
    /** Chunk rows read per query: bounded memory, no long transaction. */
    private static final int ROWS_PER_READ = 4;
    private static final Duration STALL = Duration.ofMinutes(2);

    private final Vertx vertx;
    private final Context context;
    private final WorkerExecutor workers;
    private final ArchiveRepository repository;
    private final SubjectKeyStore keys;
    private final ArchiveCheckpoints checkpoints;

    VerifyStep(Vertx vertx, Context context, WorkerExecutor workers, ArchiveRepository repository,
               SubjectKeyStore keys, ArchiveCheckpoints checkpoints) {
        this.vertx = vertx;
        this.context = context;
        this.workers = workers;
        this.repository = repository;
        this.keys = keys;
        this.checkpoints = checkpoints;
    }

    /** The copy was refused and sent back to be fetched again; the message says why. */
    static final class VerificationRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        VerificationRefused(String message) {
            super(message);
        }
    }

    /** Succeeds when the copy is proven; fails with {@link VerificationRefused} when it was sent back. */
    Future<Void> run(RecordingRow row) {
        byte[] ad = ArchivePipeline.associatedData(row.id());
        // key store work touches files (fsync): never on an event loop
        return vertx.executeBlocking(() -> keys.unwrapDataKey(WrappedDataKey.parse(row.wrappedDataKey()), ad), false)
                .compose(dataKey -> workers.executeBlocking(() -> readBack(row, dataKey, ad), false).eventually(() -> {
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
                    String why = "verification failed: " + (e.getMessage() == null ? e.getClass().getSimpleName()
                            : e.getMessage());
                    LOG.error("archive: {} failed verification, Asterisk's copy is kept and it will be fetched again: {}",
                            row.name(), ExternalText.forLog(why));
                    return repository.verificationFailed(row.id(), why)
                            .compose(v -> Future.failedFuture(new VerificationRefused(why)));
                })
                .compose(ok -> checkpoints.reached(Point.VERIFIED, row.id()));
    }

    /** Blocking, on a worker: decrypts everything, decodes it when it is audio in a codec, and sums it up. */
    private StreamSummary readBack(RecordingRow row, DataKey dataKey, byte[] ad) throws Exception {
        RecordingDecryptor decryptor = RecordingDecryptor.create(dataKey, ad);
        try (DecryptedChunks plaintext = new DecryptedChunks(context, repository, row, decryptor, ROWS_PER_READ, STALL)) {
            if (row.codec() != null) {
                if (row.sourceFrames() == null || row.sourceSha256() == null || row.codecParameters() == null) {
                    throw new IllegalStateException("the recording's codec is " + row.codec()
                            + " but its source duration or parameters are missing");
                }
                StoredAudioVerifier.verify(plaintext, EncodingParameters.parse(row.codecParameters()),
                        row.sourceFrames(), row.sourceSha256());
            }
            // a codec's reader may stop at the end of its stream: whatever follows still counts below
            plaintext.transferTo(OutputStream.nullOutputStream());
            return plaintext.summary();
        } catch (Exception e) {
            decryptor.abandon();
            throw e;
        }
    }
}
