package org.consentrecorder.audio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Serves any stored recording as a 16-bit PCM WAV file, for players that cannot play Ogg Opus (Safari plays Opus only
 * in WebM or MP4) or A-law. The length is known before the first byte ({@link #length}), so the response can carry a
 * Content-Length, and the audio is decoded as it is written, in bounded memory. A {@code wav} recording is served as
 * stored.
 */
public final class PlayableWav {

    private static final int CHUNK_FRAMES = 4096;

    private PlayableWav() {
    }

    /**
     * Bytes {@link #write} produces for a recording of {@code frames} frames, or -1 for {@code wav} (the stored file
     * as it is: its own length).
     */
    public static long length(EncodingParameters parameters, long frames) {
        return parameters.codec() == Codec.WAV ? -1 : WavWriter.pcm16FileBytes(parameters.format(), frames);
    }

    /**
     * Writes the recording as WAV to {@code out} (flushed, not closed).
     *
     * @param stored     the stored plaintext
     * @param parameters what it was stored as
     * @param frames     its duration in frames, as recorded with it
     * @throws InvalidAudioException if the stored bytes turn out damaged or of another length: the output is then
     *                               incomplete
     */
    public static void write(InputStream stored, EncodingParameters parameters, long frames, OutputStream out)
            throws IOException {
        Objects.requireNonNull(stored, "stored");
        Objects.requireNonNull(out, "out");
        if (parameters.codec() == Codec.WAV) {
            stored.transferTo(out);
            out.flush();
            return;
        }
        PcmSource source = parameters.codec() == Codec.OPUS ? OggOpusDecoder.open(stored) : WavReader.open(stored);
        if (source instanceof WavReader wavReader && wavReader.encoding() != WavReader.Encoding.ALAW) {
            throw new InvalidAudioException("the stored recording is " + wavReader.encoding() + ", its parameters say "
                    + "A-law");
        }
        if (!source.format().equals(parameters.format())) {
            throw new InvalidAudioException("the stored recording is " + source.format() + ", its parameters say "
                    + parameters.format());
        }
        WavWriter wav = WavWriter.pcm16(parameters.format(), frames, out);
        short[] pcm = new short[CHUNK_FRAMES * parameters.format().channels()];
        long written = 0;
        int n;
        while ((n = source.read(pcm, 0, CHUNK_FRAMES)) > 0) {
            if (written + n > frames) {
                throw new InvalidAudioException("the stored recording is longer than its recorded " + frames
                        + " frames");
            }
            wav.write(pcm, 0, n);
            written += n;
        }
        if (written != frames) {
            throw new InvalidAudioException("the stored recording decodes to " + written + " frames, its recorded "
                    + "duration is " + frames);
        }
        if (source instanceof OggOpusDecoder opus) {
            opus.finish();
        } else {
            ((WavReader) source).finish();
        }
        wav.finish();
    }
}
