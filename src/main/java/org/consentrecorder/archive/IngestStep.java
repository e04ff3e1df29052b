package org.consentrecorder.archive;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import java.util.List;
import java.util.function.Supplier;
import org.consentrecorder.archive.ArchiveCheckpoints.Point;
import org.consentrecorder.archive.ArchiveRepository.RecordingRow;
import org.consentrecorder.archive.ArchiveRepository.StoredCopy;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.ari.AriEndpoint;
import org.consentrecorder.ari.AriFailure;
import org.consentrecorder.crypto.IssuedDataKey;
import org.consentrecorder.crypto.RecordingEncryptor;
import org.consentrecorder.crypto.StreamFormat;
import org.consentrecorder.crypto.StreamSummary;
import org.consentrecorder.crypto.SubjectKeyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * Step 1, finished → stored: streams the file from Asterisk, encrypts it as it streams under a
 * fresh data key, writes the ciphertext in chunk rows and marks the copy stored. Apart from the
 * other steps because it is the only one that holds locks, a key being issued and a stream in flight.
 * It starts over from nothing each time (old chunks go first), so a crash anywhere in it only
 * means it runs again; the file stays on Asterisk throughout.
 */
final class IngestStep {
    private static final Logger LOG = LoggerFactory.getLogger(IngestStep.class);

    private final Vertx vertx;
    private final ArchiveRepository repository;
    private final Supplier<AriClient> ari;
    private final SubjectKeyStore keys;
    private final ArchiveSettings settings;
    private final ArchiveCheckpoints checkpoints;

    IngestStep(Vertx vertx, ArchiveRepository repository, Supplier<AriClient> ari, SubjectKeyStore keys,
               ArchiveSettings settings, ArchiveCheckpoints checkpoints) {
        this.vertx = vertx;
        this.repository = repository;
        this.ari = ari;
        this.keys = keys;
        this.settings = settings;
        this.checkpoints = checkpoints;
    }

    Future<Void> run(RecordingRow row) {
        AriClient client = ari.get();
        if (client == null) {
            return Future.failedFuture("ARI is not connected");
        }
        byte[] ad = ArchivePipeline.associatedData(row.id());
        String subject = ArchivePipeline.subjectOf(row.subject(), row.callId());
        // the shared subject lock keeps erasure and retention from destroying the subject key while
        // a data key is issued under it and the ciphertext written (store.SubjectLocks)
        return repository.withFetchLocks(subject, row.id(), session -> session.stillFinished()
                .compose(finished -> finished ? Future.<Void>succeededFuture()
                        : Future.failedFuture(new ArchiveStopped(row.name() + " is no longer waiting to be fetched")))
                // key store work touches files (fsync): never on an event loop
                .compose(v -> vertx.executeBlocking(() -> keys.issueDataKey(subject, ad), false))
                .compose(issued -> session.deleteChunks()
                        .compose(v -> checkpoints.reached(Point.FETCH_STARTED, row.id()))
                        .compose(v -> streamIn(client, session, row, issued, ad))
                        .compose(copy -> checkpoints.reached(Point.CHUNKS_WRITTEN, row.id())
                                .compose(v -> session.markStored(copy)))
                        .compose(changed -> {
                            LOG.info("archive: {} stored ({} chunks)", row.name(), changed ? "new" : "already");
                            return checkpoints.reached(Point.STORED, row.id());
                        })
                        .eventually(() -> {
                            issued.close();
                            return Future.succeededFuture();
                        })));
    }

    /** Streams the file from Asterisk through the encryptor into chunk rows, holding at most one chunk. */
    private Future<StoredCopy> streamIn(AriClient client, FetchRepository session, RecordingRow row, IssuedDataKey issued,
                                        byte[] ad) {
        String path = "/recordings/stored/" + AriEndpoint.encode(row.name()) + "/file";
        return client.http().openStream(path).compose(response -> {
            if (response.statusCode() == 404) {
                response.end();
                return lostOnAsterisk(row).compose(v -> Future.<StoredCopy>failedFuture(
                        new ArchiveStopped(row.name() + " is no longer on Asterisk")));
            }
            if (response.statusCode() != 200) {
                response.end();
                return Future.failedFuture(new AriFailure(response.statusCode(),
                        "Asterisk answered HTTP " + response.statusCode() + " for the recording file", null));
            }
            return encryptInto(response, session, row, issued, ad);
        });
    }

    private Future<StoredCopy> encryptInto(HttpClientResponse response, FetchRepository session, RecordingRow row,
                                           IssuedDataKey issued, byte[] ad) {
        Promise<StoredCopy> done = Promise.promise();
        RecordingEncryptor encryptor = RecordingEncryptor.create(issued.dataKey(), ad, settings.segmentSize());
        ChunkWriter writer = new ChunkWriter(session, settings.segmentsPerChunk());
        WavHeader wav = new WavHeader();
        response.exceptionHandler(done::tryFail);
        response.handler(buffer -> {
            if (done.future().isComplete()) {
                return;
            }
            wav.take(buffer);
            try {
                writer.add(encryptor.update(buffer.getBytes()));
            } catch (RuntimeException e) {
                done.tryFail(e);
                return;
            }
            if (writer.hasFullChunks()) {
                // back-pressure: no more of the file until this chunk row is written
                response.pause();
                writer.flushFull().onComplete(ar -> {
                    if (ar.failed()) {
                        done.tryFail(ar.cause());
                    } else {
                        response.resume();
                    }
                });
            }
        });
        response.endHandler(v -> {
            if (done.future().isComplete()) {
                return;
            }
            try {
                writer.add(List.of(encryptor.finish()));
            } catch (RuntimeException e) {
                done.tryFail(e);
                return;
            }
            writer.flushAll().onComplete(ar -> {
                if (ar.failed()) {
                    done.tryFail(ar.cause());
                    return;
                }
                StreamSummary s = encryptor.summary();
                done.tryComplete(new StoredCopy(encryptor.header(), issued.wrapped().subjectKeyId(),
                        issued.wrapped().toBytes(), s.plaintextBytes(), s.ciphertextBytes(), s.plaintextSha256(),
                        StreamFormat.VERSION, s.segmentSize(), writer.chunksWritten(), settings.segmentsPerChunk(),
                        "wav".equals(row.format()) ? wav.durationMs(s.plaintextBytes()) : null));
            });
        });
        return done.future();
    }

    /** Asterisk no longer has a file the archive never verified: an incident, and the recording ends {@code lost}. */
    private Future<Void> lostOnAsterisk(RecordingRow row) {
        String detail = "recording " + row.name() + " of call " + row.callId()
                + " was not on Asterisk any more before a copy was verified";
        LOG.error("archive incident: {}", ExternalText.forLog(detail));
        return repository.terminal(row.id(), ArchiveState.LOST, "not on Asterisk")
                .compose(v -> repository.incident("recording_lost", row.callId().toString(), detail));
    }
}
