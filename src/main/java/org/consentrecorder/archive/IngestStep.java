package org.consentrecorder.archive;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.time.Duration;
import org.consentrecorder.archive.ArchiveCheckpoints.Point;
import org.consentrecorder.archive.ArchiveRepository.RecordingRow;
import org.consentrecorder.archive.ArchiveRepository.StoredAudio;
import org.consentrecorder.archive.ArchiveRepository.StoredCopy;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.ari.AriClients;
import org.consentrecorder.ari.AriEndpoint;
import org.consentrecorder.ari.AriFailure;
import org.consentrecorder.audio.EncodedRecording;
import org.consentrecorder.audio.SourceAudio;
import org.consentrecorder.audio.StereoSource;
import org.consentrecorder.crypto.IssuedDataKey;
import org.consentrecorder.crypto.RecordingEncryptor;
import org.consentrecorder.crypto.StreamFormat;
import org.consentrecorder.crypto.StreamSummary;
import org.consentrecorder.crypto.SubjectKeyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * Step 1, finished → stored: streams the file from Asterisk, encodes it in the configured codec
 * ({@link AudioStorage}) and encrypts it as it streams under a fresh data key, on a worker thread,
 * writes the ciphertext in chunk rows and marks the copy stored, with the codec and the source's
 * SHA-256 and exact duration. Apart from the
 * other steps because it is the only one that holds locks, a key being issued and a stream in flight.
 * It starts over from nothing each time (old chunks go first), so a crash anywhere in it only
 * means it runs again; the file stays on Asterisk throughout.
 */
final class IngestStep {
    private static final Logger LOG = LoggerFactory.getLogger(IngestStep.class);

    /** How long the worker waits for the next bit of the file or for a chunk row to be written. */
    private static final Duration STALL = Duration.ofMinutes(2);

    private final Vertx vertx;
    private final Context context;
    private final WorkerExecutor encoders;
    private final AudioStorage storage;
    private final ArchiveRepository repository;
    private final AriClients ari;
    private final SubjectKeyStore keys;
    private final ArchiveSettings settings;
    private final ArchiveCheckpoints checkpoints;

    IngestStep(Vertx vertx, Context context, WorkerExecutor encoders, AudioStorage storage,
               ArchiveRepository repository, AriClients ari, SubjectKeyStore keys,
               ArchiveSettings settings, ArchiveCheckpoints checkpoints) {
        this.vertx = vertx;
        this.context = context;
        this.encoders = encoders;
        this.storage = storage;
        this.repository = repository;
        this.ari = ari;
        this.keys = keys;
        this.settings = settings;
        this.checkpoints = checkpoints;
    }

