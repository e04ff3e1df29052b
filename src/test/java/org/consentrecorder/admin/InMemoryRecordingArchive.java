package org.consentrecorder.admin;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.consentrecorder.archive.RecordingArchive;

/**
 * A test double of the encrypted archive that serves known bytes and can fail mid-stream, for the
 * API's own tests; {@link ArchivedPlaybackApiTest} uses the real encrypted archive.
 */
final class InMemoryRecordingArchive implements RecordingArchive {
    private final Map<UUID, Entry> recordings = new ConcurrentHashMap<>();

    private record Entry(ArchivedRecording meta, byte[] bytes, long failAfter) {
    }

    void put(ArchivedRecording meta, byte[] bytes) {
        recordings.put(meta.id(), new Entry(meta, bytes.clone(), -1));
    }

    /** The stream fails (as on an authentication failure) after this many bytes. */
    void putFailingAfter(ArchivedRecording meta, byte[] bytes, long failAfter) {
        recordings.put(meta.id(), new Entry(meta, bytes.clone(), failAfter));
    }

    static ArchivedRecording meta(UUID id, UUID callId, String state, long size) {
        return new ArchivedRecording(id, callId, "wav", state, size, 12, Instant.parse("2025-01-31T08:00:00Z"));
    }

    @Override
    public Future<Optional<ArchivedRecording>> find(UUID recordingId) {
        Entry e = recordings.get(recordingId);
        return Future.succeededFuture(Optional.ofNullable(e == null ? null : e.meta()));
    }

    @Override
    public Future<ReadStream<Buffer>> open(UUID recordingId, long offset, long length) {
        Entry e = recordings.get(recordingId);
        if (e == null) {
            return Future.failedFuture(new IllegalArgumentException("unknown recording"));
        }
        if (offset < 0 || length < 0 || offset + length > e.bytes().length) {
            return Future.failedFuture(new IllegalArgumentException("range outside the recording"));
        }
        Context ctx = Vertx.currentContext();
        return Future.succeededFuture(new BytesReadStream(ctx, e.bytes(), (int) offset, (int) (offset + length),
                e.failAfter() < 0 ? -1 : (int) e.failAfter()));
    }

    /** A ReadStream over a byte array honouring pause, resume and fetch; optionally fails part way. */
    static final class BytesReadStream implements ReadStream<Buffer> {
        private static final int CHUNK = 8192;
        private final Context ctx;
        private final byte[] data;
        private final int end;
        private final int failAt;
        private int pos;
        private long demand = Long.MAX_VALUE;
        private boolean scheduled;
        private boolean done;
        private Handler<Buffer> handler;
        private Handler<Void> endHandler;
        private Handler<Throwable> exceptionHandler;

        BytesReadStream(Context ctx, byte[] data, int start, int end, int failAt) {
            this.ctx = ctx;
            this.data = data;
            this.pos = start;
            this.end = end;
            this.failAt = failAt;
        }

        @Override
        public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) {
            exceptionHandler = h;
            return this;
        }

        @Override
        public ReadStream<Buffer> handler(Handler<Buffer> h) {
            handler = h;
            schedule();
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
            demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
            schedule();
            return this;
        }

        @Override
        public ReadStream<Buffer> endHandler(Handler<Void> h) {
            endHandler = h;
            return this;
        }

        private void schedule() {
            if (!scheduled && !done && handler != null) {
                scheduled = true;
                ctx.runOnContext(v -> {
                    scheduled = false;
                    emit();
                });
            }
        }

        private void emit() {
            while (demand > 0 && handler != null && !done) {
                if (failAt >= 0 && pos >= failAt) {
                    done = true;
                    if (exceptionHandler != null) {
                        exceptionHandler.handle(new IllegalStateException("segment authentication failed (test)"));
                    }
                    return;
                }
                if (pos >= end) {
                    done = true;
                    if (endHandler != null) {
                        endHandler.handle(null);
                    }
                    return;
                }
                int n = Math.min(CHUNK, end - pos);
                if (failAt >= 0) {
                    n = Math.min(n, failAt - pos);
                }
                Buffer b = Buffer.buffer(Arrays.copyOfRange(data, pos, pos + n));
                pos += n;
                if (demand != Long.MAX_VALUE) {
                    demand--;
                }
                handler.handle(b);
            }
        }
    }
}
