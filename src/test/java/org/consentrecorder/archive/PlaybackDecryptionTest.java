package org.consentrecorder.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Playback decrypts on threads of its own, never on the event loop that serves the request: the event loops also
 * carry the calls, and a pause would wait behind megabytes of AES-GCM. Shown by holding the decryption threads: the
 * rows have been read, nothing is released, and the event loop of the playback keeps running other work meanwhile.
 */
class PlaybackDecryptionTest {
    /** Three chunk rows at the default size (16 segments of 64 KiB): the stream reads two rows, then one. */
    private static final long SIZE = 40L * 64 * 1024 - 777;
    private AppHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void decryptionWaitsForItsOwnThreadsWhileTheEventLoopStaysFree() throws Exception {
        h = AppHarness.start(Map.of("CR_ARCHIVE_CODEC", "wav"));
        UUID callId = UUID.randomUUID();
        String name = "cr-" + callId;
        h.asterisk.putGeneratedRecording(name, SIZE, 11);
        UUID id = h.app.archivePipeline().recordingFinished(callId, name, UUID.randomUUID(), "+15550001111", "wav", 200)
                .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        h.awaitRows("select 1 from recording where id = $1 and state = 'archived'", id);
        Map<String, Object> row = h.rows("select plaintext_sha256, plaintext_bytes, chunk_count from recording where id = $1",
                id).get(0);
        String stored = HexFormat.of().formatHex(((Buffer) row.get("plaintext_sha256")).getBytes());
        assertEquals(SIZE, ((Number) row.get("plaintext_bytes")).longValue(), "stored as it came (not a WAV file)");
        assertEquals(3, ((Number) row.get("chunk_count")).intValue());

        Vertx vertx = h.app.vertx();
        HeldExecutor decryption = new HeldExecutor(vertx.createSharedWorkerExecutor("test-decrypt", 1));
        EncryptedArchive archive = new EncryptedArchive(vertx, new ArchiveRepository(h.app.pool()),
                h.app.subjectKeys(), decryption);

        // played on an event loop, as the admin API does
        Context loop = vertx.getOrCreateContext();
        assertTrue(loop.isEventLoopContext());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        AtomicLong received = new AtomicLong();
        CompletableFuture<Long> done = new CompletableFuture<>();
        loop.runOnContext(v -> archive.open(id, 0, SIZE).onFailure(done::completeExceptionally).onSuccess(stream -> {
            stream.exceptionHandler(done::completeExceptionally);
            stream.endHandler(e -> done.complete(received.get()));
            stream.handler(b -> {
                sha.update(b.getBytes());
                received.addAndGet(b.length());
            });
        }));

        assertTrue(decryption.submitted.await(20, TimeUnit.SECONDS), "the rows read are handed to the decryption threads");
        CompletableFuture<Boolean> loopRan = new CompletableFuture<>();
        loop.runOnContext(v -> loopRan.complete(Context.isOnEventLoopThread()));
        assertTrue(loopRan.get(5, TimeUnit.SECONDS), "the playback's event loop runs other work while its rows wait");
        assertEquals(0, received.get(), "no plaintext before the decryption threads decrypted it");
        assertFalse(done.isDone());

        decryption.release.countDown();
        assertEquals(SIZE, done.get(30, TimeUnit.SECONDS));
        assertEquals(stored, HexFormat.of().formatHex(sha.digest()), "the plaintext the archive stored, byte for byte");
        assertEquals(2, decryption.ran.get(), "two reads: two rows, then one");
        assertEquals(List.of(false, false), decryption.onEventLoop, "no decryption on an event loop");
    }

    /** Passes work to a real worker pool once released, noting where it ran. */
    private static final class HeldExecutor implements WorkerExecutor {
        final CountDownLatch submitted = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger ran = new AtomicInteger();
        final List<Boolean> onEventLoop = new CopyOnWriteArrayList<>();
        private final WorkerExecutor delegate;

        HeldExecutor(WorkerExecutor delegate) {
            this.delegate = delegate;
        }

        @Override
        public <T> Future<T> executeBlocking(Callable<T> work, boolean ordered) {
            submitted.countDown();
            return delegate.executeBlocking(() -> {
                assertTrue(release.await(30, TimeUnit.SECONDS));
                onEventLoop.add(Context.isOnEventLoopThread());
                ran.incrementAndGet();
                return work.call();
            }, ordered);
        }

        @Override
        public Future<Void> close() {
            return delegate.close();
        }

        @Override
        public boolean isMetricsEnabled() {
            return false;
        }
    }
}
