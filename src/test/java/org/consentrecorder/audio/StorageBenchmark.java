package org.consentrecorder.audio;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Bytes stored per recorded hour, encoding CPU per recorded hour, and the quality of the decoded audio, for each codec
 * on synthetic conversation ({@link SyntheticConversation}) and on tones. Not a test: run with {@value #COMMAND}.
 * Writes bench/results/storage-&lt;date&gt;.md.
 */
public final class StorageBenchmark {

    static final String COMMAND = "mvn -B -Pbench-storage test-compile exec:exec";

    private static final double SECONDS = Double.parseDouble(System.getProperty("bench.seconds", "600"));
    private static final int WARMUP_SECONDS = 120;
    private static final int ROUNDS = 3;

    private record Variant(String label, CodecSettings settings, AudioFormat format) {
    }

    private record Measured(Variant variant, long sourceBytes, long storedBytes, double[] encodeCpuPerSecond,
            double[] verifyCpuPerSecond, SpectralDistance.Result[] quality, double separationDb) {
    }

    /** Defeats dead-code elimination. */
    private static long sink;

    private StorageBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path outDir = Path.of(args.length > 0 ? args[0] : "bench/results");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!threads.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot measure thread CPU time");
        }
        threads.setThreadCpuTimeEnabled(true);
        long started = System.nanoTime();

        List<Variant> variants = List.of(
                new Variant("wav", CodecSettings.of(Codec.WAV), AudioFormat.MONO_8K),
                new Variant("alaw", CodecSettings.of(Codec.ALAW), AudioFormat.MONO_8K),
                new Variant("opus (default)", CodecSettings.defaults(), AudioFormat.MONO_8K),
                new Variant("opus, complexity 10", new CodecSettings(Codec.OPUS, 16000, 10), AudioFormat.MONO_8K),
                new Variant("wav", CodecSettings.of(Codec.WAV), AudioFormat.STEREO_8K),
                new Variant("alaw", CodecSettings.of(Codec.ALAW), AudioFormat.STEREO_8K),
                new Variant("opus (default)", CodecSettings.defaults(), AudioFormat.STEREO_8K),
                new Variant("opus, complexity 10", new CodecSettings(Codec.OPUS, 16000, 10), AudioFormat.STEREO_8K),
                new Variant("wav (wav16)", CodecSettings.of(Codec.WAV), new AudioFormat(16000, 1)),
                new Variant("opus (default, wav16)", CodecSettings.defaults(), new AudioFormat(16000, 1)));

        List<Measured> results = new ArrayList<>();
        for (Variant v : variants) {
            System.out.println("measuring " + v.label() + ", " + v.format());
            results.add(measure(v, threads));
        }
        List<String> tones = tones();
        double wall = (System.nanoTime() - started) / 1e9;
        String report = report(results, tones, wall);
        Files.createDirectories(outDir);
        Path out = outDir.resolve("storage-" + LocalDate.now(ZoneOffset.UTC) + ".md");
        Files.writeString(out, report);
        System.out.println(report);
        System.out.println("written to " + out + " (sink " + (sink & 1) + ")");
    }

    private static Measured measure(Variant v, ThreadMXBean threads) throws IOException {
        AudioFormat format = v.format();
        SyntheticConversation.Legs warmLegs = new SyntheticConversation(format.sampleRate(), 7).generate(WARMUP_SECONDS);
        SyntheticConversation.Legs legs = new SyntheticConversation(format.sampleRate(), 1).generate(SECONDS);
        short[] source = format.channels() == 1 ? legs.mixed() : legs.stereo();
        RecordingTranscoder transcoder = new RecordingTranscoder(v.settings());
        // mono: one snoop channel's file; stereo: the two legs as two snoop channels write them, through the
        // archive's stereo path (aligned, interleaved, encoded), as CR_RECORDING_CHANNELS=stereo stores a call
        Source warmSource = Source.of(format, warmLegs);
        Source measured = Source.of(format, legs);
        for (int i = 0; i < 2; i++) { // JIT warm-up on other material
            EncodedRecording warm = warmSource.store(transcoder, new ByteArrayOutputStream());
            sink += warm.storedBytes();
        }
        long wavBytes = measured.bytes();
        double[] encodeCpu = new double[ROUNDS];
        double[] verifyCpu = new double[ROUNDS];
        byte[] stored = null;
        EncodedRecording recording = null;
        for (int round = 0; round < ROUNDS; round++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) (wavBytes / 4));
            long cpu0 = threads.getCurrentThreadCpuTime();
            recording = measured.store(transcoder, out);
            long cpu1 = threads.getCurrentThreadCpuTime();
            stored = out.toByteArray();
            VerifiedAudio verified = StoredAudioVerifier.verify(new ByteArrayInputStream(stored),
                    recording.parameters(), recording.source().frames(), recording.source().sha256());
            long cpu2 = threads.getCurrentThreadCpuTime();
            sink += verified.frames();
            encodeCpu[round] = (cpu1 - cpu0) / 1e9 / SECONDS;
            verifyCpu[round] = (cpu2 - cpu1) / 1e9 / SECONDS;
        }
        short[] decoded = decode(stored, recording.parameters(), recording.source().frames());
        SpectralDistance.Result[] quality = new SpectralDistance.Result[format.channels()];
        double separation = Double.NaN;
        if (format.channels() == 1) {
            quality[0] = SpectralDistance.of(source, decoded, format.sampleRate());
        } else {
            short[] left = AudioTestSupport.channel(decoded, 2, 0);
            short[] right = AudioTestSupport.channel(decoded, 2, 1);
            quality[0] = SpectralDistance.of(legs.caller(), left, format.sampleRate());
            quality[1] = SpectralDistance.of(legs.agent(), right, format.sampleRate());
            separation = separation(legs, left, right, format.sampleRate());
        }
        return new Measured(v, wavBytes, stored.length, encodeCpu, verifyCpu, quality, separation);
    }

    /** What Asterisk writes for a call: one mono file, or (stereo) one file per leg. */
    private record Source(byte[] first, byte[] second) {
        static Source of(AudioFormat format, SyntheticConversation.Legs legs) {
            if (format.channels() == 1) {
                return new Source(AudioTestSupport.asteriskWav(format, legs.mixed()), null);
            }
            AudioFormat mono = new AudioFormat(format.sampleRate(), 1);
            return new Source(AudioTestSupport.asteriskWav(mono, legs.caller()),
                    AudioTestSupport.asteriskWav(mono, legs.agent()));
        }

        long bytes() {
            return first.length + (second == null ? 0 : second.length);
        }

        EncodedRecording store(RecordingTranscoder transcoder, ByteArrayOutputStream out) throws IOException {
            return second == null ? transcoder.transcode(new ByteArrayInputStream(first), out)
                    : transcoder.transcodeStereo(new ByteArrayInputStream(first), new ByteArrayInputStream(second),
                            0L, out);
        }
    }

    private static short[] decode(byte[] stored, EncodingParameters parameters, long frames) throws IOException {
        ByteArrayOutputStream wav = new ByteArrayOutputStream();
        PlayableWav.write(new ByteArrayInputStream(stored), parameters, frames, wav);
        WavReader reader = WavReader.open(new ByteArrayInputStream(wav.toByteArray()));
        short[] pcm = AudioTestSupport.decodeAll(reader);
        reader.finish();
        return pcm;
    }

    /**
     * Channel separation: over 20 ms frames where one leg speaks (above -40 dBFS) and the other's source is at its
     * noise floor (below -55 dBFS), the silent leg's decoded level relative to the speaking leg's, averaged in the
     * power domain. The source itself gives the floor-to-speech ratio (about -45 dB).
     */
    private static double separation(SyntheticConversation.Legs legs, short[] left, short[] right, int rate) {
        int frame = rate / 50;
        double leak = 0;
        double speech = 0;
        for (int start = 0; start + frame <= left.length; start += frame) {
            double caller = AudioTestSupport.rms(legs.caller(), start, frame);
            double agent = AudioTestSupport.rms(legs.agent(), start, frame);
            if (caller > 328 && agent < 58) {
                speech += sq(AudioTestSupport.rms(left, start, frame));
                leak += sq(AudioTestSupport.rms(right, start, frame));
            } else if (agent > 328 && caller < 58) {
                speech += sq(AudioTestSupport.rms(right, start, frame));
                leak += sq(AudioTestSupport.rms(left, start, frame));
            }
        }
        return 10 * Math.log10(leak / speech);
    }

    private static double sq(double x) {
        return x * x;
    }

    /** Tones at -12 dBFS (DTMF pairs at -18 dBFS each), one second, through the default Opus setting, mono 8 kHz. */
    private static List<String> tones() throws IOException {
        List<String> rows = new ArrayList<>();
        List<double[]> cases = new ArrayList<>();
        for (double hz : ToneRoundTripTest.TEST_TONES) {
            cases.add(new double[] {hz});
        }
        cases.add(new double[] {697, 1209});
        cases.add(new double[] {852, 1477});
        cases.add(new double[] {941, 1633});
        for (double[] tones : cases) {
            short[] signal = new short[8000];
            for (double hz : tones) {
                signal = AudioTestSupport.sum(signal, AudioTestSupport.tone(8000, hz, 8000, 8000.0 / tones.length));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            OggOpusEncoder encoder = OggOpusEncoder.create(AudioFormat.MONO_8K, CodecSettings.defaults(), out);
            encoder.write(signal, 0, signal.length);
            encoder.finish();
            short[] decoded = AudioTestSupport.decodeOpus(out.toByteArray());
            int from = 800;
            int len = 6400;
            StringBuilder peaks = new StringBuilder();
            double weakest = Double.MAX_VALUE;
            for (double hz : tones) {
                peaks.append(peaks.length() == 0 ? "" : " + ").append(String.format(Locale.ROOT, "%.1f",
                        ToneRoundTripTest.peakNear(decoded, from, len, hz, 8000)));
                weakest = Math.min(weakest, AudioTestSupport.goertzel(decoded, from, len, hz, 8000));
            }
            double strongestOther = 0;
            for (double other : ToneRoundTripTest.TEST_TONES) {
                if (Arrays.stream(tones).noneMatch(t -> t == other)) {
                    strongestOther = Math.max(strongestOther, AudioTestSupport.goertzel(decoded, from, len, other,
                            8000));
                }
            }
            double level = 20 * Math.log10(AudioTestSupport.rms(decoded, from, len)
                    / AudioTestSupport.rms(signal, from, len));
            rows.add(String.format(Locale.ROOT, "| %s | %s | %.1f | %+.2f |",
                    Arrays.stream(tones).mapToObj(t -> String.format(Locale.ROOT, "%.0f", t))
                            .reduce((a, b) -> a + " + " + b).orElseThrow(),
                    peaks, AudioTestSupport.db(weakest / strongestOther), level));
        }
        return rows;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String report(List<Measured> results, List<String> tones, double wall) {
        StringBuilder s = new StringBuilder();
        s.append("# Storage per recorded hour: wav, alaw, opus\n\n");
        s.append("Produced by `").append(COMMAND).append("` (main class `org.consentrecorder.audio.StorageBenchmark`, ")
                .append("test sources).\n\n");
        s.append("| | |\n|---|---|\n");
        s.append("| date (UTC) | ").append(LocalDate.now(ZoneOffset.UTC)).append(" |\n");
        s.append("| CPU | ").append(cpuModel()).append(" |\n");
        s.append("| cores available to the JVM | ").append(Runtime.getRuntime().availableProcessors())
                .append(" (shared with other work on this machine) |\n");
        s.append("| JVM | ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.vm.version")).append(" |\n");
        s.append("| OS | ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(' ').append(System.getProperty("os.arch")).append(" |\n");
        s.append("| Opus | Concentus 1.0.2 (pure-Java port of libopus 1.1.2), VOIP application, voice signal, VBR, ")
                .append("20 ms frames, 16 kbit/s per channel |\n");
        s.append(String.format(Locale.ROOT, "| material | %.0f s of synthetic conversation per variant (see below), ",
                SECONDS)).append("encoded ").append(ROUNDS).append(" times after a ").append(WARMUP_SECONDS)
                .append(" s warm-up on other material |\n");
        s.append(String.format(Locale.ROOT, "| wall time of the whole run | %.0f s |%n%n", wall));

        s.append("## Bytes per recorded hour and encoding cost\n\n");
        s.append("Bytes are those of the stored plaintext (what the encryptor receives), scaled from the material's ")
                .append("length to one hour (MB = 10^6 bytes). CPU is the encoding thread's CPU time (reading the ")
                .append("WAV, its SHA-256, encoding, Ogg pages) per second of audio, which is the number of cores ")
                .append("one concurrently recorded call keeps busy while its recording is archived as it is ")
                .append("recorded; median of ").append(ROUNDS).append(" runs (max in brackets). Verification is ")
                .append("the archive's read-back check (every page checked, every packet decoded) in the same ")
                .append("unit. Goal: at most 8 MB per mono hour, 16 MB per stereo hour, 0.05 core per call.\n\n");
        s.append("| codec | audio | MB per hour | kbit/s | vs wav | encoding, cores per call | calls per core ")
                .append("| verification, cores per call |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Measured m : results) {
            double perHour = m.storedBytes() / SECONDS * 3600 / 1e6;
            long wavBytes = results.stream().filter(r -> r.variant().settings().codec() == Codec.WAV
                    && r.variant().format().equals(m.variant().format())).findFirst().orElseThrow().storedBytes();
            double enc = median(m.encodeCpuPerSecond());
            s.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.1f | %.3f | %.4f (%.4f) | %.0f | %.4f (%.4f) |%n",
                    m.variant().label(), m.variant().format(), perHour, m.storedBytes() * 8 / SECONDS / 1000,
                    (double) m.storedBytes() / wavBytes, enc, max(m.encodeCpuPerSecond()), 1 / enc,
                    median(m.verifyCpuPerSecond()), max(m.verifyCpuPerSecond())));
        }
        s.append("\nIn PostgreSQL: not measured here. The codec is not yet plugged into the archive pipeline; when it ")
                .append("is, the archive benchmark will measure bytes stored per hour through the real pipeline. ")
                .append("For an estimate, the encrypted stream format and `recording_chunk` rows added 3.9 % to ")
                .append("WAV audio (1.039 table bytes per audio byte, bench/results/archive-throughput-2026-11-24.md, ")
                .append("64 MiB recordings in 1 MiB rows); short Opus recordings (under one 1 MiB row) pay one row's ")
                .append("overhead each.\n\n");

        s.append("## Quality of the decoded audio\n\n");
        s.append("Measure: band-wise log-spectral distance between source and decoded audio (32 ms Hann frames, hop ")
                .append("16 ms, third-octave bands from 200 Hz to just below Nyquist, RMS over bands of the dB ")
                .append("difference per frame, over frames within 35 dB of the loudest; mean and 95th percentile), ")
                .append("and the level change over those frames. For stereo, each channel against its own leg, and ")
                .append("the separation: the silent leg's decoded level while only the other leg speaks (the ")
                .append("source's own noise floor is about -45 dB below speech).\n\n");
        s.append("Limits: the material is synthetic (source-filter vowels and fricatives, not real speech), and the ")
                .append("measure is not perceptual (no PESQ, POLQA or ViSQOL, which need licensed or large tools): ")
                .append("it tells whether the spectral envelope and level survive, not how natural a voice sounds. ")
                .append("A sample-by-sample SNR would be meaningless for Opus, whose noise shaping keeps the envelope ")
                .append("and replaces fine structure. A-law's distance is its quantisation noise alone.\n\n");
        s.append("| codec | audio | channel | spectral distance, mean dB | p95 dB | level dB | frames | separation dB |\n")
                .append("|---|---|---|---:|---:|---:|---:|---:|\n");
        for (Measured m : results) {
            if (m.variant().settings().codec() == Codec.WAV) {
                continue;
            }
            for (int c = 0; c < m.quality().length; c++) {
                SpectralDistance.Result q = m.quality()[c];
                String channel = m.quality().length == 1 ? "mixed" : c == 0 ? "left (caller)" : "right (agent)";
                s.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f | %.2f | %+.2f | %d | %s |%n",
                        m.variant().label(), m.variant().format(), channel, q.meanDb(), q.p95Db(), q.levelDb(),
                        q.frames(), Double.isNaN(m.separationDb()) ? "" : String.format(Locale.ROOT, "%.1f",
                                m.separationDb())));
            }
        }
        s.append("\n## Tones through the default Opus setting (8 kHz mono)\n\n");
        s.append("One second per tone, measured over 0.1-0.9 s: the frequency of the strongest Goertzel response ")
                .append("within 30 Hz of each tone (0.5 Hz steps), the weakest tone's energy over the strongest ")
                .append("energy at any other test frequency (the DTMF set, 440 and 1000 Hz), and the level change.\n\n");
        s.append("| tone Hz | decoded peak Hz | tone over others dB | level dB |\n|---|---|---:|---:|\n");
        tones.forEach(row -> s.append(row).append('\n'));
        s.append("\n## Material\n\n").append("Two synthetic talkers taking turns (`SyntheticConversation`, test ")
                .append("sources): glottal pulse trains (110-130 Hz and 190-230 Hz, intonation drift, jitter, ")
                .append("-12 dB/octave tilt) through three vowel formants, and formant-filtered noise for ")
                .append("fricatives; 120-250 ms syllables (about four per second) under raised-cosine envelopes, ")
                .append("talk spurts of 2-6 s with pauses, 0.2-0.8 s gaps between turns, short overlapping ")
                .append("backchannels; each leg high-passed at 200 Hz like a telephone channel, active speech at about -20 dBFS, a -65 dBFS noise floor throughout. Mono is ")
                .append("both talkers mixed (what a snoop with spy=both records); stereo is caller left, agent right, ")
                .append("stored from the two legs as two mono files (two snoop channels) through the archive's stereo ")
                .append("path (CR_RECORDING_CHANNELS=stereo; its wav row writes a 2-channel WAV from them).\n");
        return s.toString();
    }
}
