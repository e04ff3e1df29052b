package org.consentrecorder.audio;

import java.util.Random;

/**
 * Speech-like test material for the storage benchmark, generated (no recordings of people are needed or kept): two
 * synthetic talkers taking turns, as on a call.
 *
 * <p>Each talker is a source-filter model. Voiced syllables: a glottal pulse train (100-130 Hz or 190-230 Hz, with
 * intonation drift and jitter) with a -12 dB/octave source tilt plus some aspiration noise, through three formant
 * resonators set from a small vowel table (F1/F2/F3 with 80/100/150 Hz bandwidths), lip radiation (+6 dB/octave).
 * Unvoiced syllables: noise through a 2.5-3.5 kHz resonator (fricatives). Syllables last 120-250 ms (about four
 * per second) under a raised-cosine envelope with random level; talk spurts of 2-6 s contain short pauses, turns
 * alternate with 0.2-0.8 s gaps, and the listener now and then says a short "mm". Each leg is high-passed at 200 Hz
 * like a telephone channel, active speech is scaled to about -20 dBFS RMS, and a -65 dBFS noise floor runs
 * throughout (line noise).
 *
 * <p>It has the spectral envelope, the syllable rate and the silences of speech, not its words, co-articulation or
 * fine timing: a stand-in for bytes-per-hour and CPU measurements, not for listening tests.
 */
final class SyntheticConversation {

    /** F1, F2, F3 in Hz of a few vowels (averages for adult speakers). */
    private static final double[][] VOWELS = {{730, 1090, 2440}, {270, 2290, 3010}, {300, 870, 2240},
            {530, 1840, 2480}, {570, 840, 2410}, {660, 1720, 2410}, {440, 1020, 2240}};

    private final int rate;
    private final Random random;

    /** The two legs of a conversation: {@code caller} and {@code agent}, sample-aligned, each mono. */
    record Legs(short[] caller, short[] agent) {
        /** What a mono recording of the call holds: both voices mixed. */
        short[] mixed() {
            short[] m = new short[caller.length];
            for (int i = 0; i < m.length; i++) {
                m[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, caller[i] + agent[i]));
            }
            return m;
        }

