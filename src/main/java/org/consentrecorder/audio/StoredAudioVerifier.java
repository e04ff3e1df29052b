package org.consentrecorder.audio;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The archive's check before Asterisk's copy is deleted: the stored plaintext is read to its end with the decoder
 * for its codec, and must be intact and exactly as long as the source. For {@code opus} every page's CRC, sequence and
 * granule position is checked and every packet decoded; for {@code alaw} the WAV structure is checked; for
 * {@code wav} (stored unchanged when mono) the SHA-256 must equal the source's; a stereo WAV is written from two legs and checked for its length only.
 *
 * <p>Any difference is an {@link InvalidAudioException} whose message says what differs; the caller keeps Asterisk's
 * copy and tries again or reports. Blocking; run it on a worker thread.
 */
public final class StoredAudioVerifier {

    private static final int CHUNK_FRAMES = 4096;

    private StoredAudioVerifier() {
    }

    /**
     * @param stored         the stored plaintext (decrypted), read to its end and not closed
     * @param parameters     what the recording was stored as
     * @param expectedFrames the source's duration in frames
     * @param sourceSha256   the source's SHA-256 (compared for {@code wav} only, whose stored bytes are the source)
     */
    public static VerifiedAudio verify(InputStream stored, EncodingParameters parameters, long expectedFrames,
            byte[] sourceSha256) throws IOException {
        Objects.requireNonNull(stored, "stored");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(sourceSha256, "sourceSha256");
        CountingInputStream counted = new CountingInputStream(stored);
        long frames = switch (parameters.codec()) {
            case OPUS -> opusFrames(counted, parameters);
            case ALAW, WAV -> wavFrames(counted, parameters, sourceSha256);
        };
        if (frames != expectedFrames) {
            throw new InvalidAudioException("the stored recording decodes to " + frames + " frames ("
                    + parameters.format().millis(frames) + " ms), the source has " + expectedFrames + " ("
                    + parameters.format().millis(expectedFrames) + " ms)");
        }
        return new VerifiedAudio(frames, counted.count);
    }

    private static long opusFrames(InputStream in, EncodingParameters parameters) throws IOException {
        OggOpusDecoder decoder = OggOpusDecoder.open(in);
        if (!decoder.format().equals(parameters.format()) || decoder.preSkip() != parameters.preSkip()) {
            throw new InvalidAudioException("the stored stream is " + decoder.format() + " with pre-skip "
                    + decoder.preSkip() + ", the recording's parameters say " + parameters.format() + " with pre-skip "
                    + parameters.preSkip());
        }
        drain(decoder);
        return decoder.finish();
    }

    private static long wavFrames(InputStream in, EncodingParameters parameters, byte[] sourceSha256)
            throws IOException {
        WavReader reader = WavReader.open(in);
        WavReader.Encoding expected = parameters.codec() == Codec.ALAW ? WavReader.Encoding.ALAW
                : WavReader.Encoding.PCM_16;
        if (reader.encoding() != expected || !reader.format().equals(parameters.format())) {
            throw new InvalidAudioException("the stored file is " + reader.encoding() + " " + reader.format()
                    + ", the recording's parameters say " + parameters.toText());
        }
        drain(reader);
        SourceAudio read = reader.finish();
        // a mono WAV is Asterisk's file itself; a stereo one was written from two legs (Asterisk writes mono only)
        if (parameters.codec() == Codec.WAV && parameters.format().channels() == 1
                && !MessageDigest.isEqual(read.sha256(), sourceSha256)) {
            throw new InvalidAudioException("the stored WAV's SHA-256 differs from the source's");
        }
        if (parameters.codec() == Codec.ALAW && !read.headerComplete()) {
            throw new InvalidAudioException("the stored A-law file's header has no length");
        }
        return read.frames();
    }

    private static void drain(PcmSource source) throws IOException {
        short[] pcm = new short[CHUNK_FRAMES * source.format().channels()];
        while (source.read(pcm, 0, CHUNK_FRAMES) >= 0) {
            // decoding is the check
        }
    }

    private static final class CountingInputStream extends FilterInputStream {
        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
