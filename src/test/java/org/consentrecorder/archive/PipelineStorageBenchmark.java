package org.consentrecorder.archive;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.audio.SpeechMaterial;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.TestDatabase;

/**
 * Storage per recorded hour through the real pipeline (not a test): a synthetic conversation is put
 * on the ARI double as Asterisk's WAV, archived by the application (fetch, encode, encrypt, chunk
 * rows in PostgreSQL, read back, decode, verify, delete on Asterisk) under each CR_ARCHIVE_CODEC,
 * mono and stereo, and what PostgreSQL holds for it is measured. Writes
 * bench/results/storage-pipeline-&lt;date&gt;.md. Command: {@value #COMMAND}
 */
public final class PipelineStorageBenchmark {
    static final String COMMAND = "mvn -B -Pbench-storage-pipeline test-compile exec:exec";

    private PipelineStorageBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "bench/results");
        int seconds = Integer.getInteger("bench.seconds", 600);
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double loadAtStart = os.getSystemLoadAverage();
        StringBuilder md = new StringBuilder();
        md.append("# Storage per recorded hour through the real pipeline into PostgreSQL\n\n")
                .append("Produced by `").append(COMMAND).append(" -Dbench.seconds=").append(seconds)
                .append("` (main class `").append(PipelineStorageBenchmark.class.getName()).append("`, test sources).\n\n")
                .append("| | |\n|---|---|\n")
                .append("| date (UTC) | ").append(LocalDate.now()).append(" |\n")
                .append("| cores available to the JVM | ").append(Runtime.getRuntime().availableProcessors())
                .append(" (shared with other work on this machine) |\n")
                .append("| JVM | ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.vm.version")).append(" |\n")
                .append("| database | ").append(TestDatabase.kind()).append(", same machine |\n")
                .append("| material | ").append(seconds).append(" s of synthetic conversation per recording "
                        + "(`audio.SyntheticConversation`: two talkers taking turns; mono = both voices mixed, as "
                        + "one snoop with spy=both records them; stereo = caller left, agent right, from two mono legs "
                        + "as two snoop channels record them, through the archive's stereo path), 8 kHz 16-bit WAV "
                        + "as Asterisk writes it |\n")
                .append("| pipeline | the application with the ARI double: fetch over loopback HTTP, encode on the "
                        + "archive's worker, AES-256-GCM STREAM in 64 KiB segments, 16 segments per chunk row, read "
                        + "back, decode and verify, delete on Asterisk; one recording at a time |\n\n")
                .append("Per variant, two recordings of up to 120 s warm the JIT and the database and are not counted; "
                        + "the next one is measured. *Stored* is the plaintext handed to the encryptor; *ciphertext* adds the stream "
                        + "header and 16 bytes per segment; *PostgreSQL* is the growth of "
                        + "`pg_total_relation_size('recording_chunk') + pg_total_relation_size('recording')` (heap, "
                        + "TOAST and indexes) while the measured recording was archived. *CPU* is this JVM's process "
                        + "CPU time (the application, the ARI double and the benchmark; not the PostgreSQL server) "
                        + "from registration to `archived`, so it counts fetch, encoding, encryption, writing, the "
                        + "verification's decryption and decoding, and the delete, per recorded hour; it is an upper "
                        + "bound of the encoding cost. MB = 10^6 bytes.\n\n")
                .append("| codec | channels | stored MB/h | ciphertext MB/h | PostgreSQL MB/h | vs WAV | "
                        + "CPU s per recorded hour | core per concurrently recorded call | wall s |\n")
                .append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        double wavPg = 0;
        for (boolean stereo : new boolean[] {false, true}) {
            // stereo: the two legs as two snoop channels write them, archived as CR_RECORDING_CHANNELS=stereo does
            byte[][] warm = stereo ? SpeechMaterial.conversationLegs(Math.min(120, seconds), 7)
                    : new byte[][] {SpeechMaterial.conversationWav(false, Math.min(120, seconds), 7)};
            byte[][] wav = stereo ? SpeechMaterial.conversationLegs(seconds, 1)
                    : new byte[][] {SpeechMaterial.conversationWav(false, seconds, 1)};
            for (String codec : new String[] {"wav", "alaw", "opus"}) {
                try (AppHarness h = start(codec)) {
                    // two warm-up recordings: the JIT compiles the codec (Concentus) during the first
                    archive(h, warm);
                    archive(h, warm);
                    long pgBefore = pgBytes(h);
                    long cpu0 = os.getProcessCpuTime();
                    long t0 = System.nanoTime();
                    UUID id = archive(h, wav);
                    double wall = (System.nanoTime() - t0) / 1e9;
                    double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
                    long pg = pgBytes(h) - pgBefore;
                    Map<String, Object> row = h.rows("select codec, plaintext_bytes, ciphertext_bytes, source_frames "
                            + "from recording where id = $1", id).get(0);
                    if (!codec.equals(row.get("codec"))
                            || ((Number) row.get("source_frames")).longValue() != (long) seconds * 8000) {
                        throw new IllegalStateException("unexpected row " + row);
                    }
                    double perHour = 3600.0 / seconds;
                    double pgPerHour = pg * perHour / 1e6;
                    if (codec.equals("wav")) {
                        wavPg = pgPerHour;
                    }
                    md.append(String.format("| %s | %s | %.2f | %.2f | %.2f | %.1f%% | %.1f | %.4f | %.1f |%n", codec,
                            stereo ? "stereo" : "mono",
                            ((Number) row.get("plaintext_bytes")).longValue() * perHour / 1e6,
                            ((Number) row.get("ciphertext_bytes")).longValue() * perHour / 1e6,
                            pgPerHour, 100 * pgPerHour / wavPg, cpu * perHour, cpu / seconds, wall));
                    System.out.println(md);
                }
            }
        }
        md.append(String.format("%nLoad average of the machine (shared with other builds): %.1f at the start, %.1f at "
                + "the end; CPU time is per process, so the others' load shows mostly in the wall time (it still costs some CPU through cache contention and a slower JIT warm-up).%n",
                loadAtStart, os.getSystemLoadAverage()));
        md.append("\nThe goal of issue 20: at most 8 MB per recorded mono hour and 16 MB per stereo hour at the default "
                + "setting, encoding at most 0.05 core per concurrently recorded call. Quality of the decoded audio is "
                + "measured by `mvn -B -Pbench-storage test-compile exec:exec` (storage-<date>.md), on the same "
                + "material.\n");
        Files.createDirectories(out);
        Path file = out.resolve("storage-pipeline-" + LocalDate.now() + ".md");
        Files.writeString(file, md.toString());
        System.out.println("written to " + file);
        System.exit(0);
    }

    /** On a machine shared with other builds the start can miss the harness's deadline: try again. */
    private static AppHarness start(String codec) {
        for (int attempt = 1; ; attempt++) {
            try {
                return AppHarness.start(Map.of("CR_ARCHIVE_CODEC", codec, "CR_ARCHIVE_CONCURRENCY", "1",
                        "CR_ARCHIVE_POLL", "20ms", "CR_ARCHIVE_LEASE", "10m"));
            } catch (RuntimeException | AssertionError e) {
                if (attempt == 3) {
                    throw e;
                }
                System.out.println("start failed (" + e.getMessage() + "), trying again");
            }
        }
    }

    private static UUID archive(AppHarness h, byte[][] legs) throws Exception {
        UUID callId = UUID.randomUUID();
        String name = "cr-" + callId;
        h.asterisk.putStoredRecording(name, legs[0]);
        String out = legs.length > 1 ? name + "-out" : null;
        if (out != null) {
            h.asterisk.putStoredRecording(out, legs[1]);
        }
        UUID id = h.app.archivePipeline().recordingFinished(callId, name, out, out == null ? null : 0L,
                        UUID.randomUUID(), "+15550009999", "wav", legs[0].length / 16000)
                .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        h.asterisk.await("archived", () -> !h.rows("select 1 from recording where id = $1 and state = 'archived'", id)
                .isEmpty(), Duration.ofMinutes(10));
        return id;
    }

    private static long pgBytes(AppHarness h) {
        return ((Number) h.rows("select pg_total_relation_size('recording_chunk') + pg_total_relation_size('recording') "
                + "as n").get(0).get("n")).longValue();
    }
}
