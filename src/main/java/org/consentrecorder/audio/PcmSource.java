package org.consentrecorder.audio;

import java.io.IOException;

/** Decoded audio, pulled in order: 16-bit samples, interleaved when stereo. */
public interface PcmSource {

    AudioFormat format();

    /**
     * Reads up to {@code maxFrames} frames into {@code pcm} from {@code offset}.
     *
     * @return frames read, at least 1 until the audio ends, then -1
     * @throws InvalidAudioException if the stored bytes turn out to be damaged
     */
    int read(short[] pcm, int offset, int maxFrames) throws IOException;
}
