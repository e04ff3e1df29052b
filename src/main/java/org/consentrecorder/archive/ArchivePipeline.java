package org.consentrecorder.archive;

import ch.loway.oss.ari4java.generated.models.StoredRecording;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.ari.AriEndpoint;
import org.consentrecorder.ari.AriFailure;
import org.consentrecorder.call.CallIds;
import org.consentrecorder.call.LawfulBasis;
import org.consentrecorder.call.Outcome;
import org.consentrecorder.crypto.DataKey;
import org.consentrecorder.crypto.IssuedDataKey;
import org.consentrecorder.crypto.RecordingDecryptor;
import org.consentrecorder.crypto.RecordingEncryptor;
import org.consentrecorder.crypto.StreamFormat;
import org.consentrecorder.crypto.StreamSummary;
import org.consentrecorder.crypto.SubjectKeyStore;
import org.consentrecorder.crypto.WrappedDataKey;
import org.consentrecorder.archive.ArchiveCheckpoints.Point;
import org.consentrecorder.archive.ArchiveRepository.RecordingRow;
import org.consentrecorder.archive.ArchiveRepository.StoredCopy;
import org.consentrecorder.store.SubjectLocks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves finished recordings from Asterisk into the encrypted archive, one durable step at a time:
 *
 * <ol>
 *   <li>finished → stored: stream the file from Asterisk, encrypt it as it streams (fresh data key,
 *       STREAM segments), write the ciphertext in chunk rows, then mark the copy stored;</li>
 *   <li>stored → verified: read every chunk back, authenticate and decrypt it, and compare the
 *       plaintext SHA-256 and length with those computed on the way in;</li>
 *   <li>verified → archived: only now delete the file on Asterisk.</li>
 * </ol>
 *
 * Every step can run again from its starting state (a fetch starts over, a verification reads
 * again, a delete of a missing file succeeds), so a crash anywhere loses nothing and duplicates
 * nothing. Failures are retried with capped exponential backoff; the file stays on Asterisk until
 * the copy is verified. A reconciliation compares Asterisk's stored recordings with the database:
 * consented ones are archived, unconsented ones deleted and reported as incidents.
 */
public final class ArchivePipeline {
    private static final Logger LOG = LoggerFactory.getLogger(ArchivePipeline.class);

    private final Vertx vertx;
    private final Context context;
    private final ArchiveRepository repository;
    private final Supplier<AriClient> ari;
    private final SubjectKeyStore keys;
    private final ArchiveSettings settings;
    private final ArchiveCheckpoints checkpoints;
    private final Clock clock;
    private final Set<UUID> inFlight = ConcurrentHashMap.newKeySet();
    private boolean pollScheduled;
    private boolean stopped;
    private final List<Long> timers = new ArrayList<>();
    private volatile ArchiveMetrics metrics = ArchiveMetrics.NOOP;

    public ArchivePipeline(Vertx vertx, Context context, ArchiveRepository repository, Supplier<AriClient> ari,
                           SubjectKeyStore keys, ArchiveSettings settings, ArchiveCheckpoints checkpoints, Clock clock) {
        this.vertx = vertx;
        this.context = context;
        this.repository = repository;
        this.ari = ari;
        this.keys = keys;
        this.settings = settings;
        this.checkpoints = checkpoints;
        this.clock = clock;
    }

    /** The associated data that binds a recording's ciphertext and wrapped key to its id. */
    public static byte[] associatedData(UUID recordingId) {
        return ("consent-recorder recording " + recordingId).getBytes(StandardCharsets.UTF_8);
    }

    /** Key of the subject whose recordings these are; anonymous callers get one per call. */
    public static String subjectOf(String callerSubject, UUID callId) {
        return callerSubject != null ? callerSubject : "call:" + callId;
    }

    /** Reports archived recordings and verification failures to {@code metrics} from now on. */
    public void useMetrics(ArchiveMetrics metrics) {
        this.metrics = java.util.Objects.requireNonNull(metrics);
    }

    public void start() {
        context.runOnContext(v -> {
            timers.add(vertx.setPeriodic(settings.pollInterval().toMillis(), t -> poll()));
            timers.add(vertx.setPeriodic(settings.reconcileInterval().toMillis(), t -> reconcile()
                    .onFailure(e -> LOG.warn("archive reconciliation failed: {}", e.getMessage()))));
            poll();
        });
    }

