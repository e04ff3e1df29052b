package org.consentrecorder.archive;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.crypto.CipherBackend;
import org.consentrecorder.crypto.DataKey;
import org.consentrecorder.crypto.RecordingEncryptor;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.HeapPeaks;
import org.consentrecorder.testing.TestDatabase;

/**
 * Archive benchmark (not a test): in one run on one machine,
 * <ul>
 *   <li>encrypt throughput of the stream format with the JDK's AES-GCM and with BouncyCastle's;</li>
 *   <li>end-to-end archive throughput (ARI fetch from the double over loopback HTTP, encrypt,
 *       PostgreSQL, read back and verify, delete on Asterisk) with peak heap, for chunk rows of
 *       1, 16 and 64 segments, with the table size each leaves behind.</li>
 * </ul>
 * Writes bench/results/archive-throughput-&lt;date&gt;.md. Command:
 * {@code mvn -B -Pbench-archive test-compile exec:exec}
 */
public final class ArchiveThroughputBenchmark {
    private static final int MB = 1024 * 1024;

    private ArchiveThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "bench/results");
        int sizeMb = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int recordings = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        StringBuilder md = new StringBuilder();
        long started = System.nanoTime();

        md.append("# Archive throughput\n\nProduced by `mvn -B -Pbench-archive test-compile exec:exec` (main class `")
                .append(ArchiveThroughputBenchmark.class.getName()).append("`, test sources).\n\n")
                .append("| | |\n|---|---|\n")
                .append("| date (UTC) | ").append(LocalDate.now()).append(" |\n")
                .append("| cores available to the JVM | ").append(Runtime.getRuntime().availableProcessors()).append(" |\n")
                .append("| JVM | ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.vm.version")).append(" |\n")
                .append("| max heap | ").append(Runtime.getRuntime().maxMemory() / MB).append(" MiB |\n")
                .append("| database | ").append(TestDatabase.kind()).append(", same machine |\n")
                .append("| recording size | ").append(sizeMb).append(" MiB, ").append(recordings).append(" per variant, archived one at a time |\n\n");

        md.append("## Encrypt throughput, same run\n\nStream format v1 (HKDF, 64 KiB segments, plaintext SHA-256), 64 MiB of random bytes fed in 64 KiB chunks, 3 warm-up and 5 measured rounds.\n\n")
                .append("| backend | mean MB/s | min | max |\n|---|---:|---:|---:|\n");
        for (CipherBackend backend : CipherBackend.values()) {
            double[] r = encryptThroughput(backend);
            md.append(String.format("| %s | %.0f | %.0f | %.0f |%n", backend.name().toLowerCase(), r[0], r[1], r[2]));
        }

        md.append("\n## End to end: ARI fetch, encrypt, PostgreSQL, verify, delete on Asterisk\n\n")
                .append("MB/s counts audio bytes over the wall time from registration to state `archived` (so it includes the read-back verification of every byte). ")
                .append("Peak heap is the highest heap use seen during the variant (the application, the ARI double and the benchmark share the JVM). ")
                .append("Table size is `pg_total_relation_size('recording_chunk')` per MiB of audio.\n\n")
                .append("| segments per chunk row | row size | mean MB/s | min | max | peak heap MiB | table bytes per audio byte |\n|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int perChunk : new int[] {1, 16, 64}) {
            md.append(endToEnd(perChunk, sizeMb, recordings)).append('\n');
        }
        md.append("\nWall time of the whole benchmark: ").append(Duration.ofNanos(System.nanoTime() - started).toSeconds()).append(" s.\n");
        Files.createDirectories(out);
        Path file = out.resolve("archive-throughput-" + LocalDate.now() + ".md");
        Files.writeString(file, md.toString());
        System.out.println(md);
        System.out.println("written to " + file);
        System.exit(0);
    }

    private static double[] encryptThroughput(CipherBackend backend) {
        byte[] data = new byte[64 * MB];
        new Random(1).nextBytes(data);
        byte[] ad = "bench".getBytes();
        List<Double> rates = new ArrayList<>();
        for (int round = 0; round < 8; round++) {
            DataKey key = DataKey.generate();
            long t0 = System.nanoTime();
            RecordingEncryptor enc = RecordingEncryptor.create(key, ad, 64 * 1024, backend);
            for (int off = 0; off < data.length; off += 64 * 1024) {
                enc.update(data, off, 64 * 1024);
            }
            enc.finish();
            double seconds = (System.nanoTime() - t0) / 1e9;
            key.destroy();
            if (round >= 3) {
                rates.add(data.length / 1e6 / seconds);
            }
        }
        return new double[] {rates.stream().mapToDouble(d -> d).average().orElse(0),
                rates.stream().mapToDouble(d -> d).min().orElse(0), rates.stream().mapToDouble(d -> d).max().orElse(0)};
    }

    private static String endToEnd(int segmentsPerChunk, int sizeMb, int recordings) throws Exception {
        try (AppHarness h = AppHarness.start(Map.of("CR_ARCHIVE_SEGMENTS_PER_CHUNK", String.valueOf(segmentsPerChunk),
                "CR_ARCHIVE_CONCURRENCY", "1", "CR_ARCHIVE_POLL", "20ms", "CR_ARCHIVE_LEASE", "10m"))) {
            List<Double> rates = new ArrayList<>();
            HeapPeaks.reset();
            for (int i = 0; i < recordings + 1; i++) {
                UUID callId = UUID.randomUUID();
                String name = "cr-" + callId;
                long size = (long) sizeMb * MB;
                h.asterisk.putGeneratedRecording(name, size, i);
                long t0 = System.nanoTime();
                UUID id = h.app.archivePipeline().recordingFinished(callId, name, UUID.randomUUID(), "+1555" + i, "wav", 1)
                        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
                h.asterisk.await("archived", () -> !h.rows("select 1 from recording where id = $1 and state = 'archived'", id).isEmpty(),
                        Duration.ofMinutes(10));
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (i > 0) {   // the first one warms the JIT and the database
                    rates.add(size / 1e6 / seconds);
                }
            }
            long tableBytes = ((Number) h.rows("select pg_total_relation_size('recording_chunk') as n").get(0).get("n")).longValue();
            double perAudioByte = tableBytes / (double) ((long) (recordings + 1) * sizeMb * MB);
            long rowBytes = (long) segmentsPerChunk * (64 * 1024 + 16);
            return String.format("| %d | %s | %.0f | %.0f | %.0f | %d | %.3f |", segmentsPerChunk,
                    rowBytes >= MB ? (rowBytes / MB) + " MiB" : (rowBytes / 1024) + " KiB",
                    rates.stream().mapToDouble(d -> d).average().orElse(0),
                    rates.stream().mapToDouble(d -> d).min().orElse(0),
                    rates.stream().mapToDouble(d -> d).max().orElse(0), HeapPeaks.peakBytes() / MB, perAudioByte);
        }
    }

}
