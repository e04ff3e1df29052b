package org.consentrecorder.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.archive.ArchiveCheckpoints.Point;
import org.consentrecorder.audio.CodecSettings;
import org.consentrecorder.audio.EncodedRecording;
import org.consentrecorder.audio.SourceAudio;
import org.consentrecorder.simulator.CallAudio;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.Streams;
import org.consentrecorder.testing.TestDatabase;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The default codec through the real pipeline: calls recorded by the ARI double, stored as Ogg Opus
 * before encryption in a real PostgreSQL, read by an independent decoder (Xiph's opus-tools, which
 * .ci/run installs; without them these tests fail, they never skip); a copy that does not verify
 * keeps Asterisk's file; a crash in the middle of encoding is finished by a restart.
 */
public class OpusArchiveTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** DTMF '1': two tones a decoder must give back at their frequencies. */
    static final double LOW = 697;
    static final double HIGH = 1209;
    public static final CallAudio DTMF_1 = (seed, samples) -> {
        short[] out = new short[samples];
        for (int i = 0; i < samples; i++) {
            out[i] = (short) (5000 * Math.sin(2 * Math.PI * LOW * i / 8000.0)
                    + 5000 * Math.sin(2 * Math.PI * HIGH * i / 8000.0));
        }
        return out;
    };

    @TempDir
    Path dir;
    private AppHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void aCallThroughTheDoubleIsStoredAsOggOpusThatLibopusDecodesToTheSourcesLengthAndTones() throws Exception {
        h = AppHarness.start(Map.of());
        h.asterisk.recordingAudio(DTMF_1);
        String name = recordACall("+15551230501");
        UUID id = ArchiveRepository.recordingId(name);
        Map<String, Object> row = h.awaitRows("select * from recording where id = $1 and state = 'archived'", id).get(0);
        byte[] source = h.asterisk.deletedBytes(name);
        long sourceFrames = (source.length - 44) / 2;
        assertTrue(sourceFrames > 8000, "a recording of more than a second: " + sourceFrames);

        assertEquals("opus", row.get("codec"));
        String parameters = (String) row.get("codec_parameters");
        assertTrue(parameters.startsWith("codec=opus rate=8000 channels=1 bitrate=16000 complexity=5 frame=20ms"),
                parameters);
        assertArrayEquals(sha256(source), ((Buffer) row.get("source_sha256")).getBytes(), "the source's hash is kept");
        assertEquals((long) source.length, ((Number) row.get("source_bytes")).longValue());
        assertEquals(sourceFrames, ((Number) row.get("source_frames")).longValue(), "the exact duration, in frames");
        assertEquals(sourceFrames / 8, ((Number) row.get("duration_ms")).longValue());
        long stored = ((Number) row.get("plaintext_bytes")).longValue();
        assertTrue(stored * 4 < source.length, "Opus stores far less than WAV: " + stored + " of " + source.length);

        byte[] ogg = Streams.readAll(h.app.archive().open(id, 0, stored));
        assertEquals("OggS", new String(ogg, 0, 4, StandardCharsets.US_ASCII));
        Path file = Files.write(dir.resolve("call.opus"), ogg);
        Run info = run("opusinfo", file.toString());
        assertEquals(0, info.exitCode(), info.output());
        assertFalse(info.output().toLowerCase(Locale.ROOT).contains("warning"), info.output());
        assertTrue(info.output().contains("Original sample rate: 8000 Hz"), info.output());

        short[] decoded = opusdec(file);
        assertEquals(sourceFrames, decoded.length, "libopus decodes exactly the source's samples");
        assertTonesAt(decoded, "libopus");
        assertTrue(h.asterisk.wasDeleted(name), "Asterisk's copy went once the Opus copy verified");
    }

    @Test
    void recordingsStoredUnderDifferentCodecsLiveSideBySideAndStayReadable() throws Exception {
        h = AppHarness.start(Map.of("CR_ARCHIVE_CODEC", "wav"));
        String wavName = recordACall("+15551230502");
        UUID wavId = ArchiveRepository.recordingId(wavName);
        h.awaitRows("select 1 from recording where id = $1 and state = 'archived'", wavId);
        h = h.restartApp(Map.of("CR_ARCHIVE_CODEC", "alaw"));
        String alawName = recordACall("+15551230503");
        UUID alawId = ArchiveRepository.recordingId(alawName);
        Map<String, Object> alaw = h.awaitRows("select * from recording where id = $1 and state = 'archived'", alawId)
                .get(0);
        assertEquals("alaw", alaw.get("codec"));
        byte[] alawSource = h.asterisk.deletedBytes(alawName);
        long frames = (alawSource.length - 44) / 2;
        long stored = ((Number) alaw.get("plaintext_bytes")).longValue();
        assertTrue(stored < 60 + frames + 1, "one byte per sample plus a header: " + stored);
        // the recording stored as wav under the earlier setting is still there, byte for byte
        byte[] wavSource = h.asterisk.deletedBytes(wavName);
        Map<String, Object> wav = h.rows("select codec, plaintext_bytes from recording where id = $1", wavId).get(0);
        assertEquals("wav", wav.get("codec"));
        assertArrayEquals(wavSource, Streams.readAll(h.app.archive().open(wavId, 0, wavSource.length)));
    }

    @Test
    void aFileThatIsNotAWavTheArchiveReadsIsStoredAsAsteriskWroteIt() throws Exception {
        h = AppHarness.start(Map.of());
        byte[] bytes = new byte[5000];
        new java.util.Random(5).nextBytes(bytes);
        UUID callId = UUID.randomUUID();
        String name = "cr-" + callId;
        h.asterisk.putStoredRecording(name, bytes);
        UUID id = await(h.app.archivePipeline().recordingFinished(callId, name, UUID.randomUUID(), "+15550001111",
                "wav", 1));
        Map<String, Object> row = h.awaitRows("select * from recording where id = $1 and state = 'archived'", id).get(0);
        assertNull(row.get("codec"));
        assertNull(row.get("source_frames"));
        assertArrayEquals(sha256(bytes), ((Buffer) row.get("source_sha256")).getBytes());
        assertArrayEquals(bytes, Streams.readAll(h.app.archive().open(id, 0, bytes.length)));
    }

    // ---- verification refuses what does not decode to the source's length -----------------------

    /** Stores into the given stream; what a damaging storage wraps. */
    @FunctionalInterface
    private interface Storing {
        EncodedRecording into(java.io.OutputStream stored) throws java.io.IOException;
    }

    /** A storage that stores as production does (mono or stereo), then damages what it wrote or says. */
    private static AudioStorage damaging(java.util.function.BiFunction<Storing, java.io.OutputStream, Storing> damage) {
        AudioStorage real = AudioStorage.transcoding(CodecSettings.defaults());
        return new AudioStorage() {
            @Override
            public EncodedRecording store(String format, java.io.InputStream source, java.io.OutputStream stored)
                    throws java.io.IOException {
                return damage.apply(out -> real.store(format, source, out), stored).into(stored);
            }

            @Override
            public EncodedRecording storeStereo(String format, java.io.InputStream in, java.io.InputStream out,
                                                Long offset, java.io.OutputStream stored) throws java.io.IOException {
                return damage.apply(o -> real.storeStereo(format, in, out, offset, o), stored).into(stored);
            }
        };
    }

    /** Writes the real Ogg Opus stream without its last bytes: it decrypts fine, but is not whole. */
    static final AudioStorage TRUNCATING = damaging((real, stored) -> ignored -> {
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        EncodedRecording encoded = real.into(whole);
        byte[] ogg = whole.toByteArray();
        stored.write(ogg, 0, ogg.length - 150);
        return encoded;
    });

    /** Stores a whole, valid stream but records the source one frame (1/8 ms) longer than it is. */
    static final AudioStorage ONE_FRAME_OFF = damaging((real, stored) -> ignored -> {
        EncodedRecording encoded = real.into(stored);
        SourceAudio s = encoded.source();
        return new EncodedRecording(new SourceAudio(s.format(), s.frames() + 1, s.sha256(), s.sourceBytes(),
                s.headerComplete()), encoded.parameters(), encoded.storedBytes(), encoded.stereo());
    });

    @Test
    void aTruncatedOggStreamIsRefusedAndAsterisksCopyStays() throws Exception {
        assertRefusedAndKept(TRUNCATING, "verification failed");
    }

    @Test
    void aCopyThatDecodesOneFrameShortOfTheSourceIsRefusedAndAsterisksCopyStays() throws Exception {
        assertRefusedAndKept(ONE_FRAME_OFF, "decodes to");
    }

    private void assertRefusedAndKept(AudioStorage damaging, String why) throws Exception {
        h = AppHarness.start(Map.of("CR_ARCHIVE_RETRY_MIN", "1h", "CR_ARCHIVE_RETRY_MAX", "1h"));
        h.app.archivePipeline().stop();
        ArchivePipeline pipeline = new ArchivePipeline(h.app.vertx(), h.app.vertx().getOrCreateContext(),
                new ArchiveRepository(h.app.pool()),
                org.consentrecorder.ari.AriClients.single("default", () -> h.app.ari().client()), h.app.subjectKeys(),
                h.app.config().archive(), ArchiveCheckpoints.NONE, Clock.systemUTC(), () -> 0.5, damaging);
        try {
            UUID callId = UUID.randomUUID();
            String name = "cr-" + callId;
            h.asterisk.putStoredRecording(name, wav(DTMF_1.render(0, 8000 * 3 + 77)));
            UUID id = await(pipeline.recordingFinished(callId, name, UUID.randomUUID(), "+15550001111", "wav", 3));
            pipeline.start();
            Map<String, Object> row = h.awaitRows("select * from recording where id = $1 and last_error is not null",
                    id).get(0);
            String error = (String) row.get("last_error");
            assertTrue(error.contains("verification failed") && error.contains(why), error);
            assertEquals("finished", row.get("state"), "back to be fetched again");
            Thread.sleep(500);
            assertEquals("finished", h.rows("select state from recording where id = $1", id).get(0).get("state"));
            assertTrue(h.asterisk.storedRecordings().contains(name), "Asterisk keeps its copy");
            assertFalse(h.asterisk.wasDeleted(name));
            assertTrue(h.asterisk.requests("DELETE", "/ari/recordings/stored/.*").isEmpty(),
                    "no deletion was even asked for: " + h.asterisk.requests());
        } finally {
            pipeline.stop();
        }
    }

    // ---- a crash while encoding ---------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Point.class, names = {"FETCH_STARTED", "ENCODING", "CHUNKS_WRITTEN", "STORED"})
    void aCrashWhileEncodingIsFinishedByARestartFromTheStart(Point point) throws Exception {
        HangAt hang = new HangAt(point);
        // small chunk rows, so the first is written long before the encoding ends
        h = AppHarness.start(FakeAsterisk.start(), TestDatabase.fresh(), Map.of("CR_ARCHIVE_SEGMENT_SIZE", "4096",
                "CR_ARCHIVE_SEGMENTS_PER_CHUNK", "1"), hang);
        short[] audio = DTMF_1.render(0, 8000 * 20 + 3);
        byte[] source = wav(audio);
        UUID callId = UUID.randomUUID();
        String name = "cr-" + callId;
        h.asterisk.putStoredRecording(name, source);
        UUID id = await(h.app.archivePipeline().recordingFinished(callId, name, UUID.randomUUID(), "+15550002222",
                "wav", 20));
        assertEquals(id, hang.reached.get(20, TimeUnit.SECONDS));
        if (point == Point.ENCODING) {
            long chunks = (Long) h.rows("select count(*) as n from recording_chunk where recording_id = $1", id)
                    .get(0).get("n");
            assertEquals(1L, chunks, "stopped with one chunk row written and the rest not yet encoded");
        }
        h.app.close();  // the process dies here
        assertTrue(h.asterisk.storedRecordings().contains(name));

        h = h.restartAppAfterClose(Map.of());
        // 20 s of audio encoded and decoded again by a JVM that may not have compiled Concentus yet
        h.asterisk.await("the archive after the restart", () -> !h.rows(
                "select 1 from recording where id = $1 and state = 'archived'", id).isEmpty(), Duration.ofMinutes(2));
        Map<String, Object> row = h.rows("select * from recording where id = $1", id).get(0);
        long chunks = (Long) h.rows("select count(*) as n from recording_chunk where recording_id = $1", id).get(0)
                .get("n");
        assertEquals(((Number) row.get("chunk_count")).longValue(), chunks, "no duplicate or left-over chunks");
        assertEquals(8000L * 20 + 3, ((Number) row.get("source_frames")).longValue());
        long stored = ((Number) row.get("plaintext_bytes")).longValue();
        Path file = Files.write(dir.resolve("restarted.opus"), Streams.readAll(h.app.archive().open(id, 0, stored)));
        assertEquals(8000 * 20 + 3, opusdec(file).length);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private String recordACall(String caller) {
        String ch = h.asterisk.placeCall(caller);
        h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/" + ch + "/play").size()
                >= 2, WAIT);
        h.asterisk.pressDtmf(ch, '1');
        h.asterisk.await("in the dialplan", () -> h.asterisk.location(ch).startsWith("dialplan:"), WAIT);
        try {
            Thread.sleep(1500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        h.asterisk.callerHangsUp(ch);
        return (String) h.awaitRows("select recording_name from call where channel_id = $1 and ended_at is not null",
                ch).get(0).get("recording_name");
    }

    /** The tones are there, well above the other DTMF frequencies, in the middle of the recording. */
    public static void assertTonesAt(short[] pcm, String decoder) {
        int from = pcm.length / 4;
        int len = Math.min(8000, pcm.length / 2);
        double low = goertzel(pcm, from, len, LOW);
        double high = goertzel(pcm, from, len, HIGH);
        for (double other : new double[] {770, 852, 941, 1336, 1477, 1633}) {
            double o = goertzel(pcm, from, len, other);
            assertTrue(low > 30 * o && high > 30 * o, decoder + ": " + other + " Hz at " + o
                    + " against the tones at " + low + " and " + high);
        }
        double expected = 5000 / Math.sqrt(2);
        assertTrue(Math.abs(20 * Math.log10(low / expected)) < 1.5, decoder + ": 697 Hz level " + low);
        assertTrue(Math.abs(20 * Math.log10(high / expected)) < 1.5, decoder + ": 1209 Hz level " + high);
    }

    /** RMS amplitude of one frequency in pcm[from, from+len) at 8 kHz. */
    static double goertzel(short[] pcm, int from, int len, double hz) {
        double w = 2 * Math.PI * hz / 8000;
        double coeff = 2 * Math.cos(w);
        double s1 = 0;
        double s2 = 0;
        for (int i = 0; i < len; i++) {
            double s = pcm[from + i] + coeff * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        return Math.sqrt(2 * power) / len;
    }

    static byte[] wav(short[] pcm) {
        ByteBuffer b = ByteBuffer.allocate(44 + pcm.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + pcm.length * 2)
                .put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(8000).putInt(16000).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(pcm.length * 2);
        for (short s : pcm) {
            b.putShort(s);
        }
        return b.array();
    }

    public record Run(int exitCode, String output) {
    }

    Run run(String... command) throws Exception {
        return run(dir, command);
    }

    /** Runs a tool in {@code dir}; a missing tool fails the test (opus-tools: .ci/run installs them). */
    public static Run run(Path dir, String... command) throws Exception {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            fail(command[0] + " is not installed: install opus-tools (apt-get install opus-tools), as .ci/run does", e);
            throw e;
        }
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish");
        }
        return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Decoded by libopus (opusdec) at 8 kHz, as raw 16-bit samples. */
    short[] opusdec(Path ogg) throws Exception {
        return opusdec(dir, ogg);
    }

    /** Decoded by libopus (opusdec) at 8 kHz, as raw 16-bit samples. */
    public static short[] opusdec(Path dir, Path ogg) throws Exception {
        Path out = dir.resolve(ogg.getFileName() + ".raw");
        Run dec = run(dir, "opusdec", "--quiet", "--no-dither", "--rate", "8000", ogg.toString(), out.toString());
        assertEquals(0, dec.exitCode(), dec.output());
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        short[] s = new short[b.remaining() / 2];
        b.asShortBuffer().get(s);
        return s;
    }

    static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
}
