package org.consentrecorder.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.archive.ArchiveCheckpoints.Point;
import org.consentrecorder.audio.OggOpusDecoder;
import org.consentrecorder.audio.PcmSource;
import org.consentrecorder.simulator.CallSound;
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
 * {@code CR_RECORDING_CHANNELS=stereo} end to end: a call through the ARI double recorded on two snoop channels
 * (spy=in, spy=out), paused and resumed on both legs by a dialplan UserEvent and by the caller's DTMF, archived as one
 * stereo Ogg Opus file in a real PostgreSQL and read back by Xiph's opus-tools ({@code .ci/run} installs them; without
 * them these tests fail, they never skip). The double's call has markers said at one instant in both directions and
 * card digits said only while a payment runs; the second leg starts 300 ms after the first.
 */
class StereoRecordingIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int RATE = 8000;
    private static final int FRAME = 160;
    private static final double MARKER_HZ = 1000;
    private static final double CARD_HZ = 2000;

    @TempDir
    Path dir;
    private AppHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    /**
     * The call as both directions sound: line noise (a different one each way), a 1 kHz marker of 40 ms every 250 ms
     * heard in both directions at the same instants, and card digits (2 kHz) in both directions within the windows
     * the test opens while a payment runs.
     */
    static final class Sound implements CallSound {
        final long origin;
        final List<long[]> cardWindows = new CopyOnWriteArrayList<>();
        /** Around each pause and resume no marker is said: a marker cut in two would not be one onset per leg. */
        final List<long[]> quiet = new CopyOnWriteArrayList<>();

        /** The two legs applied one pause (or resume) at these moments: quiet from a little before to a little after. */
        void quietBetween(long oneLeg, long otherLeg) {
            quiet.add(new long[] {Math.min(oneLeg, otherLeg) - 60_000_000L, Math.max(oneLeg, otherLeg) + 60_000_000L});
        }

        Sound(long origin) {
            this.origin = origin;
        }

        @Override
        public short[] render(String direction, long firstSample, int samples) {
            short[] out = new short[samples];
            long seed = direction.equals("out") ? 0x5eed : 0xca11;
            for (int i = 0; i < samples; i++) {
                long s = firstSample + i;
                long nanos = origin + s * 125_000;
                double v = 80 * Math.sin(s * 0.37 + seed) * Math.cos(s * 0.011 * (seed & 7));
                if ((s / 8) % 250 < 40 && quiet.stream().noneMatch(q -> nanos >= q[0] && nanos < q[1])) {
                    v += 9000 * Math.sin(2 * Math.PI * MARKER_HZ * s / RATE);
                }
                for (long[] w : cardWindows) {
                    if (nanos >= w[0] && nanos < w[1]) {
                        v += 9000 * Math.sin(2 * Math.PI * CARD_HZ * s / RATE);
                    }
                }
                out[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(v)));
            }
            return out;
        }
    }

    private record Call(String channel, UUID callId, String in, String out) {
    }

    private Call recordedStereoCall(String caller) {
        String ch = h.asterisk.placeCall(caller);
        String esc = ch.replace(".", "\\.");
        h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/" + esc + "/play").size()
                >= 2, WAIT);
        h.asterisk.pressDtmf(ch, '1');
        h.asterisk.await("in the dialplan", () -> h.asterisk.location(ch).startsWith("dialplan:"), WAIT);
        String name = h.asterisk.requests("POST", "/ari/channels/cr-[^/]*-snoop/record").stream()
                .map(r -> r.param("name")).filter(n -> !n.endsWith("-out")).reduce((a, b) -> b).orElseThrow();
        UUID callId = UUID.fromString(name.substring(3));
        h.asterisk.await("both legs recording", () -> h.asterisk.liveRecordings().contains(name)
                && h.asterisk.liveRecordings().contains(name + "-out"), WAIT);
        h.awaitRows("select 1 from call where id = $1 and phase = 'in_dialplan'", callId);
        return new Call(ch, callId, name, name + "-out");
    }

    private void awaitBoth(String what, String method, Call c, String verb, int times) {
        h.asterisk.await(what, () -> h.asterisk.requests(method, "/ari/recordings/live/" + c.in() + verb).size() >= times
                && h.asterisk.requests(method, "/ari/recordings/live/" + c.out() + verb).size() >= times, WAIT);
    }

    private static void sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
    }

    @Test
    void aStereoCallPausedByUserEventAndByDtmfIsArchivedAsTwoAlignedChannelsWithTheCardDigitsOnNeither()
            throws Exception {
        h = AppHarness.start(Map.of("CR_RECORDING_CHANNELS", "stereo"));
        Sound sound = new Sound(h.asterisk.timelineOriginNanos());
        h.asterisk.callSound(sound);
        // the second leg starts 300 ms after the first: without the alignment its markers would be 2400 samples late
        h.asterisk.delay("POST", "/ari/channels/cr-[^/]*-out-snoop/record", Duration.ofMillis(300), 1);
        Call c = recordedStereoCall("+15551230601");
        assertEquals(List.of("in", "out"), h.asterisk.requests("POST", "/ari/channels/.*/snoop").stream()
                .map(r -> r.param("spy")).sorted().toList(), "one snoop channel each way");
        sleep(1500);

        long t1 = System.nanoTime();
        h.asterisk.userEvent(c.channel(), "PaymentStart");
        awaitBoth("both legs paused", "POST", c, "/pause", 1);
        h.awaitRows("select 1 from recording_timeline where call_id = $1 and change = 'paused'", c.callId());
        sleep(800);
        long t2 = System.nanoTime();
        sound.cardWindows.add(new long[] {t1 + 150_000_000L, t2 - 50_000_000L});
        h.asterisk.userEvent(c.channel(), "PaymentEnd");
        awaitBoth("both legs resumed", "DELETE", c, "/pause", 1);
        sleep(1200);

        h.asterisk.pressDtmf(c.channel(), '*');
        h.asterisk.pressDtmf(c.channel(), '7');
        long t3 = System.nanoTime();
        awaitBoth("both legs paused by DTMF", "POST", c, "/pause", 2);
        sleep(800);
        long t4 = System.nanoTime();
        sound.cardWindows.add(new long[] {t3 + 150_000_000L, t4 - 50_000_000L});
        h.asterisk.pressDtmf(c.channel(), '*');
        h.asterisk.pressDtmf(c.channel(), '8');
        awaitBoth("both legs resumed by DTMF", "DELETE", c, "/pause", 2);
        sleep(1200);
        // the two legs apply a pause (or resume) a few milliseconds apart: a marker said in between would be on one
        // leg only, so none is said there (the audio is rendered when the recordings end, after this)
        for (String method : List.of("POST", "DELETE")) {
            List<FakeAsterisk.Request> in = h.asterisk.requests(method, "/ari/recordings/live/" + c.in() + "/pause");
            List<FakeAsterisk.Request> out = h.asterisk.requests(method, "/ari/recordings/live/" + c.out() + "/pause");
            assertEquals(in.size(), out.size(), method + ": every pause and resume went to both legs");
            for (int i = 0; i < in.size(); i++) {
                sound.quietBetween(in.get(i).atNanos(), out.get(i).atNanos());
            }
        }
        h.asterisk.callerHangsUp(c.channel());

        UUID id = ArchiveRepository.recordingId(c.in());
        Map<String, Object> row = h.awaitRows("select * from recording where id = $1 and state = 'archived'", id).get(0);
        assertEquals(c.out(), row.get("out_name"));
        long offset = ((Number) row.get("out_offset_ms")).longValue();
        assertTrue(offset >= 280 && offset < 600, "the second leg started about 300 ms later: " + offset);
        assertTrue(h.asterisk.wasDeleted(c.in()) && h.asterisk.wasDeleted(c.out()), "both legs went from Asterisk");
        byte[] inFile = h.asterisk.deletedBytes(c.in());
        byte[] outFile = h.asterisk.deletedBytes(c.out());
        assertArrayEquals(sha256(inFile), ((Buffer) row.get("source_sha256")).getBytes(), "the first leg's hash");
        assertArrayEquals(sha256(outFile), ((Buffer) row.get("out_source_sha256")).getBytes(), "the second leg's hash");
        assertEquals((long) inFile.length + outFile.length, ((Number) row.get("source_bytes")).longValue());
        String parameters = (String) row.get("codec_parameters");
        assertTrue(parameters.startsWith("codec=opus rate=8000 channels=2"), parameters);

        long frames = ((Number) row.get("source_frames")).longValue();
        long padded = Math.round(offset / 20.0) * FRAME;
        assertEquals(Math.max((inFile.length - 44) / 2, padded + (outFile.length - 44) / 2), frames,
                "the longer of the two legs, the second behind its silence");
        long stored = ((Number) row.get("plaintext_bytes")).longValue();
        Path ogg = Files.write(dir.resolve("stereo-call.opus"), Streams.readAll(h.app.archive().open(id, 0, stored)));
        Run info = run("opusinfo", ogg.toString());
        assertEquals(0, info.exitCode(), info.output());
        assertTrue(info.output().contains("Channels: 2"), info.output());
        short[] decoded = opusdec(ogg);
        assertEquals(2 * frames, decoded.length, "libopus decodes two channels of the aligned length");

        for (int channel = 0; channel < 2; channel++) {
            double card = loudest(decoded, channel, CARD_HZ);
            double marker = loudest(decoded, channel, MARKER_HZ);
            assertTrue(card * 30 < marker, "channel " + channel + ": card digits at " + card + " against markers at "
                    + marker + ": the paused spans were recorded");
        }
        // where both legs have audio: after the silence in front of the second, before the first of them ends
        long bothFrom = padded + FRAME;
        long bothTo = Math.min((inFile.length - 44) / 2, padded + (outFile.length - 44) / 2) - 400;
        List<Integer> left = markerOnsets(decoded, 0).stream().filter(o -> o >= bothFrom && o < bothTo).toList();
        List<Integer> right = markerOnsets(decoded, 1).stream().filter(o -> o >= bothFrom && o < bothTo).toList();
        assertTrue(left.size() >= 10, "markers where both legs have audio, on the left: " + left);
        assertEquals(left.size(), right.size(), "left " + left + "\nright " + right);
        for (int i = 0; i < left.size(); i++) {
            assertTrue(Math.abs(left.get(i) - right.get(i)) <= FRAME, "marker " + i + " is at " + left.get(i)
                    + " on the left and " + right.get(i) + " on the right: more than a frame apart");
        }
        // the same holds in our own decoder, which verification used; onsets are found in 40-sample steps, and two
        // decoders' output may cross the threshold one step apart
        OggOpusDecoder ours = OggOpusDecoder.open(new ByteArrayInputStream(Files.readAllBytes(ogg)));
        assertEquals(2, ours.format().channels());
        assertEquals(left, markerOnsets(decodeAll(ours), 0).stream().filter(o -> o >= bothFrom && o < bothTo)
                .toList().stream().map(o -> left.stream().filter(l -> Math.abs(l - o) <= 40).findFirst().orElse(o))
                .toList(), "our decoder finds the same markers");
    }

    @Test
    void whenOnlyOneLegRefusesThePause_bothRecordingsAreStoppedAndBothSnoopsHungUp() throws Exception {
        h = AppHarness.start(Map.of("CR_RECORDING_CHANNELS", "stereo", "CR_ARCHIVE_CODEC", "wav"));
        Call c = recordedStereoCall("+15551230602");
        h.asterisk.fail("POST", "/ari/recordings/live/cr-[^/]*-out/pause", 500, "Internal Server Error", 1);
        h.asterisk.userEvent(c.channel(), "PaymentStart");
        h.asterisk.awaitRequest("POST", "/ari/recordings/live/" + c.in() + "/stop", WAIT);
        h.asterisk.awaitRequest("POST", "/ari/recordings/live/" + c.out() + "/stop", WAIT);
        h.asterisk.awaitRequest("DELETE", "/ari/channels/" + c.in() + "-snoop", WAIT);
        h.asterisk.awaitRequest("DELETE", "/ari/channels/" + c.out() + "-snoop", WAIT);
        h.asterisk.await("no leg recording", () -> !h.asterisk.liveRecordings().contains(c.in())
                && !h.asterisk.liveRecordings().contains(c.out()), WAIT);
        h.awaitRows("select 1 from recording_timeline where call_id = $1 and change = 'pause_failed_stopped'",
                c.callId());
        assertTrue(h.rows("select 1 from recording_timeline where call_id = $1 and change = 'paused'", c.callId())
                .isEmpty(), "never paused: one leg only would not be a pause");
        h.asterisk.callerHangsUp(c.channel());
        // what was recorded before the payment is kept, both legs as one
        h.awaitRows("select 1 from recording where id = $1 and state = 'archived' and out_name = $2",
                ArchiveRepository.recordingId(c.in()), c.out());
    }

    @Test
    void aRestartMidCallAdoptsBothLegs_reassertsThePauseOnBoth_andResumesBoth() throws Exception {
        h = AppHarness.start(Map.of("CR_RECORDING_CHANNELS", "stereo", "CR_ARCHIVE_CODEC", "wav"));
        Call c = recordedStereoCall("+15551230603");
        h.asterisk.userEvent(c.channel(), "PaymentStart");
        h.awaitRows("select 1 from call where id = $1 and core_state->'recording'->>'state' = 'paused'", c.callId());
        h = h.restartApp(Map.of());
        h.asterisk.await("the call adopted", () -> h.app.calls().liveCount() == 1, WAIT);
        awaitBoth("the pause re-asserted on both legs", "POST", c, "/pause", 2);
        assertEquals("paused", h.asterisk.liveState(c.in()));
        assertEquals("paused", h.asterisk.liveState(c.out()));
        h.asterisk.userEvent(c.channel(), "PaymentEnd");
        awaitBoth("both legs resumed", "DELETE", c, "/pause", 1);
        h.asterisk.await("both recording", () -> "recording".equals(h.asterisk.liveState(c.in()))
                && "recording".equals(h.asterisk.liveState(c.out())), WAIT);
        h.asterisk.callerHangsUp(c.channel());
        Map<String, Object> row = h.awaitRows("select * from recording where id = $1 and state = 'archived'",
                ArchiveRepository.recordingId(c.in())).get(0);
        assertEquals(c.out(), row.get("out_name"));
        assertTrue(((String) row.get("codec_parameters")).contains("channels=2"));
        assertTrue(h.asterisk.wasDeleted(c.in()) && h.asterisk.wasDeleted(c.out()));
    }

    @Test
    void aStereoCallNeverHandedToTheArchiveIsFoundOnAsteriskAndArchivedWithBothLegs() throws Exception {
        h = AppHarness.start(Map.of("CR_RECORDING_CHANNELS", "stereo", "CR_ARCHIVE_RECONCILE", "300ms",
                "CR_ARCHIVE_CODEC", "wav"));
        Call c = recordedStereoCall("+15551230604");
        // the process dies before it sees either RecordingFinished: nothing registered
        h.app.close();
        h.asterisk.callerHangsUp(c.channel());
        assertTrue(h.asterisk.storedRecordings().containsAll(List.of(c.in(), c.out())));
        h = h.restartAppAfterClose(Map.of());
        Map<String, Object> row = h.awaitRows("select * from recording where id = $1 and state = 'archived'",
                ArchiveRepository.recordingId(c.in())).get(0);
        assertEquals(c.out(), row.get("out_name"), "the second leg went with its first");
        assertTrue(((String) row.get("codec_parameters")).contains("channels=2"), (String) row.get("codec_parameters"));
        assertTrue(h.asterisk.wasDeleted(c.in()) && h.asterisk.wasDeleted(c.out()));
        assertTrue(h.rows("select 1 from recording where name = $1", c.out()).isEmpty(), "not a recording of its own");
    }

    @Test
    void whenTheCallerWithdraws_bothLegsAreDiscarded_andLegsLeftOnAsteriskAreDeletedWithoutBeingArchived()
            throws Exception {
        h = AppHarness.start(Map.of("CR_RECORDING_CHANNELS", "stereo", "CR_ARCHIVE_RECONCILE", "300ms"));
        Call c = recordedStereoCall("+15551230605");
        // the discards fail: both files stay behind for the reconciliation
        h.asterisk.fail("DELETE", "/ari/recordings/live/.*", 500, "Internal Server Error", 10);
        h.asterisk.fail("DELETE", "/ari/recordings/stored/.*", 500, "Internal Server Error", 10);
        h.asterisk.pressDtmf(c.channel(), '*');
        h.asterisk.pressDtmf(c.channel(), '9');
        h.asterisk.awaitRequest("DELETE", "/ari/recordings/live/" + c.in(), WAIT);
        h.asterisk.awaitRequest("DELETE", "/ari/recordings/live/" + c.out(), WAIT);
        h.asterisk.awaitRequest("DELETE", "/ari/channels/" + c.in() + "-snoop", WAIT);
        h.asterisk.awaitRequest("DELETE", "/ari/channels/" + c.out() + "-snoop", WAIT);
        h.awaitRows("select 1 from call where id = $1 and recording_state = 'discarded'", c.callId());
        h.asterisk.callerHangsUp(c.channel());
        h.asterisk.await("both withdrawn legs deleted", () -> h.asterisk.wasDeleted(c.in())
                && h.asterisk.wasDeleted(c.out()), WAIT);
        assertEquals(0L, h.rows("select count(*) as n from recording_chunk").get(0).get("n"), "never archived");
        assertEquals(0L, h.rows("select count(*) as n from incident").get(0).get("n"), "an expected clean-up");
    }

    @ParameterizedTest
    @EnumSource(Point.class)
    void aCrashAnywhereInTheArchiveOfTwoLegsIsFinishedByARestart_andBothLegsGoOnlyOnceVerified(Point point)
            throws Exception {
        HangAt hang = new HangAt(point);
        h = AppHarness.start(FakeAsterisk.start(), TestDatabase.fresh(), Map.of("CR_ARCHIVE_SEGMENT_SIZE", "4096",
                "CR_ARCHIVE_SEGMENTS_PER_CHUNK", "1"), hang);
        Sound sound = new Sound(0);
        short[] in = sound.render("in", 0, RATE * 6 + 3);
        short[] out = sound.render("out", 0, RATE * 6 - 1500);
        UUID callId = UUID.randomUUID();
        String name = "cr-" + callId;
        h.asterisk.putStoredRecording(name, wav(in));
        h.asterisk.putStoredRecording(name + "-out", wav(out));
        UUID id = h.app.archivePipeline().recordingFinished(callId, name, name + "-out", 200L, UUID.randomUUID(),
                "+15550002223", "wav", 6).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(id, hang.reached.get(20, TimeUnit.SECONDS));
        boolean verified = point == Point.VERIFIED || point == Point.DELETED_ON_ASTERISK;
        assertEquals(point != Point.DELETED_ON_ASTERISK, h.asterisk.storedRecordings().contains(name + "-out"),
                "the second leg stays on Asterisk until the copy verified");
        if (!verified) {
            assertFalse(h.asterisk.wasDeleted(name) || h.asterisk.wasDeleted(name + "-out"));
        }
        h.app.close();  // the process dies here

        h = h.restartAppAfterClose(Map.of());
        h.asterisk.await("the archive after the restart", () -> !h.rows(
                "select 1 from recording where id = $1 and state = 'archived'", id).isEmpty(), Duration.ofMinutes(2));
        Map<String, Object> row = h.rows("select * from recording where id = $1", id).get(0);
        long chunks = (Long) h.rows("select count(*) as n from recording_chunk where recording_id = $1", id).get(0)
                .get("n");
        assertEquals(((Number) row.get("chunk_count")).longValue(), chunks, "no duplicate or left-over chunks");
        long expected = Math.max(in.length, 10 * FRAME + out.length);
        assertEquals(expected, ((Number) row.get("source_frames")).longValue(), "200 ms: ten frames in front of the second leg");
        assertFalse(h.asterisk.storedRecordings().contains(name) || h.asterisk.storedRecordings().contains(name + "-out"),
                "both legs deleted on Asterisk");
        long stored = ((Number) row.get("plaintext_bytes")).longValue();
        OggOpusDecoder decoder = OggOpusDecoder.open(new ByteArrayInputStream(
                Streams.readAll(h.app.archive().open(id, 0, stored))));
        assertEquals(2, decoder.format().channels());
        assertEquals(2 * expected, decodeAll(decoder).length);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** The loudest 20 ms stretch of a channel at one frequency (Goertzel power). */
    private static double loudest(short[] stereo, int channel, double hz) {
        double best = 0;
        int frames = stereo.length / 2;
        for (int start = 0; start + FRAME <= frames; start += FRAME / 2) {
            best = Math.max(best, goertzel(stereo, channel, start, FRAME, hz));
        }
        return best;
    }

    /**
     * Where each marker begins on a channel: the first 5 ms step loud at the marker's frequency after at least 50 ms
     * without one (markers are 250 ms apart; what a lossy codec leaves just after one is not another).
     */
    private static List<Integer> markerOnsets(short[] stereo, int channel) {
        int step = 40;
        double threshold = goertzelOfSine(9000, step) / 4;
        List<Integer> onsets = new ArrayList<>();
        int lastLoud = -10_000;
        for (int start = 0; start + step <= stereo.length / 2; start += step) {
            if (goertzel(stereo, channel, start, step, MARKER_HZ) > threshold) {
                if (start - lastLoud > 400) {
                    onsets.add(start);
                }
                lastLoud = start;
            }
        }
        return onsets;
    }

    private static double goertzelOfSine(double amplitude, int n) {
        return amplitude * n / 2;
    }

    /** Magnitude of one frequency over n samples of a channel. */
    private static double goertzel(short[] stereo, int channel, int from, int n, double hz) {
        double w = 2 * Math.PI * hz / RATE;
        double coeff = 2 * Math.cos(w);
        double s1 = 0;
        double s2 = 0;
        for (int i = 0; i < n; i++) {
            double s = stereo[2 * (from + i) + channel] + coeff * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        return Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - coeff * s1 * s2));
    }

    private static short[] decodeAll(PcmSource source) throws IOException {
        List<short[]> parts = new ArrayList<>();
        int total = 0;
        short[] buf = new short[2 * 1024];
        int n;
        while ((n = source.read(buf, 0, 1024)) >= 0) {
            parts.add(java.util.Arrays.copyOf(buf, n * 2));
            total += n * 2;
        }
        short[] all = new short[total];
        int at = 0;
        for (short[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    private static byte[] wav(short[] mono) {
        ByteBuffer b = ByteBuffer.allocate(44 + mono.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + mono.length * 2);
        b.put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(RATE).putInt(RATE * 2).putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(mono.length * 2);
        for (short s : mono) {
            b.putShort(s);
        }
        return b.array();
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    private record Run(int exitCode, String output) {
    }

    private Run run(String... command) throws Exception {
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

    /** libopus's decoding at 8 kHz, 16-bit little-endian, interleaved. */
    private short[] opusdec(Path ogg) throws Exception {
        Path raw = dir.resolve(ogg.getFileName() + ".raw");
        Run dec = run("opusdec", "--quiet", "--no-dither", "--rate", "8000", ogg.toString(), raw.toString());
        assertEquals(0, dec.exitCode(), dec.output());
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(raw)).order(ByteOrder.LITTLE_ENDIAN);
        short[] s = new short[b.remaining() / 2];
        b.asShortBuffer().get(s);
        return s;
    }
}
