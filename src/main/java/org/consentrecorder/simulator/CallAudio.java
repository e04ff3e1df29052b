package org.consentrecorder.simulator;

/**
 * What a simulated call sounds like: 16-bit samples at 8000 Hz, sample 0 at the start of the
 * recording. A recording takes from it the stretches that were written (a pause cuts a stretch
 * out, a mute writes silence instead), so the file sounds like the call did.
 */
@FunctionalInterface
public interface CallAudio {
    /** {@code samples} samples of the call whose recording is identified by {@code seed}. */
    short[] render(long seed, int samples);

    /** A 400 Hz tone whose phase follows wall time: a test can tell a cut from a silence in the samples. */
    CallAudio TONE = (seed, samples) -> {
        short[] out = new short[samples];
        for (int i = 0; i < samples; i++) {
            out[i] = (short) (8000 * Math.sin(2 * Math.PI * 400 * i / 8000.0));
        }
        return out;
    };
}
