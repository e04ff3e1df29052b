package org.consentrecorder.audio;

import java.io.IOException;

/**
 * Push-based encoding of one recording into an {@link java.io.OutputStream} given at creation: {@link #write} the
 * interleaved samples in order, then {@link #finish}. Memory stays bounded however long the recording. An encoder that
 * is never finished leaves an incomplete stream behind, which verification refuses; nothing is finished implicitly.
 * Not thread-safe; blocking (it writes to the stream): drive it from a worker thread.
 */
public interface AudioEncoder {

    AudioFormat format();

    /** Encodes {@code frames} frames of interleaved samples of {@code pcm}, starting at {@code offset}. */
    void write(short[] pcm, int offset, int frames) throws IOException;

    /**
     * Ends the stream (pads, trims, writes the last page or checks the promised length) and flushes the output stream;
     * does not close it.
     *
     * @return bytes written to the output stream in all
     */
    long finish() throws IOException;
}