        /** Caller left, agent (what the caller hears) right. */
        short[] stereo() {
            short[] s = new short[caller.length * 2];
            for (int i = 0; i < caller.length; i++) {
                s[2 * i] = caller[i];
                s[2 * i + 1] = agent[i];
            }
            return s;
        }
    }

    SyntheticConversation(int rate, long seed) {
        this.rate = rate;
        this.random = new Random(seed);
    }

    Legs generate(double seconds) {
        int n = (int) Math.round(seconds * rate);
        double[] caller = new double[n];
        double[] agent = new double[n];
        Talker callerVoice = new Talker(110 + 20 * random.nextDouble());
        Talker agentVoice = new Talker(190 + 40 * random.nextDouble());
        int t = (int) (0.3 * rate);
        boolean callerTurn = false;
        while (t < n) {
            double[] speaker = callerTurn ? caller : agent;
            double[] listener = callerTurn ? agent : caller;
            Talker voice = callerTurn ? callerVoice : agentVoice;
            Talker other = callerTurn ? agentVoice : callerVoice;
            int turnEnd = Math.min(n, t + (int) ((2 + 4 * random.nextDouble()) * rate));
            int nextPause = t + (int) ((1 + 1.5 * random.nextDouble()) * rate);
            while (t < turnEnd) {
                int syllable = (int) ((0.12 + 0.13 * random.nextDouble()) * rate);
                voice.syllable(speaker, t, Math.min(syllable, n - t), random.nextDouble() < 0.75);
                t += syllable + (int) ((0.03 + 0.05 * random.nextDouble()) * rate);
                if (t >= nextPause) {
                    t += (int) ((0.2 + 0.3 * random.nextDouble()) * rate);
                    nextPause = t + (int) ((1 + 1.5 * random.nextDouble()) * rate);
                }
                if (random.nextDouble() < 0.02 && t + rate / 5 < n) {
                    other.syllable(listener, t, rate / 5, true); // a backchannel "mm", overlapping
                }
            }
            t += (int) ((0.2 + 0.6 * random.nextDouble()) * rate);
            callerTurn = !callerTurn;
        }
        return new Legs(finish(caller), finish(agent));
    }

    /**
     * Band-limits like a telephone channel (second-order Butterworth high-pass at 200 Hz; ITU-T G.712 passes from
     * 300 Hz), scales active speech to about -20 dBFS RMS and adds the noise floor.
     */
    private short[] finish(double[] x) {
        highPass(x, 200);
        double sum = 0;
        long active = 0;
        for (double v : x) {
            if (Math.abs(v) > 1e-9) {
                sum += v * v;
                active++;
            }
        }
        double gain = active == 0 ? 0 : 3277 / Math.sqrt(sum / active); // -20 dBFS = 3277 RMS
        short[] out = new short[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i] * gain + 18 * random.nextGaussian(); // -65 dBFS floor
            out[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(v)));
        }
        return out;
    }

    private void highPass(double[] x, double hz) {
        double w0 = 2 * Math.PI * hz / rate;
        double alpha = Math.sin(w0) / (2 * Math.sqrt(0.5));
        double cos = Math.cos(w0);
        double a0 = 1 + alpha;
        double b0 = (1 + cos) / 2 / a0;
        double b1 = -(1 + cos) / a0;
        double a1 = -2 * cos / a0;
        double a2 = (1 - alpha) / a0;
        double x1 = 0;
        double x2 = 0;
        double y1 = 0;
        double y2 = 0;
        for (int i = 0; i < x.length; i++) {
            double y = b0 * x[i] + b1 * x1 + b0 * x2 - a1 * y1 - a2 * y2;
            x2 = x1;
            x1 = x[i];
            y2 = y1;
            y1 = y;
            x[i] = Math.abs(y) < 1e-12 ? 0 : y;
        }
    }

    /** One voice: its pitch and the state of its filters, kept across syllables. */
    private final class Talker {
        private final double baseF0;
        private double phase;
        private double tilt1;
        private double tilt2;
        private double aspiration1;
        private double aspiration2;
        private double lastSource;

        Talker(double baseF0) {
            this.baseF0 = baseF0;
        }

        void syllable(double[] out, int start, int length, boolean voiced) {
            double[] vowel = VOWELS[random.nextInt(VOWELS.length)];
            double level = Math.pow(10, (random.nextDouble() * 8 - 4) / 20);
            double f0Start = baseF0 * (0.9 + 0.2 * random.nextDouble());
            double f0End = f0Start * (0.85 + 0.25 * random.nextDouble());
            double fricative = 2500 + 1000 * random.nextDouble();
            Resonator[] formants = voiced
                    ? new Resonator[] {new Resonator(vowel[0], 80, false), new Resonator(vowel[1], 100, false),
                            new Resonator(vowel[2], 150, false)}
                    : new Resonator[] {new Resonator(fricative, 600, true)};
            int attack = Math.max(1, (int) (0.03 * rate));
            int decay = Math.max(1, (int) (0.05 * rate));
            for (int i = 0; i < length; i++) {
                double source;
                if (voiced) {
                    double f0 = f0Start + (f0End - f0Start) * i / length;
                    phase += f0 * (1 + 0.01 * random.nextGaussian()) / rate;
                    double pulse = 0;
                    if (phase >= 1) {
                        phase -= 1;
                        pulse = 1;
                    }
                    // -12 dB/octave glottal tilt: two one-pole low-passes
                    tilt1 = 0.95 * tilt1 + pulse;
                    tilt2 = 0.95 * tilt2 + tilt1;
                    // aspiration: noise with the same -12 dB/octave tilt, about 25 dB below the pulses
                    aspiration1 = 0.95 * aspiration1 + random.nextGaussian();
                    aspiration2 = 0.95 * aspiration2 + aspiration1;
                    source = tilt2 * 0.05 + aspiration2 * 0.003;
                } else {
                    source = random.nextGaussian() * 0.014; // fricatives some 14 dB below the vowels
                }
                double y = source;
                for (Resonator r : formants) {
                    y = r.next(y);
                }
                double radiated = y - lastSource; // lip radiation: +6 dB/octave
                lastSource = y;
                double envelope = i < attack ? 0.5 - 0.5 * Math.cos(Math.PI * i / attack)
                        : i > length - decay ? 0.5 - 0.5 * Math.cos(Math.PI * (length - i) / decay) : 1;
                out[start + i] += radiated * envelope * level;
            }
        }
    }

    /**
     * A two-pole resonator (as in Klatt's formant synthesiser): formants are normalised to unity gain at 0 Hz, so a
     * cascade gives a vowel's envelope with its peaks; a fricative's single resonator is normalised at its centre.
     */
    private final class Resonator {
        private final double a;
        private final double b;
        private final double c;
        private double y1;
        private double y2;

        Resonator(double hz, double bandwidth, boolean unityAtCentre) {
            double theta = 2 * Math.PI * Math.min(hz, rate * 0.45) / rate;
            c = -Math.exp(-2 * Math.PI * bandwidth / rate);
            b = 2 * Math.exp(-Math.PI * bandwidth / rate) * Math.cos(theta);
            double dcGain = 1 - b - c;
            if (unityAtCentre) {
                double re = 1 - b * Math.cos(theta) - c * Math.cos(2 * theta);
                double im = b * Math.sin(theta) + c * Math.sin(2 * theta);
                a = Math.hypot(re, im);
            } else {
                a = dcGain;
            }
        }

        double next(double x) {
            double y = a * x + b * y1 + c * y2;
            y2 = y1;
            y1 = y;
            return y;
        }
    }
}