    Future<Void> run(RecordingRow row) {
        // the file is on the Asterisk server the call was on
        AriClient client = ari.client(row.server());
        if (client == null) {
            return Future.failedFuture("ARI server '" + row.server() + "' is not connected here");
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
                                .compose(v -> session.markStored(copy))
                                .map(changed -> {
                                    LOG.info("archive: {} stored as {}, {} bytes from {} ({} chunks)", row.name(),
                                            copy.audio().codec() == null ? "recorded" : copy.audio().codec(),
                                            copy.plaintextBytes(), copy.audio().sourceBytes(),
                                            changed ? "new" : "already");
                                    return changed;
                                }))
                        .compose(changed -> checkpoints.reached(Point.STORED, row.id()))
                        .eventually(() -> {
                            issued.close();
                            return Future.succeededFuture();
                        })));
    }

    /** A leg's file as it streams in from Asterisk: paused until the worker asks for it. */
    private record Leg(HttpClientResponse response, Context context, ReadStreamInputStream input) {
        void reset() {
            try {
                // the worker gave up (a damaged source, the database): stop the download rather than leave it paused
                context.runOnContext(v -> response.request().reset());
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // Vert.x is closing: the connection goes with it
            }
        }
    }

    /**
     * Streams the file from Asterisk through the codec and the encryptor into chunk rows, holding at most one
     * chunk; a stereo recording's two legs side by side, interleaved into one stereo stream.
     */
    private Future<StoredCopy> streamIn(AriClient client, FetchRepository session, RecordingRow row, IssuedDataKey issued,
                                        byte[] ad) {
        return open(client, row.name()).compose(in -> {
            if (in == null) {
                return lostOnAsterisk(row).compose(v -> Future.<StoredCopy>failedFuture(
                        new ArchiveStopped(row.name() + " is no longer on Asterisk")));
            }
            if (row.outName() == null) {
                return encryptInto(in, null, session, row, issued, ad);
            }
            return open(client, row.outName()).recover(e -> {
                in.reset();
                return Future.failedFuture(e);
            }).compose(out -> {
                if (out == null) {
                    // the second leg is gone: what is left is the first, stored alone rather than lost with it
                    return secondLegLost(row).compose(v -> encryptInto(in, null, session, row, issued, ad));
                }
                return encryptInto(in, out, session, row, issued, ad);
            });
        });
    }

    /** A recording's file, paused; null when Asterisk does not have it (404). */
    private Future<Leg> open(AriClient client, String name) {
        String path = "/recordings/stored/" + AriEndpoint.encode(name) + "/file";
        return client.http().openStream(path).compose(response -> {
            if (response.statusCode() == 404) {
                response.end();
                return Future.succeededFuture(null);
            }
            if (response.statusCode() != 200) {
                response.end();
                return Future.failedFuture(new AriFailure(response.statusCode(),
                        "Asterisk answered HTTP " + response.statusCode() + " for the recording file", null));
            }
            Context responseContext = Vertx.currentContext() != null ? Vertx.currentContext() : context;
            return Future.succeededFuture(new Leg(response, responseContext,
                    new ReadStreamInputStream(responseContext, response, STALL)));
        });
    }

    /**
     * On a worker thread (encoding is CPU work and every step of it blocks): reads the response(s),
     * stores them in the configured codec and encrypts into chunk rows as it goes. Each response
     * arrives one buffer at a time as the worker asks for it, so memory stays bounded.
     */
    private Future<StoredCopy> encryptInto(Leg in, Leg out, FetchRepository session, RecordingRow row,
                                           IssuedDataKey issued, byte[] ad) {
        return encoders.<StoredCopy>executeBlocking(() -> {
            RecordingEncryptor encryptor = RecordingEncryptor.create(issued.dataKey(), ad, settings.segmentSize());
            ChunkWriter writer = new ChunkWriter(session, settings.segmentsPerChunk());
            EncryptingChunkOutput output = new EncryptingChunkOutput(context, encryptor, writer, STALL,
                    () -> checkpoints.reached(Point.ENCODING, row.id()));
            WavHeader wav = new WavHeader();
            EncodedRecording encoded = out == null
                    ? storage.store(row.format(), new HeaderTap(in.input(), wav), output)
                    : storage.storeStereo(row.format(), in.input(), out.input(),
                            row.outOffsetMs(), output);
            output.finish();
            StreamSummary s = encryptor.summary();
            StoredAudio audio;
            Long durationMs;
            if (encoded == null) {
                // stored as Asterisk wrote it: the plaintext is the source
                audio = new StoredAudio(null, null, s.plaintextSha256(), s.plaintextBytes(), null);
                durationMs = "wav".equals(row.format()) ? wav.durationMs(s.plaintextBytes()) : null;
            } else {
                SourceAudio src = encoded.source();
                StereoSource both = encoded.stereo();
                audio = new StoredAudio(encoded.parameters().codec().setting(), encoded.parameters().toText(),
                        src.sha256(), src.sourceBytes(), src.frames(), both == null ? null : both.out().sha256(),
                        both == null ? null : both.out().sourceBytes());
                durationMs = src.durationMillis();
            }
            return new StoredCopy(encryptor.header(), issued.wrapped().subjectKeyId(),
                    issued.wrapped().toBytes(), s.plaintextBytes(), s.ciphertextBytes(), s.plaintextSha256(),
                    StreamFormat.VERSION, s.segmentSize(), writer.chunksWritten(), settings.segmentsPerChunk(),
                    durationMs, audio);
        }, false).onFailure(e -> {
            in.reset();
            if (out != null) {
                out.reset();
            }
        });
    }

    /** Lets the raw path measure a WAV's duration from the bytes that pass. */
    private static final class HeaderTap extends java.io.FilterInputStream {
        private final WavHeader header;

        HeaderTap(java.io.InputStream in, WavHeader header) {
            super(in);
            this.header = header;
        }

        @Override
        public int read() throws java.io.IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws java.io.IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                header.take(Buffer.buffer().appendBytes(b, off, n));
            }
            return n;
        }
    }

    /** A stereo recording's second leg is gone before a copy verified: an incident; the first leg is still kept. */
    private Future<Void> secondLegLost(RecordingRow row) {
        String detail = "recording " + row.outName() + " (the second leg of " + row.name() + ", call " + row.callId()
                + ") was not on Asterisk any more before a copy was verified; the first leg is stored alone";
        LOG.error("archive incident: {}", ExternalText.forLog(detail));
        return repository.incident("recording_leg_lost", row.callId().toString(), detail);
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
