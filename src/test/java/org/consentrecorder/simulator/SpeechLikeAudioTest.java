package org.consentrecorder.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SpeechLikeAudioTest {
    private static final int RATE = 8000;
    private final SpeechLikeAudio audio = new SpeechLikeAudio();

    @Test
    void theSameSeedGivesTheSameSoundAndAnotherSeedAnother() {
        assertArrayEquals(audio.render(7, RATE * 3), audio.render(7, RATE * 3));
        assertFalse(Arrays.equals(audio.render(7, RATE * 3), audio.render(8, RATE * 3)));
        assertEquals(12_345, audio.render(1, 12_345).length);
    }

    @Test
    void itIsLoudButNeverClips() {
        short[] s = audio.render(42, RATE * 10);
        int peak = 0;
        for (short v : s) {
            peak = Math.max(peak, Math.abs(v));
        }
        assertTrue(peak > 10_000 && peak < 20_000, "peak " + peak);
    }

    /** Syllables: the loudness in 20 ms windows rises and falls several times a second, with quiet gaps between turns. */
    @Test
    void itIsModulatedAtSyllableRateWithPauses() {
        short[] s = audio.render(42, RATE * 20);
        int window = RATE / 50;
        double[] rms = new double[s.length / window];
        for (int w = 0; w < rms.length; w++) {
            double e = 0;
            for (int i = w * window; i < (w + 1) * window; i++) {
                e += (double) s[i] * s[i];
            }
            rms[w] = Math.sqrt(e / window);
        }
        double loud = Arrays.stream(rms).max().orElseThrow() / 4;
        int onsets = 0;
        int quiet = 0;
        for (int w = 1; w < rms.length; w++) {
            if (rms[w] >= loud && rms[w - 1] < loud) {
                onsets++;
            }
            if (rms[w] < 100) {
                quiet++;
            }
        }
        double perSecond = onsets / 20.0;
        assertTrue(perSecond > 1.5 && perSecond < 9, "loudness onsets per second: " + perSecond);
        assertTrue(quiet > rms.length / 20, "pauses: " + quiet + " quiet windows of " + rms.length);
        assertTrue(quiet < rms.length / 2, "mostly talk: " + quiet + " quiet windows of " + rms.length);
    }

    /** Voiced sound, not a tone and not white noise: zero crossings in the range of speech. */
    @Test
    void itsZeroCrossingRateIsThatOfSpeech() {
        short[] s = audio.render(3, RATE * 10);
        int crossings = 0;
        for (int i = 1; i < s.length; i++) {
            if ((s[i - 1] < 0) != (s[i] < 0)) {
                crossings++;
            }
        }
        double perSecond = crossings / 10.0;
        assertTrue(perSecond > 400 && perSecond < 3000, "zero crossings per second: " + perSecond);
    }

    @Test
    void theTestsToneIsUnchanged() {
        short[] tone = CallAudio.TONE.render(0, 100);
        for (int i = 0; i < tone.length; i++) {
            assertEquals((short) (8000 * Math.sin(2 * Math.PI * 400 * i / 8000.0)), tone[i]);
        }
    }
}
