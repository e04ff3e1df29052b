package org.consentrecorder.audio;

/**
 * The shape of the PCM this package handles: 16-bit signed samples, 8 kHz or 16 kHz (Asterisk's {@code wav} and
 * {@code wav16}), one channel or two (two: the caller on the left, what the caller hears on the right). Samples of a
 * stereo frame are interleaved, left first.
 */
public record AudioFormat(int sampleRate, int channels) {

    public static final AudioFormat MONO_8K = new AudioFormat(8000, 1);
    public static final AudioFormat STEREO_8K = new AudioFormat(8000, 2);

    public AudioFormat {
        if (sampleRate != 8000 && sampleRate != 16000) {
            throw new IllegalArgumentException("sample rate must be 8000 or 16000 Hz, not " + sampleRate);
        }
        if (channels != 1 && channels != 2) {
            throw new IllegalArgumentException("channels must be 1 or 2, not " + channels);
        }
    }

    /** Bytes of one frame (one sample per channel) as 16-bit PCM. */
    public int bytesPerFrame() {
        return 2 * channels;
    }

    /** Milliseconds of {@code frames} frames, rounded down. */
    public long millis(long frames) {
        return frames * 1000 / sampleRate;
    }

    @Override
    public String toString() {
        return sampleRate + " Hz " + (channels == 1 ? "mono" : "stereo");
    }
}
