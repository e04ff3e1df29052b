package org.consentrecorder.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The benchmark's quality measure and material behave as described. */
class SpectralDistanceTest {

    @Test
    void theFftFindsASinusoidInItsBin() {
        double[] re = new double[64];
        double[] im = new double[64];
        for (int i = 0; i < 64; i++) {
            re[i] = Math.cos(2 * Math.PI * 5 * i / 64);
        }
        SpectralDistance.fft(re, im);
        assertEquals(32, Math.hypot(re[5], im[5]), 1e-9);
        assertEquals(0, Math.hypot(re[6], im[6]), 1e-9);
    }

    @Test
    void identicalAudioIsAtZeroAndA6dBQuieterCopyAt6dB() {
        short[] speech = new SyntheticConversation(8000, 3).generate(10).mixed();
        SpectralDistance.Result same = SpectralDistance.of(speech, speech, 8000);
        assertEquals(0, same.meanDb(), 1e-9);
        assertTrue(same.frames() > 100);
        short[] quieter = new short[speech.length];
        for (int i = 0; i < speech.length; i++) {
            quieter[i] = (short) (speech[i] / 2);
        }
        SpectralDistance.Result half = SpectralDistance.of(speech, quieter, 8000);
        assertEquals(6.02, half.meanDb(), 0.1);
        assertEquals(-6.02, half.levelDb(), 0.1);
    }

    @Test
    void theSyntheticConversationHasSpeechLevelsPausesAndTurns() {
        SyntheticConversation.Legs legs = new SyntheticConversation(8000, 1).generate(60);
        int frame = 160;
        int callerOnly = 0;
        int agentOnly = 0;
        int silent = 0;
        int frames = legs.caller().length / frame;
        for (int f = 0; f < frames; f++) {
            boolean caller = AudioTestSupport.rms(legs.caller(), f * frame, frame) > 328;
            boolean agent = AudioTestSupport.rms(legs.agent(), f * frame, frame) > 328;
            callerOnly += caller && !agent ? 1 : 0;
            agentOnly += agent && !caller ? 1 : 0;
            silent += !caller && !agent ? 1 : 0;
        }
        assertTrue(callerOnly > frames / 5 && agentOnly > frames / 5, callerOnly + " / " + agentOnly + " of " + frames);
        assertTrue(silent > frames / 10, "pauses: " + silent + " of " + frames);
    }
}