    public void stop() {
        context.runOnContext(v -> {
            stopped = true;
            timers.forEach(vertx::cancelTimer);
        });
    }

    /** A consented recording ended on Asterisk: register it and archive it soon. */
    public Future<UUID> recordingFinished(UUID callId, String name, UUID consentId, String subject, String format,
                                          Integer durationSeconds) {
        return repository.registerFinished(callId, name, consentId, subject, format, durationSeconds, clock.instant())
                .onSuccess(id -> kick());
    }

    /** Look for due work now rather than at the next poll. */
    public void kick() {
        context.runOnContext(v -> {
            if (!pollScheduled && !stopped) {
                pollScheduled = true;
                vertx.setTimer(1, t -> {
                    pollScheduled = false;
                    poll();
                });
            }
        });
    }

    private void poll() {
        if (stopped || inFlight.size() >= settings.concurrency()) {
            return;
        }
        repository.claimDue(settings.concurrency() - inFlight.size(), settings.lease()).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("archive: cannot read pending recordings: {}", ar.cause().getMessage());
                return;
            }
            for (RecordingRow row : ar.result()) {
                if (inFlight.add(row.id())) {
                    advance(row).onComplete(done -> {
                        inFlight.remove(row.id());
                        if (done.failed() && !(done.cause() instanceof ArchiveStopped)) {
                            retryLater(row, done.cause());
                        }
                        poll();
                    });
                }
            }
        });
    }

    /** Runs the row's remaining steps in order. */
    private Future<Void> advance(RecordingRow row) {
        return switch (row.state()) {
            case "finished" -> fetchAndStore(row).compose(v -> reload(row.id())).compose(this::advance);
            case "stored" -> verify(row).compose(ok -> ok ? reload(row.id()).compose(this::advance) : Future.succeededFuture());
            case "verified" -> deleteOnAsterisk(row);
            default -> Future.succeededFuture();
        };
    }

    private Future<RecordingRow> reload(UUID id) {
        return repository.find(id).map(r -> r.orElseThrow(() -> new IllegalStateException("recording " + id + " vanished")));
    }

    private void retryLater(RecordingRow row, Throwable cause) {
        int attempt = Math.max(1, row.attempts());
        long ceiling = Math.min(settings.retryMax().toMillis(),
                settings.retryMin().toMillis() * (1L << Math.min(attempt - 1, 20)));
        long delay = ceiling / 2 + (long) (Math.random() * (ceiling / 2.0));
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        LOG.warn("archive: {} ({}) not done yet, retrying in {} ms: {}", row.name(), row.state(), delay, message);
        repository.failed(row.id(), message, clock.instant().plusMillis(delay))
                .onFailure(e -> LOG.warn("archive: cannot note the failure of {}: {}", row.name(), e.getMessage()));
        vertx.setTimer(delay + 5, t -> kick());
    }

    // ---- step 1: fetch, encrypt, store ---------------------------------------------------------

    private Future<Void> fetchAndStore(RecordingRow row) {
        AriClient client = ari.get();
        if (client == null) {
            return Future.failedFuture("ARI is not connected");
        }
        byte[] ad = associatedData(row.id());
        String subject = subjectOf(row.subject(), row.callId());
        // the shared subject lock keeps erasure and retention from destroying the subject key while
        // a data key is issued under it and the ciphertext written (store.SubjectLocks)
        return repository.pool().getConnection().compose(conn -> SubjectLocks.lockShared(conn, subject)
                .compose(v -> lock(conn, row.id()).compose(locked -> {
                    if (!locked) {
                        return Future.failedFuture("another instance is archiving " + row.name());
                    }
                    return stillFinished(conn, row)
                            .compose(v2 -> blocking(() -> keys.issueDataKey(subject, ad)))
                            .compose(issued -> conn.preparedQuery("delete from recording_chunk where recording_id = $1")
                                    .execute(Tuple.of(row.id()))
                                    .compose(v2 -> checkpoints.reached(Point.FETCH_STARTED, row.id()))
                                    .compose(v2 -> streamIn(client, conn, row, issued, ad))
                                    .compose(copy -> checkpoints.reached(Point.CHUNKS_WRITTEN, row.id())
                                            .compose(v2 -> repository.stored(conn, row.id(), copy)))
                                    .compose(changed -> {
                                        LOG.info("archive: {} stored ({} chunks)", row.name(), changed ? "new" : "already");
                                        return checkpoints.reached(Point.STORED, row.id());
                                    })
                                    .eventually(() -> {
                                        issued.close();
                                        return Future.succeededFuture();
                                    }))
                            .eventually(() -> unlock(conn, row.id()));
                }))
                .eventually(() -> SubjectLocks.unlockShared(conn, subject))
                .eventually(conn::close));
    }

    /** An erasure may have taken the recording while it waited for its turn: then there is nothing to fetch. */
    private Future<Void> stillFinished(SqlConnection conn, RecordingRow row) {
        return conn.preparedQuery("select state from recording where id = $1").execute(Tuple.of(row.id()))
                .compose(rows -> rows.size() == 1 && "finished".equals(rows.iterator().next().getString(0))
                        ? Future.succeededFuture()
                        : Future.failedFuture(new ArchiveStopped(row.name() + " is no longer waiting to be fetched")));
    }

    /** Streams the file from Asterisk through the encryptor into chunk rows, holding at most one chunk. */
    private Future<StoredCopy> streamIn(AriClient client, SqlConnection conn, RecordingRow row, IssuedDataKey issued,
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
            return encryptInto(response, conn, row, issued, ad);
        });
    }

    private Future<StoredCopy> encryptInto(HttpClientResponse response, SqlConnection conn, RecordingRow row,
                                           IssuedDataKey issued, byte[] ad) {
        Promise<StoredCopy> done = Promise.promise();
        RecordingEncryptor encryptor = RecordingEncryptor.create(issued.dataKey(), ad, settings.segmentSize());
        ChunkWriter writer = new ChunkWriter(conn, row.id(), settings.segmentsPerChunk());
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

    /**
     * The first 44 bytes of a WAV file, for its exact length: RecordingFinished reports whole
     * seconds only (a 4.5 s file says 4).
     */
    private static final class WavHeader {
        private final byte[] head = new byte[44];
        private int filled;

        void take(Buffer b) {
            int n = Math.min(head.length - filled, b.length());
            if (n > 0) {
                b.getBytes(0, n, head, filled);
                filled += n;
            }
        }

        Long durationMs(long fileBytes) {
            if (filled < head.length || head[0] != 'R' || head[1] != 'I' || head[8] != 'W') {
                return null;
            }
            long byteRate = (head[28] & 0xFFL) | (head[29] & 0xFFL) << 8 | (head[30] & 0xFFL) << 16 | (head[31] & 0xFFL) << 24;
            return byteRate <= 0 ? null : (fileBytes - 44) * 1000 / byteRate;
        }
    }

    /** Collects sealed segments into chunk rows of a fixed number of segments. */
    private static final class ChunkWriter {
        private final SqlConnection conn;
        private final UUID recordingId;
        private final int segmentsPerChunk;
        private final List<byte[]> pending = new ArrayList<>();
        private int nextSeq;

        ChunkWriter(SqlConnection conn, UUID recordingId, int segmentsPerChunk) {
            this.conn = conn;
            this.recordingId = recordingId;
            this.segmentsPerChunk = segmentsPerChunk;
        }

        void add(List<byte[]> segments) {
            pending.addAll(segments);
        }

        boolean hasFullChunks() {
            return pending.size() >= segmentsPerChunk;
        }

        int chunksWritten() {
            return nextSeq;
        }

        Future<Void> flushFull() {
            List<Tuple> batch = new ArrayList<>();
            while (pending.size() >= segmentsPerChunk) {
                batch.add(chunk(segmentsPerChunk));
            }
            return write(batch);
        }

        Future<Void> flushAll() {
            List<Tuple> batch = new ArrayList<>();
            while (!pending.isEmpty()) {
                batch.add(chunk(Math.min(segmentsPerChunk, pending.size())));
            }
            return write(batch);
        }

        private Tuple chunk(int segments) {
            int size = 0;
            for (int i = 0; i < segments; i++) {
                size += pending.get(i).length;
            }
            Buffer data = Buffer.buffer(size);
            for (int i = 0; i < segments; i++) {
                data.appendBytes(pending.remove(0));
            }
            return Tuple.of(recordingId, nextSeq++, data);
        }

        private Future<Void> write(List<Tuple> batch) {
            if (batch.isEmpty()) {
                return Future.succeededFuture();
            }
            return conn.preparedQuery("insert into recording_chunk (recording_id, seq, data) values ($1, $2, $3)")
                    .executeBatch(batch).mapEmpty();
        }
    }

    // ---- step 2: verify ------------------------------------------------------------------------

    /** Reads the stored copy back and authenticates all of it; false sends it back to be fetched again. */
    private Future<Boolean> verify(RecordingRow row) {
        byte[] ad = associatedData(row.id());
        return blocking(() -> keys.unwrapDataKey(WrappedDataKey.parse(row.wrappedDataKey()), ad))
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
                    metrics.verificationFailed();
                    LOG.error("archive: {} failed verification, fetching again: {}", row.name(), e.getMessage());
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

    /** Reads chunk rows a few at a time (no long transaction, bounded memory) into the decryptor. */
    private Future<Void> readChunks(RecordingRow row, int fromSeq, RecordingDecryptor decryptor) {
        if (fromSeq >= row.chunkCount()) {
            return Future.succeededFuture();
        }
        int batch = 4;
        return repository.pool().preparedQuery("select seq, data from recording_chunk where recording_id = $1 "
                        + "and seq >= $2 and seq < $3 order by seq")
                .execute(Tuple.of(row.id(), fromSeq, fromSeq + batch))
                .compose(rows -> {
                    int expected = fromSeq;
                    for (Row r : rows) {
                        if (r.getInteger("seq") != expected) {
                            return Future.failedFuture("chunk " + expected + " is missing");
                        }
                        decryptor.update(r.getBuffer("data").getBytes());
                        expected++;
                    }
                    if (expected != Math.min(fromSeq + batch, row.chunkCount())) {
                        return Future.failedFuture("chunk " + expected + " is missing");
                    }
                    return readChunks(row, expected, decryptor);
                });
    }

    // ---- step 3: delete on Asterisk -------------------------------------------------------------

    private Future<Void> deleteOnAsterisk(RecordingRow row) {
        AriClient client = ari.get();
        if (client == null) {
            return Future.failedFuture("ARI is not connected");
        }
        return client.deleteStoredRecording(row.name())
                .recover(e -> AriClient.notFound(e) ? Future.succeededFuture() : Future.failedFuture(e))
                .compose(v -> checkpoints.reached(Point.DELETED_ON_ASTERISK, row.id()))
                .compose(v -> repository.archived(row.id()))
                .onSuccess(changed -> LOG.info("archive: {} archived ({} bytes of audio, encrypted, verified); "
                        + "Asterisk's copy deleted", row.name(), row.plaintextBytes()))
                .onSuccess(changed -> archivedNow(row, changed))
                .mapEmpty();
    }

    private void archivedNow(RecordingRow row, boolean changed) {
        if (changed) {
            metrics.archived(row.plaintextBytes() == null ? 0 : row.plaintextBytes(),
                    java.time.Duration.between(row.finishedAt(), clock.instant()));
        }
    }

    private Future<Void> lostOnAsterisk(RecordingRow row) {
        String detail = "recording " + row.name() + " of call " + row.callId()
                + " was not on Asterisk any more before a copy was verified";
        LOG.error("archive incident: {}", detail);
        return repository.terminal(row.id(), "lost", "not on Asterisk")
                .compose(v -> repository.incident("recording_lost", row.callId().toString(), detail));
    }

    // ---- reconciliation ------------------------------------------------------------------------

    /**
     * Compares Asterisk's stored recordings with the database. Only names this application gives
     * (cr-&lt;call id&gt;) are considered; other applications' recordings are left alone.
     */
    public Future<Integer> reconcile() {
        AriClient client = ari.get();
        if (client == null || stopped) {
            return Future.succeededFuture(0);
        }
        return client.storedRecordings().compose(stored -> {
            List<Future<Boolean>> work = new ArrayList<>();
            for (StoredRecording s : stored) {
                String name = s.getName();
                if (name == null || !name.startsWith(CallIds.PREFIX) || CallIds.callIdOf(name).isEmpty()
                        || !name.equals(CallIds.PREFIX + CallIds.callIdOf(name).get())) {
                    continue;
                }
                work.add(reconcileOne(client, name, s.getFormat()));
            }
            return Future.join(work).map(all -> {
                int acted = 0;
                for (int i = 0; i < all.size(); i++) {
                    if (Boolean.TRUE.equals(all.resultAt(i))) {
                        acted++;
                    }
                }
                if (acted > 0) {
                    kick();
                }
                return acted;
            });
        });
    }

    private Future<Boolean> reconcileOne(AriClient client, String name, String format) {
        UUID callId = CallIds.callIdOf(name).orElseThrow();
        return repository.findByName(name).compose(existing -> {
            if (existing.isPresent()) {
                String state = existing.get().state();
                if (state.equals("archived") || state.equals("discarded") || state.equals("rejected")
                        || state.equals("erased") || state.equals("expired")) {
                    // the archive has the verified copy, or the audio must not exist: Asterisk's goes
                    return client.deleteStoredRecording(name).map(true)
                            .recover(e -> AriClient.notFound(e) ? Future.succeededFuture(false) : Future.failedFuture(e));
                }
                return Future.succeededFuture(false);
            }
            // still being written? a live recording is not ours to touch yet
            return client.liveRecording(name).compose(live -> live.isPresent() ? Future.succeededFuture(false)
                    : repository.consentBehind(callId).compose(c -> decide(client, name, format, callId, c)));
        });
    }

    private Future<Boolean> decide(AriClient client, String name, String format, UUID callId,
                                   ArchiveRepository.ConsentBehind c) {
        boolean consented = c.callKnown() && c.outcome() != null && !c.withdrawn()
                && !"discarded".equals(c.recordingState())
                && Outcome.fromWire(c.outcome()).allowsRecording(LawfulBasis.valueOf(c.lawfulBasis().toUpperCase()));
        if (consented) {
            LOG.info("archive: {} found on Asterisk with consent behind it but never registered; archiving it", name);
            return repository.registerFinished(callId, name, c.consentId(), c.subject(),
                    format == null ? "wav" : format, null, clock.instant()).map(true);
        }
        boolean expected = c.withdrawn() || "discarded".equals(c.recordingState());
        String detail = expected
                ? "recording " + name + " of a call whose consent was withdrawn was still on Asterisk; deleted"
                : "recording " + name + " on Asterisk has no consent behind it (call "
                + (c.callKnown() ? "known, outcome " + c.outcome() : "unknown") + "); deleted";
        if (!expected) {
            LOG.error("archive incident: {}", detail);
        } else {
            LOG.warn("archive: {}", detail);
        }
        return client.deleteStoredRecording(name)
                .recover(e -> AriClient.notFound(e) ? Future.succeededFuture() : Future.failedFuture(e))
                .compose(v -> repository.registerTerminal(callId, name, c.consentId(), format == null ? "wav" : format,
                        expected ? "discarded" : "rejected", detail, clock.instant()))
                .compose(v -> expected ? Future.succeededFuture()
                        : repository.incident("unconsented_recording_deleted", callId.toString(), detail))
                .map(true);
    }

    // ---- plumbing ------------------------------------------------------------------------------

    private Future<Boolean> lock(SqlConnection conn, UUID id) {
        return conn.preparedQuery("select pg_try_advisory_lock($1)").execute(Tuple.of(lockKey(id)))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    private Future<Void> unlock(SqlConnection conn, UUID id) {
        return conn.preparedQuery("select pg_advisory_unlock($1)").execute(Tuple.of(lockKey(id)))
                .<Void>mapEmpty().recover(e -> Future.succeededFuture());
    }

    /** The advisory lock key the fetch holds on a recording (erasure waits for it). */
    public static long lockKey(UUID id) {
        return id.getMostSignificantBits() ^ id.getLeastSignificantBits();
    }

    /** Key store work touches files (fsync): never on an event loop. */
    private <T> Future<T> blocking(Callable<T> work) {
        return vertx.executeBlocking(work, false);
    }

    /** The pipeline gave up on a recording for good (it is not on Asterisk any more). */
    static final class ArchiveStopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ArchiveStopped(String message) {
            super(message, null, false, false);
        }
    }
}
