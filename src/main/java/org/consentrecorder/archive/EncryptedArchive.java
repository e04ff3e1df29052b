package org.consentrecorder.archive;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.consentrecorder.crypto.DataKey;
import org.consentrecorder.crypto.RecordingDecryptor;
import org.consentrecorder.crypto.SegmentLayout;
import org.consentrecorder.crypto.StreamFormat;
import org.consentrecorder.crypto.SubjectKeyStore;
import org.consentrecorder.crypto.WrappedDataKey;
import org.consentrecorder.archive.ArchiveRepository.Chunk;
import org.consentrecorder.archive.ArchiveRepository.RecordingRow;

/**
 * Playback and export through the decrypting path. A byte range maps to the STREAM segments
 * that hold it; only their chunk rows are read, a few at a time, and a segment's plaintext is
 * released only after its tag verified. Any failure ends the stream with an error: a caller never
 * gets unauthenticated audio, nor audio past a tampered segment.
 *
 * <p>Decryption runs on worker threads of its own ({@value #DECRYPTION_POOL}), never on the event loop that
 * serves the request: a read is up to {@value #ROWS_PER_READ} chunk rows (2 MiB at the default chunk size) of
 * AES-GCM, and the event loops also carry the calls, whose pauses would wait behind it.
 */
public final class EncryptedArchive implements RecordingArchive {
    private static final int ROWS_PER_READ = 2;
    /** Name of the worker pool that decrypts playback and export reads. */
    static final String DECRYPTION_POOL = "cr-archive-decrypt";
    /** Its threads: more would only take cores from the calls; a read waiting for one is a slower download. */
    static final int DECRYPTION_THREADS = 2;

    private final Vertx vertx;
    private final ArchiveRepository repository;
    private final SubjectKeyStore keys;
    private final WorkerExecutor decryption;

    public EncryptedArchive(Vertx vertx, ArchiveRepository repository, SubjectKeyStore keys) {
        this(vertx, repository, keys, vertx.createSharedWorkerExecutor(DECRYPTION_POOL, DECRYPTION_THREADS));
    }

    /** With the executor that decrypts (tests hold it to see what waits for it). */
    EncryptedArchive(Vertx vertx, ArchiveRepository repository, SubjectKeyStore keys, WorkerExecutor decryption) {
        this.vertx = vertx;
        this.repository = repository;
        this.keys = keys;
        this.decryption = decryption;
    }

    @Override
    public Future<Optional<ArchivedRecording>> find(UUID recordingId) {
        return repository.find(recordingId).map(row -> row.map(r -> new ArchivedRecording(r.id(), r.callId(),
                r.format(), r.state().wire(), r.plaintextBytes() == null ? 0 : r.plaintextBytes(), r.durationSeconds(),
                r.finishedAt(), r.codec(), r.codecParameters(), r.sourceFrames())));
    }

    @Override
    public Future<ReadStream<Buffer>> open(UUID recordingId, long offset, long length) {
        return repository.find(recordingId).compose(found -> {
            if (found.isEmpty()) {
                return Future.failedFuture(new IllegalArgumentException("no recording " + recordingId));
            }
            RecordingRow row = found.get();
            if (!row.state().playable()) {
                return Future.failedFuture(new IllegalStateException("recording " + recordingId
                        + " is not archived (state " + row.state().wire() + ")"));
            }
            long total = row.plaintextBytes();
            if (offset < 0 || length < 0 || offset + length > total) {
                return Future.failedFuture(new IllegalArgumentException("range " + offset + "+" + length
                        + " outside 0.." + total));
            }
            byte[] ad = ArchivePipeline.associatedData(row.id());
            return vertx.executeBlocking(() -> keys.unwrapDataKey(WrappedDataKey.parse(row.wrappedDataKey()), ad), false)
                    .map(dataKey -> new PlaintextStream(row, dataKey, ad, offset, length));
        });
    }

    /**
     * A ReadStream of plaintext with back-pressure: it reads the next chunk rows only when the
     * consumer wants more. Runs on the context that opened it, but for the decryption itself.
     */
    private final class PlaintextStream implements ReadStream<Buffer> {
        private final RecordingRow row;
        private final DataKey dataKey;
        private final long end;
        private final int segmentsPerChunk;
        private final int segmentCiphertext;
        private final Deque<Buffer> ready = new ArrayDeque<>();
        private RecordingDecryptor decryptor;
        private long position;
        private int nextSeq;
        private long skipInFirstChunk;
        private long skipPlaintext;
        private long demand = Long.MAX_VALUE;
        private boolean reading;
        private boolean sourceDone;
        private boolean finished;
        private Handler<Buffer> handler;
        private Handler<Throwable> exceptionHandler;
        private Handler<Void> endHandler;

