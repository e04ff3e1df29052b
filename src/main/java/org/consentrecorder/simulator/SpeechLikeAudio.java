package org.consentrecorder.simulator;

import java.util.SplittableRandom;

/**
 * Synthetic speech-like sound for the demo's recordings, generated (no recorded voices): two
 * speakers taking turns, each turn words of one to three syllables. A syllable is a short noise
 * burst (the consonant) followed by a vowel: a glottal pulse train at the speaker's pitch, falling
 * slightly over the turn, through three formant resonators whose frequencies glide from vowel to
 * vowel. It sounds like muffled talk in a language nobody speaks, which is what a listener needs to
 * hear where a payment pause left silence.
 *
 * <p>The same seed gives the same sound; 8000 samples per second, peak about half of full scale.
 */
public final class SpeechLikeAudio implements CallAudio {
    private static final double RATE = 8000;
    /** Formants F1, F2, F3 (Hz) of a, e, i, o, u: textbook averages of adult speakers. */
    private static final double[][] VOWELS = {
            {730, 1090, 2440}, {530, 1840, 2480}, {270, 2290, 3010}, {570, 840, 2410}, {300, 870, 2240}};
    private static final double[] BANDWIDTHS = {80, 100, 140};
    /** Samples per coefficient update: 5 ms, smooth enough for gliding formants. */
    private static final int BLOCK = 40;
    private static final double PEAK = 16000;

    /** The two voices: pitch in Hz at the start of a turn. */
    private static final double[] PITCH = {205, 118};

    @Override
    public short[] render(long seed, int samples) {
        double[] out = new double[samples];
        SplittableRandom random = new SplittableRandom(seed);
        int at = (int) (RATE * (0.1 + 0.3 * random.nextDouble()));
        int speaker = random.nextInt(2);
        while (at < samples) {
            at = turn(out, at, speaker, random);
            at += (int) (RATE * (0.25 + 0.5 * random.nextDouble()));
            speaker = 1 - speaker;
        }
        return normalized(out);
    }

    /** One speaker's turn of 1.2 to 3.5 seconds; returns where it ended. */
    private static int turn(double[] out, int start, int speaker, SplittableRandom random) {
        int end = Math.min(out.length, start + (int) (RATE * (1.2 + 2.3 * random.nextDouble())));
        double pitch = PITCH[speaker] * (0.92 + 0.16 * random.nextDouble());
        Voice voice = new Voice(random);
        int at = start;
        while (at < end) {
            int syllables = 1 + random.nextInt(3);
            for (int s = 0; s < syllables && at < end; s++) {
                double fall = 1 - 0.18 * (at - start) / (double) Math.max(1, end - start);
                at = syllable(out, at, end, pitch * fall, voice, random);
            }
            at += (int) (RATE * (0.04 + 0.12 * random.nextDouble()));
        }
        return at;
    }

    /** A consonant burst and a vowel; returns the sample after it. */
    private static int syllable(double[] out, int start, int limit, double pitch, Voice voice, SplittableRandom random) {
        int burst = (int) (RATE * (0.02 + 0.05 * random.nextDouble()));
        int vowel = (int) (RATE * (0.09 + 0.16 * random.nextDouble()));
        double burstCentre = 2200 + 1400 * random.nextDouble();
        Resonator hiss = new Resonator();
        hiss.tune(burstCentre, 600);
        double loudness = 0.6 + 0.4 * random.nextDouble();
        int at = start;
        for (int i = 0; i < burst && at < limit; i++, at++) {
            double envelope = Math.sin(Math.PI * i / burst);
            out[at] += 0.35 * loudness * envelope * hiss.next(random.nextDouble() * 2 - 1);
        }
        double[] target = VOWELS[random.nextInt(VOWELS.length)];
        int attack = (int) (RATE * 0.025);
        int release = (int) (RATE * 0.04);
        for (int i = 0; i < vowel && at < limit; i++, at++) {
            if (i % BLOCK == 0) {
                voice.glide(target);
            }
            double envelope = i < attack ? (double) i / attack : i > vowel - release ? (double) (vowel - i) / release : 1;
            out[at] += loudness * envelope * voice.next(pitch, random);
        }
        return at;
    }

    private static short[] normalized(double[] out) {
        double peak = 1e-9;
        for (double v : out) {
            peak = Math.max(peak, Math.abs(v));
        }
        short[] pcm = new short[out.length];
        for (int i = 0; i < out.length; i++) {
            pcm[i] = (short) Math.round(out[i] / peak * PEAK);
        }
        return pcm;
    }

    /** A speaker's vocal tract: glottal source and three formant resonators in cascade. */
    private static final class Voice {
        private final Resonator[] formants = {new Resonator(), new Resonator(), new Resonator()};
        private final double[] current = VOWELS[0].clone();
        private final double breathiness;
        private double phase;

        Voice(SplittableRandom random) {
            breathiness = 0.02 + 0.04 * random.nextDouble();
            for (int f = 0; f < 3; f++) {
                formants[f].tune(current[f], BANDWIDTHS[f]);
            }
        }

        /** Moves a quarter of the way to the target formants (called every block: a glide of about 20 ms). */
        void glide(double[] target) {
            for (int f = 0; f < 3; f++) {
                current[f] += (target[f] - current[f]) * 0.25;
                formants[f].tune(current[f], BANDWIDTHS[f]);
            }
        }

        double next(double pitch, SplittableRandom random) {
            // a falling sawtooth approximates the glottal flow's derivative: rich in harmonics
            double jitter = 1 + 0.01 * (random.nextDouble() - 0.5);
            phase += pitch * jitter / RATE;
            if (phase >= 1) {
                phase -= 1;
            }
            double source = (1 - 2 * phase) + breathiness * (random.nextDouble() * 2 - 1);
            double v = source;
            for (Resonator r : formants) {
                v = r.next(v);
            }
            return v;
        }
    }

    /** A two-pole resonator (Klatt, 1980): unit gain at DC, a peak at the centre frequency. */
    private static final class Resonator {
        private double a;
        private double b;
        private double c;
        private double y1;
        private double y2;

        void tune(double frequency, double bandwidth) {
            double r = Math.exp(-Math.PI * bandwidth / RATE);
            c = -r * r;
            b = 2 * r * Math.cos(2 * Math.PI * frequency / RATE);
            a = 1 - b - c;
        }

        double next(double x) {
            double y = a * x + b * y1 + c * y2;
            y2 = y1;
            y1 = y;
            return y;
        }
    }
}
