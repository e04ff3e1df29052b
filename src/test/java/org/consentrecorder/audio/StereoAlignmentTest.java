package org.consentrecorder.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Stereo keeps the two legs of a call aligned: a click on one channel comes back at its sample on that channel, and
 * the other channel's click at its own, whatever the codec's delay (the pre-skip removes it exactly).
 */
class StereoAlignmentTest {

    private static void click(short[] stereo, int channel, int at) {
        for (int k = -2; k <= 2; k++) {
            stereo[2 * (at + k) + channel] += (short) (20000 * (3 - Math.abs(k)) / 3);
        }
    }

    private static int peak(short[] stereo, int channel, int from, int to) {
        int best = from;
        for (int i = from; i < to; i++) {
            if (Math.abs(stereo[2 * i + channel]) > Math.abs(stereo[2 * best + channel])) {
                best = i;
            }
        }
        return best;
    }

    private static int bestLag(short[] source, short[] decoded, int channel, int center) {
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int lag = -40; lag <= 40; lag++) {
            double score = 0;
            for (int i = center - 200; i < center + 200; i++) {
                score += (double) source[2 * i + channel] * decoded[2 * (i + lag) + channel];
            }
            if (score > bestScore) {
                bestScore = score;
                best = lag;
            }
        }
        return best;
    }

    @Test
    void aClickOnOneChannelDecodesAtItsSampleOnThatChannelOnly() throws IOException {
        for (int rate : new int[] {8000, 16000}) {
            AudioFormat format = new AudioFormat(rate, 2);
            int frames = 2 * rate;
            short[] source = new short[2 * frames];
            Random random = new Random(rate);
            for (int i = 0; i < source.length; i++) {
                source[i] = (short) (random.nextGaussian() * 100); // line noise on both legs
            }
            int left = rate / 2 + 37;
            int right = rate + 101;
            click(source, 0, left);
            click(source, 1, right);
            short[] decoded = AudioTestSupport.decodeOpus(AudioTestSupport.encodeOpus(format, source));
            assertEquals(source.length, decoded.length);

            int leftPeak = peak(decoded, 0, 0, frames);
            int rightPeak = peak(decoded, 1, 0, frames);
            assertTrue(Math.abs(leftPeak - left) <= 1, rate + " Hz: left click at " + left + " came back at " + leftPeak);
            assertTrue(Math.abs(rightPeak - right) <= 1, rate + " Hz: right click at " + right + " came back at "
                    + rightPeak);
            assertTrue(Math.abs(bestLag(source, decoded, 0, left)) <= 1, "left channel delayed");
            assertTrue(Math.abs(bestLag(source, decoded, 1, right)) <= 1, "right channel delayed");

            // the other leg hears little of it: coupled stereo leaks some of a click across, but far below the click
            double leak = Math.abs(decoded[2 * peak(decoded, 1, left - 80, left + 80) + 1]);
            double separation = 20 * Math.log10(Math.abs(decoded[2 * leftPeak]) / leak);
            assertTrue(separation > 10, rate + " Hz: the left click is only " + separation + " dB above its leak to "
                    + "the right");
        }
    }
}
