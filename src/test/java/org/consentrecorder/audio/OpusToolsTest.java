package org.consentrecorder.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Ogg Opus files this project writes, read by an independent implementation: Xiph's opus-tools ({@code opusinfo},
 * {@code opusdec}; libopus and libogg). {@code .ci/run} installs them when missing; without them this test fails, it
 * never skips.
 */
class OpusToolsTest {

    @TempDir
    Path dir;

    record Run(int exitCode, String output) {
    }

    private static Run run(Path workDir, String... command) throws Exception {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
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

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private static String expectedLength(long frames, int rate) {
        long millis = frames * 1000 / rate;
        return String.format(Locale.ROOT, "Playback length: %dm:%02d.%03ds", millis / 60000, millis / 1000 % 60,
                millis % 1000);
    }

    /** Samples of raw 16-bit little-endian PCM, interleaved. */
    private static short[] raw(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        short[] s = new short[b.remaining() / 2];
        b.asShortBuffer().get(s);
        return s;
    }

    private short[] opusdec(Path ogg, int rate) throws Exception {
        Path out = dir.resolve(ogg.getFileName() + "." + rate + ".raw");
        Run dec = run(dir, "opusdec", "--quiet", "--no-dither", "--rate", Integer.toString(rate), ogg.toString(),
                out.toString());
        assertEquals(0, dec.exitCode(), dec.output());
        return raw(out);
    }

    @Test
    void opusinfoFindsNoFaultAndReportsChannelsRateAndTheExactLength() throws Exception {
        for (AudioFormat format : new AudioFormat[] {AudioFormat.MONO_8K, AudioFormat.STEREO_8K,
                new AudioFormat(16000, 1), new AudioFormat(16000, 2)}) {
            long frames = 7L * format.sampleRate() + format.sampleRate() / 1000 * 123; // 7.123 s
            short[] source = OggOpusRoundTripTest.speechLikeNoise(format, (int) frames, frames);
            Path ogg = write("info-" + format.sampleRate() + "-" + format.channels() + ".opus",
                    AudioTestSupport.encodeOpus(format, source));
            Run info = run(dir, "opusinfo", ogg.toString());
            String out = info.output();
            assertEquals(0, info.exitCode(), out);
            assertTrue(!out.toLowerCase(Locale.ROOT).contains("warning") && !out.toLowerCase(Locale.ROOT)
                    .contains("error"), out);
            assertTrue(out.contains("Channels: " + format.channels()), out);
            assertTrue(out.contains("Original sample rate: " + format.sampleRate() + " Hz"), out);
            assertTrue(out.contains("Pre-skip: 312"), out);
            assertTrue(out.contains(expectedLength(frames, format.sampleRate())), out);
        }
    }

    @Test
    void opusinfoIsNotBlindItWarnsAboutAStreamCutShort() throws Exception {
        byte[] ogg = AudioTestSupport.encodeOpus(AudioFormat.MONO_8K,
                OggOpusRoundTripTest.speechLikeNoise(AudioFormat.MONO_8K, 8000 * 5, 9));
        Path cut = write("cut.opus", Arrays.copyOf(ogg, ogg.length * 2 / 3));
        String out = run(dir, "opusinfo", cut.toString()).output();
        assertTrue(out.contains("WARNING"), out);
    }

    @Test
    void opusdecReturnsExactlyTheSourcesSamplesAtTheSourceRateAndAt48kHz() throws Exception {
        for (AudioFormat format : new AudioFormat[] {AudioFormat.MONO_8K, AudioFormat.STEREO_8K,
                new AudioFormat(16000, 1)}) {
            for (int frames : new int[] {1, 159, 8000 + 37, 3 * format.sampleRate() + 1}) {
                short[] source = OggOpusRoundTripTest.speechLikeNoise(format, frames, frames);
                byte[] bytes = AudioTestSupport.encodeOpus(format, source);
                Path ogg = write("dec-" + format.sampleRate() + "-" + format.channels() + "-" + frames + ".opus", bytes);
                short[] atSourceRate = opusdec(ogg, format.sampleRate());
                assertEquals((long) frames * format.channels(), atSourceRate.length, format + ", " + frames);
                short[] at48k = opusdec(ogg, 48000);
                assertEquals((long) frames * format.channels() * (48000 / format.sampleRate()), at48k.length,
                        format + ", " + frames + " at 48 kHz");
                if (frames > format.sampleRate()) {
                    assertSameLoudnessContour(AudioTestSupport.decodeOpus(bytes), atSourceRate, format);
                }
            }
        }
    }

    /**
     * The two decoders (libopus, Concentus) give the same level in every 20 ms frame. Their waveforms are not
     * compared: opusdec decodes at 48 kHz and resamples, which shifts phases by fractions of a sample.
     */
    private static void assertSameLoudnessContour(short[] ours, short[] theirs, AudioFormat format) {
        int frame = format.sampleRate() / 50 * format.channels();
        double worst = 0;
        for (int start = 0; start + frame <= ours.length; start += frame) {
            double a = AudioTestSupport.rms(ours, start, frame);
            double b = AudioTestSupport.rms(theirs, start, frame);
            if (a > 30 && b > 30) {
                worst = Math.max(worst, Math.abs(20 * Math.log10(a / b)));
            }
        }
        assertTrue(worst < 0.5, format + ": the decoders' levels differ by up to " + worst + " dB in a 20 ms frame");
    }

    @Test
    void tonesSurviveTheRoundTripThroughLibopus() throws Exception {
        List<double[]> cases = new ArrayList<>();
        for (double hz : ToneRoundTripTest.TEST_TONES) {
            cases.add(new double[] {hz});
        }
        cases.add(new double[] {697, 1209}); // DTMF 1
        cases.add(new double[] {941, 1633}); // DTMF D
        for (double[] tones : cases) {
            short[] signal = new short[8000];
            for (double hz : tones) {
                signal = AudioTestSupport.sum(signal, AudioTestSupport.tone(8000, hz, 8000, 8000.0 / tones.length));
            }
            Path ogg = write("tone-" + Arrays.toString(tones) + ".opus",
                    AudioTestSupport.encodeOpus(AudioFormat.MONO_8K, signal));
            ToneRoundTripTest.assertToneSurvives(signal, opusdec(ogg, 8000), tones, 8000,
                    "opusdec " + Arrays.toString(tones));
        }
    }

    @Test
    void stereoChannelsStayInPlaceInLibopusToo() throws Exception {
        short[] left = AudioTestSupport.tone(8000, 697, 16000, 8000);
        short[] right = AudioTestSupport.tone(8000, 1477, 16000, 8000);
        Path ogg = write("stereo.opus", AudioTestSupport.encodeOpus(AudioFormat.STEREO_8K,
                AudioTestSupport.stereo(left, right)));
        short[] decoded = opusdec(ogg, 8000);
        short[] l = AudioTestSupport.channel(decoded, 2, 0);
        short[] r = AudioTestSupport.channel(decoded, 2, 1);
        assertTrue(AudioTestSupport.db(AudioTestSupport.goertzel(l, 800, 12800, 697, 8000)
                / AudioTestSupport.goertzel(l, 800, 12800, 1477, 8000)) > 20, "the caller's tone is on the left");
        assertTrue(AudioTestSupport.db(AudioTestSupport.goertzel(r, 800, 12800, 1477, 8000)
                / AudioTestSupport.goertzel(r, 800, 12800, 697, 8000)) > 20, "the other tone is on the right");
    }

    @Test
    void aStereoCallsTwoLegsDecodeInLibopusToTwoChannelsWithTheMarkerOnOneSampleWithinAFrame() throws Exception {
        // the two legs as two snoop channels wrote them, the second started 47 ms after the first (see
        // StereoInterleaverTest): stored through the archive's stereo path, then read by opusinfo and opusdec
        int instant = 2 * 8000 + 77;
        byte[] in = AudioTestSupport.asteriskWav(AudioFormat.MONO_8K, StereoInterleaverTest.legWithMarker(32000, instant, 1));
        byte[] out = AudioTestSupport.asteriskWav(AudioFormat.MONO_8K,
                StereoInterleaverTest.legWithMarker(32000 - 376, instant - 376, 2));
        java.io.ByteArrayOutputStream stored = new java.io.ByteArrayOutputStream();
        EncodedRecording e = new RecordingTranscoder(CodecSettings.defaults()).transcodeStereo(
                new java.io.ByteArrayInputStream(in), new java.io.ByteArrayInputStream(out),
                47L, stored);
        Path ogg = write("call-stereo.opus", stored.toByteArray());
        Run info = run(dir, "opusinfo", ogg.toString());
        assertEquals(0, info.exitCode(), info.output());
        assertTrue(info.output().contains("Channels: 2"), info.output());
        assertTrue(info.output().contains(expectedLength(e.source().frames(), 8000)), info.output());
        short[] decoded = opusdec(ogg, 8000);
        assertEquals(2 * e.source().frames(), decoded.length);
        int left = StereoInterleaverTest.onset(decoded, 0);
        int right = StereoInterleaverTest.onset(decoded, 1);
        assertTrue(Math.abs(left - instant) <= 4, "left marker at " + left);
        assertTrue(Math.abs(left - right) <= 160, "the channels are " + (left - right) + " samples apart");
    }
}