        PlaintextStream(RecordingRow row, DataKey dataKey, byte[] ad, long offset, long length) {
            this.row = row;
            this.dataKey = dataKey;
            this.end = offset + length;
            this.position = offset;
            this.segmentsPerChunk = row.segmentsPerChunk();
            this.segmentCiphertext = row.segmentSize() + StreamFormat.TAG_LENGTH;
            if (length == 0) {
                sourceDone = true;
                return;
            }
            SegmentLayout layout = SegmentLayout.of(row.header(), row.plaintextBytes());
            SegmentLayout.Position first = layout.locate(offset);
            long firstSegment = first.segmentIndex();
            this.decryptor = RecordingDecryptor.fromSegment(dataKey, ad, row.header(), row.plaintextBytes(), firstSegment);
            this.nextSeq = (int) (firstSegment / segmentsPerChunk);
            this.skipInFirstChunk = (firstSegment % segmentsPerChunk) * (long) segmentCiphertext;
            this.skipPlaintext = first.offsetInSegment();
        }

        @Override
        public ReadStream<Buffer> handler(Handler<Buffer> h) {
            this.handler = h;
            if (h != null) {
                vertx.getOrCreateContext().runOnContext(v -> drain());
            }
            return this;
        }

        @Override
        public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) {
            this.exceptionHandler = h;
            return this;
        }

        @Override
        public ReadStream<Buffer> endHandler(Handler<Void> h) {
            this.endHandler = h;
            return this;
        }

        @Override
        public ReadStream<Buffer> pause() {
            demand = 0;
            return this;
        }

        @Override
        public ReadStream<Buffer> resume() {
            return fetch(Long.MAX_VALUE);
        }

        @Override
        public ReadStream<Buffer> fetch(long amount) {
            demand = amount == Long.MAX_VALUE || demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
            drain();
            return this;
        }

        private void drain() {
            if (finished || handler == null) {
                return;
            }
            while (demand > 0 && !ready.isEmpty()) {
                if (demand != Long.MAX_VALUE) {
                    demand--;
                }
                handler.handle(ready.removeFirst());
            }
            if (ready.isEmpty() && sourceDone) {
                finish(null);
            } else if (ready.isEmpty() && !reading && demand > 0) {
                readMore();
            }
        }

        /** Reads the next rows on this context and decrypts them on a decryption thread; one read at a time. */
        private void readMore() {
            reading = true;
            repository.chunks(row.id(), nextSeq, ROWS_PER_READ)
                    .recover(e -> Future.failedFuture(new IllegalStateException("reading the archive failed: "
                            + e.getMessage())))
                    .compose(chunks -> decryption.executeBlocking(() -> decrypt(chunks), false))
                    .onComplete(ar -> {
                        reading = false;
                        if (finished) {
                            return;
                        }
                        if (ar.failed()) {
                            finish(ar.cause());
                            return;
                        }
                        Decrypted read = ar.result();
                        nextSeq += read.rows();
                        emit(read.plaintexts());
                        if (read.rows() == 0 && position < end) {
                            finish(new IllegalStateException("the recording ends before its stated length"));
                            return;
                        }
                        drain();
                    });
        }

        /**
         * On a decryption thread. The decryptor and the skip are touched only here while a read is in flight, and
         * {@code reading} keeps it to one: the executor's hand-over orders them between reads.
         */
        private Decrypted decrypt(List<Chunk> chunks) {
            List<byte[]> plaintexts = new java.util.ArrayList<>();
            int seq = nextSeq;
            for (Chunk c : chunks) {
                if (c.seq() != seq) {
                    throw new IllegalStateException("chunk " + seq + " of the recording is missing");
                }
                byte[] data = c.data();
                int from = (int) skipInFirstChunk;
                skipInFirstChunk = 0;
                plaintexts.addAll(decryptor.update(data, from, data.length - from));
                seq++;
            }
            return new Decrypted(chunks.size(), plaintexts);
        }

        /** Authenticated plaintext in; the requested range out. */
        private void emit(List<byte[]> plaintexts) {
            for (byte[] p : plaintexts) {
                int from = (int) Math.min(skipPlaintext, p.length);
                skipPlaintext -= from;
                int take = (int) Math.min(p.length - from, end - position);
                if (take > 0) {
                    ready.addLast(Buffer.buffer().appendBytes(p, from, take));
                    position += take;
                }
                if (position >= end) {
                    sourceDone = true;
                    break;
                }
            }
        }

        private record Decrypted(int rows, List<byte[]> plaintexts) {
        }

        private void finish(Throwable error) {
            if (finished) {
                return;
            }
            finished = true;
            ready.clear();
            if (decryptor != null) {
                // every released byte was in a segment whose tag verified (the last segment's
                // nonce carries the final flag); nothing more to prove, so just wipe the key
                decryptor.abandon();
            }
            dataKey.destroy();
            if (error != null) {
                if (exceptionHandler != null) {
                    exceptionHandler.handle(error);
                }
            } else if (endHandler != null) {
                endHandler.handle(null);
            }
        }
    }
}
