package org.consentrecorder.audio;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Turns a recording as Asterisk wrote it (a WAV stream) into what the archive stores (an output stream, e.g. the
 * plaintext side of the encryptor), in one pass and in bounded memory, and returns the source's evidence (duration,
 * SHA-256) together with the stored form's parameters.
 *
 * <ul>
 *   <li>{@code opus}: decoded from WAV and encoded as Ogg Opus ({@link OggOpusEncoder});</li>
 *   <li>{@code alaw}: written as an A-law WAV; needs the source's length in its header, so a source whose header
 *       sizes were never filled in is refused (store it as {@code wav} instead);</li>
 *   <li>{@code wav}: the source bytes unchanged, parsed on the way through only to check them and measure them.</li>
 * </ul>
 *
 * Blocking: it reads and writes streams; run it on a worker thread.
 */
public final class RecordingTranscoder {

    private static final int CHUNK_FRAMES = 1600;

    private final CodecSettings settings;

    public RecordingTranscoder(CodecSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Reads {@code sourceWav} to its end and writes the stored form to {@code stored} (flushed, not closed).
     *
     * @throws InvalidAudioException if the source is not a WAV file this archive takes; what was written to
     *                               {@code stored} by then is incomplete and must be discarded
     */
    public EncodedRecording transcode(InputStream sourceWav, OutputStream stored) throws IOException {
        Objects.requireNonNull(sourceWav, "sourceWav");
        Objects.requireNonNull(stored, "stored");
        if (settings.codec() == Codec.WAV) {
            return passThrough(sourceWav, stored);
        }
        WavReader reader = WavReader.open(sourceWav);
        requirePcm(reader);
        AudioFormat format = reader.format();
        AudioEncoder encoder;
        EncodingParameters parameters;
        if (settings.codec() == Codec.OPUS) {
            OggOpusEncoder opus = OggOpusEncoder.create(format, settings, stored);
            encoder = opus;
            parameters = opus.parameters();
        } else {
            long frames = reader.declaredFrames();
            if (frames < 0) {
                throw new InvalidAudioException("the source's header has no length (the file was not finished by "
                        + "Asterisk); alaw needs it, wav does not");
            }
            encoder = WavWriter.alaw(format, frames, stored);
            parameters = EncodingParameters.alaw(format);
        }
        short[] pcm = new short[CHUNK_FRAMES * format.channels()];
        int n;
        while ((n = reader.read(pcm, 0, CHUNK_FRAMES)) > 0) {
            encoder.write(pcm, 0, n);
        }
        SourceAudio source = reader.finish();
        long storedBytes = encoder.finish();
        return new EncodedRecording(source, parameters, storedBytes);
    }

    /**
     * A stereo call's two legs (mono WAV files as the snoop channels' recordings are) stored as one stereo recording:
     * the first leg left, the second right, the later one behind silence for its start offset ({@link StereoAlignment},
     * {@link StereoInterleaver}), in the
     * configured codec. {@code wav} writes a new 2-channel PCM WAV (there is no stereo file on Asterisk to keep);
     * {@code alaw} and {@code wav} need both legs' lengths in their headers.
     *
     * @throws InvalidAudioException if either leg is not a WAV file this archive takes; what was written to
     *                               {@code stored} by then is incomplete and must be discarded
     */
    public EncodedRecording transcodeStereo(InputStream inWav, InputStream outWav, Long outOffsetMillis,
                                            OutputStream stored) throws IOException {
        Objects.requireNonNull(stored, "stored");
        StereoInterleaver legs = StereoInterleaver.open(inWav, outWav, outOffsetMillis);
        AudioFormat format = legs.format();
        AudioEncoder encoder;
        EncodingParameters parameters;
        if (settings.codec() == Codec.OPUS) {
            OggOpusEncoder opus = OggOpusEncoder.create(format, settings, stored);
            encoder = opus;
            parameters = opus.parameters();
        } else {
            long frames = legs.declaredFrames();
            if (frames < 0) {
                throw new InvalidAudioException("a leg's header has no length (the file was not finished by "
                        + "Asterisk); " + settings.codec().setting() + " in stereo needs both, opus does not");
            }
            encoder = settings.codec() == Codec.ALAW ? WavWriter.alaw(format, frames, stored)
                    : WavWriter.pcm16(format, frames, stored);
            parameters = settings.codec() == Codec.ALAW ? EncodingParameters.alaw(format) : EncodingParameters.wav(format);
        }
        short[] pcm = new short[CHUNK_FRAMES * 2];
        int n;
        while ((n = legs.read(pcm, 0, CHUNK_FRAMES)) > 0) {
            encoder.write(pcm, 0, n);
        }
        StereoSource both = legs.finish();
        long storedBytes = encoder.finish();
        SourceAudio source = new SourceAudio(format, both.frames(), both.in().sha256(),
                both.in().sourceBytes() + both.out().sourceBytes(),
                both.in().headerComplete() && both.out().headerComplete());
        return new EncodedRecording(source, parameters, storedBytes, both);
    }

    private static EncodedRecording passThrough(InputStream sourceWav, OutputStream stored) throws IOException {
        CopyingInputStream copy = new CopyingInputStream(sourceWav, stored);
        WavReader reader = WavReader.open(copy);
        requirePcm(reader);
        SourceAudio source = reader.finish();
        stored.flush();
        return new EncodedRecording(source, EncodingParameters.wav(source.format()), copy.copied);
    }

    private static void requirePcm(WavReader reader) throws InvalidAudioException {
        if (reader.encoding() != WavReader.Encoding.PCM_16) {
            throw new InvalidAudioException("the source is " + reader.encoding() + ", not 16-bit PCM as Asterisk's "
                    + "wav and wav16 formats write it");
        }
    }

    /** Writes every byte read through it to a second stream: the stored copy of a passed-through source. */
    private static final class CopyingInputStream extends FilterInputStream {
        private final OutputStream copy;
        private long copied;

        CopyingInputStream(InputStream in, OutputStream copy) {
            super(in);
            this.copy = copy;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                copy.write(b);
                copied++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                copy.write(b, off, n);
                copied += n;
            }
            return n;
        }

        @Override
        public long skip(long n) {
            throw new UnsupportedOperationException("every byte is copied");
        }
    }
}
