package org.consentrecorder.audio;

import static org.consentrecorder.audio.AudioTestSupport.db;
import static org.consentrecorder.audio.AudioTestSupport.goertzel;
import static org.consentrecorder.audio.AudioTestSupport.rms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Tones at the DTMF frequencies and at 440 and 1000 Hz come back at their frequency and level through Opus. */
class ToneRoundTripTest {

    static final double[] DTMF_ROWS = {697, 770, 852, 941};
    static final double[] DTMF_COLUMNS = {1209, 1336, 1477, 1633};
    static final double[] TEST_TONES = {697, 770, 852, 941, 1209, 1336, 1477, 1633, 440, 1000};

    /** What a decoded tone must show, measured over its middle 0.8 s (the codec settles in the first frames). */
    static void assertToneSurvives(short[] source, short[] decoded, double[] tones, int rate, String what) {
        assertEquals(source.length, decoded.length, what);
        int from = rate / 10;
        int len = rate * 8 / 10;
        double weakestTone = Double.MAX_VALUE;
        for (double hz : tones) {
            weakestTone = Math.min(weakestTone, goertzel(decoded, from, len, hz, rate));
            assertEquals(hz, peakNear(decoded, from, len, hz, rate), 1.0, what + ": the " + hz + " Hz peak moved");
        }
        for (double other : TEST_TONES) {
            boolean isTone = false;
            for (double hz : tones) {
                isTone |= hz == other;
            }
            if (!isTone) {
                double ratio = db(weakestTone / goertzel(decoded, from, len, other, rate));
                assertTrue(ratio > 30, what + ": only " + ratio + " dB above the energy at " + other + " Hz");
            }
        }
        double level = 20 * Math.log10(rms(decoded, from, len) / rms(source, from, len));
        assertTrue(Math.abs(level) < 1.5, what + ": level changed by " + level + " dB");
    }

    /** The frequency within 30 Hz of {@code hz} with the most energy, in 0.5 Hz steps. */
    static double peakNear(short[] x, int from, int len, double hz, int rate) {
        double best = hz;
        double bestPower = -1;
        for (double f = hz - 30; f <= hz + 30; f += 0.5) {
            double p = goertzel(x, from, len, f, rate);
            if (p > bestPower) {
                bestPower = p;
                best = f;
            }
        }
        return best;
    }

    @Test
    void singleTonesKeepTheirFrequencyAndLevelAt8And16kHz() throws IOException {
        for (int rate : new int[] {8000, 16000}) {
            AudioFormat format = new AudioFormat(rate, 1);
            for (double hz : TEST_TONES) {
                short[] tone = AudioTestSupport.tone(rate, hz, rate, 8000); // -12 dBFS, one second
                short[] decoded = AudioTestSupport.decodeOpus(AudioTestSupport.encodeOpus(format, tone));
                assertToneSurvives(tone, decoded, new double[] {hz}, rate, hz + " Hz at " + rate + " Hz");
            }
        }
    }

    @Test
    void dtmfDigitsKeepBothTheirTones() throws IOException {
        for (double row : DTMF_ROWS) {
            for (double column : DTMF_COLUMNS) {
                short[] digit = AudioTestSupport.sum(AudioTestSupport.tone(8000, row, 8000, 5000),
                        AudioTestSupport.tone(8000, column, 8000, 5000));
                short[] decoded = AudioTestSupport.decodeOpus(AudioTestSupport.encodeOpus(AudioFormat.MONO_8K, digit));
                assertToneSurvives(digit, decoded, new double[] {row, column}, 8000, "DTMF " + row + "+" + column);
            }
        }
    }
}
