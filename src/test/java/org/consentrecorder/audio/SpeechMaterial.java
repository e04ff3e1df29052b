package org.consentrecorder.audio;

/**
 * The storage benchmark's speech-like material ({@link SyntheticConversation}) as Asterisk would write it, for
 * benchmarks outside this package (the archive's, through the real pipeline).
 */
public final class SpeechMaterial {
    private SpeechMaterial() {
    }

    /** The same conversation as two snoop channels record it (spy=in, spy=out): the caller's and the agent's mono WAV. */
    public static byte[][] conversationLegs(double seconds, long seed) {
        SyntheticConversation.Legs legs = new SyntheticConversation(8000, seed).generate(seconds);
        return new byte[][] {AudioTestSupport.asteriskWav(AudioFormat.MONO_8K, legs.caller()),
                AudioTestSupport.asteriskWav(AudioFormat.MONO_8K, legs.agent())};
    }

    /**
     * A WAV file of a synthetic two-party conversation at 8 kHz: mono (both voices mixed, as one snoop with
     * {@code spy=both} records them) or stereo (caller left, agent right).
     */
    public static byte[] conversationWav(boolean stereo, double seconds, long seed) {
        SyntheticConversation.Legs legs = new SyntheticConversation(8000, seed).generate(seconds);
        return stereo ? AudioTestSupport.asteriskWav(AudioFormat.STEREO_8K, legs.stereo())
                : AudioTestSupport.asteriskWav(AudioFormat.MONO_8K, legs.mixed());
    }
}
