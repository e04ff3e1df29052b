package org.consentrecorder.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.HeapPeaks;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A 256 MB recording archived and played back with a small heap: this class runs in its own JVM
 * with -Xmx160m (see the pom's "archive-small-heap" execution), so holding the file in memory at
 * any step would fail it. Peak heap use is reported as well.
 */
class LargeRecordingArchiveTest {
    static final long SIZE = 256L * 1024 * 1024;
    private AppHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void a256MbRecordingIsArchivedAndReadBackWithBoundedMemory() throws Exception {
        long maxHeap = Runtime.getRuntime().maxMemory();
        assertTrue(maxHeap <= 256L * 1024 * 1024, "must run with a small heap, has " + maxHeap / (1024 * 1024) + " MB");
        h = AppHarness.start(Map.of("CR_ARCHIVE_LEASE", "10m"));
        UUID callId = UUID.randomUUID();
        String name = "cr-" + callId;
        long seed = 42;
        h.asterisk.putGeneratedRecording(name, SIZE, seed);
        HeapPeaks.reset();
        UUID id = h.app.archivePipeline().recordingFinished(callId, name, UUID.randomUUID(), "+15550009999", "wav", 8192)
                .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        h.asterisk.await("the archive", () -> !h.rows("select 1 from recording where id = $1 and state = 'archived'", id).isEmpty(),
                Duration.ofMinutes(4));
        Map<String, Object> row = h.rows("select plaintext_bytes, plaintext_sha256, chunk_count from recording where id = $1", id).get(0);
        assertEquals(SIZE, ((Number) row.get("plaintext_bytes")).longValue());
        String expected = expectedSha256(seed);
        assertEquals(expected, HexFormat.of().formatHex(((Buffer) row.get("plaintext_sha256")).getBytes()));

        // and back out through the decrypting path, streamed
        ReadStream<Buffer> stream = h.app.archive().open(id, 0, SIZE).toCompletionStage().toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        CompletableFuture<Long> done = new CompletableFuture<>();
        long[] count = {0};
        stream.exceptionHandler(done::completeExceptionally);
        stream.handler(b -> {
            sha.update(b.getBytes());
            count[0] += b.length();
        });
        stream.endHandler(v -> done.complete(count[0]));
        assertEquals(SIZE, done.get(4, TimeUnit.MINUTES));
        assertEquals(expected, HexFormat.of().formatHex(sha.digest()));
        // reaching this line is the proof: a copy of the file anywhere would not fit in this heap
        System.out.printf("[large archive] %d MB archived and read back with -Xmx%dm; sum of heap pool peaks %d MB%n",
                SIZE >> 20, maxHeap >> 20, HeapPeaks.peakBytes() >> 20);
    }

    private static String expectedSha256(long seed) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[1 << 20];
        for (long off = 0; off < SIZE; off += chunk.length) {
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = FakeAsterisk.generatedByte(seed, off + i);
            }
            sha.update(chunk);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

}
