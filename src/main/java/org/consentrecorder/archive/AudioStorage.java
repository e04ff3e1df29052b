package org.consentrecorder.archive;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import org.consentrecorder.audio.CodecSettings;
import org.consentrecorder.audio.EncodedRecording;
import org.consentrecorder.audio.InvalidAudioException;
import org.consentrecorder.audio.RecordingTranscoder;
import org.consentrecorder.audio.WavReader;

/**
 * How the fetch turns the file Asterisk wrote into the plaintext it encrypts. Blocking; the fetch
 * runs it on a worker thread. An interface so that the verification tests can plug in one that
 * damages what it writes.
 */
interface AudioStorage {

    /**
     * Reads {@code source} to its end and writes the stored form to {@code stored}.
     *
     * @param asteriskFormat the format Asterisk recorded in ({@code wav}, {@code wav16}, {@code gsm} ...)
     * @return the source's evidence and the stored form's parameters, or null when the file was
     *         stored byte for byte without being read as audio
     */
    EncodedRecording store(String asteriskFormat, InputStream source, OutputStream stored) throws IOException;

    /**
     * Reads a stereo call's two legs to their ends and writes one stereo recording to {@code stored}
     * ({@link RecordingTranscoder#transcodeStereo}). Never stored as recorded: two files cannot be one, so legs that
     * are not WAV files this archive reads are refused (CR_RECORDING_CHANNELS=stereo needs CR_RECORDING_FORMAT
     * wav or wav16).
     *
     * @param outOffsetMillis how much later the second leg started than the first; null if unknown
     */
    EncodedRecording storeStereo(String asteriskFormat, InputStream in, InputStream out, Long outOffsetMillis,
                                 OutputStream stored) throws IOException;

    /**
     * The production form: a WAV file this archive reads (16-bit PCM, 8 or 16 kHz, mono or stereo)
     * goes through {@link RecordingTranscoder} into the configured codec; anything else (another
     * Asterisk format, a file whose header is not RIFF/WAVE PCM) is stored as it is, as before
     * codecs existed, so that nothing Asterisk recorded is left behind for being unreadable.
     */
    static AudioStorage transcoding(CodecSettings codec) {
        return new Transcoding(codec);
    }

    final class Transcoding implements AudioStorage {
        /** The header must be read within this many bytes to be transcoded (Asterisk writes 44). */
        static final int PROBE_BYTES = 64 * 1024;
        private final CodecSettings codec;

        Transcoding(CodecSettings codec) {
            this.codec = Objects.requireNonNull(codec);
        }

        @Override
        public EncodedRecording store(String asteriskFormat, InputStream source, OutputStream stored)
                throws IOException {
            if (!"wav".equals(asteriskFormat) && !"wav16".equals(asteriskFormat)) {
                return asRecorded(source, stored);
            }
            BufferedInputStream in = new BufferedInputStream(source, PROBE_BYTES);
            in.mark(PROBE_BYTES);
            boolean readable = readablePcm(in);
            in.reset();
            if (!readable) {
                return asRecorded(in, stored);
            }
            return new RecordingTranscoder(codec).transcode(in, stored);
        }

        @Override
        public EncodedRecording storeStereo(String asteriskFormat, InputStream in, InputStream out,
                                            Long outOffsetMillis, OutputStream stored) throws IOException {
            if (!"wav".equals(asteriskFormat) && !"wav16".equals(asteriskFormat)) {
                throw new InvalidAudioException("a stereo call's legs recorded as " + asteriskFormat
                        + " cannot be interleaved; stereo needs wav or wav16");
            }
            return new RecordingTranscoder(codec).transcodeStereo(in, out, outOffsetMillis, stored);
        }

        private static EncodedRecording asRecorded(InputStream in, OutputStream stored) throws IOException {
            in.transferTo(stored);
            stored.flush();
            return null;
        }

        /** Only the header decides: a file that starts as a WAV we read and then breaks is refused, not stored raw. */
        private static boolean readablePcm(InputStream in) throws IOException {
            try {
                return WavReader.open(new Probe(in)).encoding() == WavReader.Encoding.PCM_16;
            } catch (InvalidAudioException e) {
                return false;
            }
        }

        /** Ends (for the WAV reader) before the mark of the buffered stream would be lost. */
        private static final class Probe extends FilterInputStream {
            private int left = PROBE_BYTES - 1;

            Probe(InputStream in) {
                super(in);
            }

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int b = super.read();
                if (b >= 0) {
                    left--;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(b, off, Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long skipped = super.skip(Math.min(n, left));
                left -= (int) skipped;
                return skipped;
            }

            @Override
            public void close() {
                // the probe never closes the stream it looks into
            }
        }
    }
}
