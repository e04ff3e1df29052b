package org.consentrecorder.audio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * Reads a WAV file as Asterisk's {@code wav} and {@code wav16} formats write it (RIFF/WAVE, format tag 1, 16-bit PCM,
 * 8 or 16 kHz, one or two channels) as a stream, in bounded memory: {@link #open} parses the header, {@link #read}
 * hands out interleaved samples, {@link #finish} reads to the end of the file and returns its duration and SHA-256.
 * It also reads the G.711 A-law WAV files {@link WavWriter#alaw} writes (format tag 6, 8-bit), decoding to 16-bit.
 *
 * <p>Sizes. Asterisk writes the header first with both sizes 0 and fills them in when it closes the file, so a
 * finished recording has exact sizes, and those are checked: the data chunk must be complete, nothing but whole RIFF
 * chunks may follow it, and the RIFF size must match the file. A data size of 0 or 0xFFFFFFFF with audio after it is
 * a header that was never filled in (a file taken while it was still being written, or left by a crash): the audio
 * then runs to the end of the file, and {@link SourceAudio#headerComplete()} says so. Anything else that does not add
 * up (stale sizes with stray bytes after the data, a truncated file, a partial frame, another sample format) is
 * refused with an {@link InvalidAudioException} naming the problem and its byte offset.
 *
 * <p>Not thread-safe. Blocking: read it on a worker thread.
 */
public final class WavReader implements PcmSource {

    private static final long UNSET = 0xFFFFFFFFL;
    private static final int FORMAT_PCM = 1;
    private static final int FORMAT_ALAW = 6;

    /** How samples are stored in the file. */
    public enum Encoding {
        PCM_16(2), ALAW(1);

        final int bytesPerSample;

        Encoding(int bytesPerSample) {
            this.bytesPerSample = bytesPerSample;
        }
    }
    private static final int MAX_FMT_CHUNK = 40;
    private static final int BUFFER_BYTES = 8192;

    private final Source in;
    private final AudioFormat format;
    private final Encoding encoding;
    private final int frameBytes;
    private final long riffSize;
    /** Declared data bytes, or -1 when the header left the size unset and the data runs to the end of the file. */
    private final long dataBytes;
    private final long dataStart;
    private final byte[] buffer;
    private long dataRead;
    private boolean dataEnded;
    private SourceAudio summary;

    private WavReader(Source in, FileFormat fileFormat, long riffSize, long dataBytes) {
        this.in = in;
        this.format = fileFormat.format;
        this.encoding = fileFormat.encoding;
        this.frameBytes = format.channels() * encoding.bytesPerSample;
        this.riffSize = riffSize;
        this.dataBytes = dataBytes;
        this.dataStart = in.position;
        this.buffer = new byte[BUFFER_BYTES - BUFFER_BYTES % frameBytes];
    }

    private record FileFormat(AudioFormat format, Encoding encoding) {
        int frameBytes() {
            return format.channels() * encoding.bytesPerSample;
        }
    }

    /**
     * Parses the header up to the start of the audio.
     *
     * @throws InvalidAudioException if it is not a WAV file of the kind described above
     */
    public static WavReader open(InputStream input) throws IOException {
        Source in = new Source(Objects.requireNonNull(input, "input"));
        byte[] riff = new byte[12];
        in.readExactly(riff, "RIFF header");
        if (!fourCc(riff, 0).equals("RIFF") || !fourCc(riff, 8).equals("WAVE")) {
            throw new InvalidAudioException("not a RIFF/WAVE file (it starts with '" + printable(riff, 0)
                    + "' ... '" + printable(riff, 8) + "')");
        }
        long riffSize = LittleEndian.u32(riff, 4);
        FileFormat format = null;
        byte[] chunkHeader = new byte[8];
        while (true) {
            long chunkOffset = in.position;
            in.readExactly(chunkHeader, "chunk header");
            String id = fourCc(chunkHeader, 0);
            long size = LittleEndian.u32(chunkHeader, 4);
            if (!isChunkId(chunkHeader)) {
                throw new InvalidAudioException("no RIFF chunk at byte " + chunkOffset + " (id bytes '"
                        + printable(chunkHeader, 0) + "')");
            }
            if (id.equals("fmt ")) {
                if (format != null) {
                    throw new InvalidAudioException("a second 'fmt ' chunk at byte " + chunkOffset);
                }
                format = readFormat(in, size, chunkOffset);
            } else if (id.equals("data")) {
                if (format == null) {
                    throw new InvalidAudioException("the 'data' chunk at byte " + chunkOffset
                            + " comes before any 'fmt ' chunk");
                }
                return new WavReader(in, format, riffSize, dataSize(size, format, chunkOffset));
            } else {
                in.skipExactly(size + (size & 1), "'" + id + "' chunk at byte " + chunkOffset);
            }
        }
    }

    private static long dataSize(long declared, FileFormat format, long chunkOffset) throws InvalidAudioException {
        if (declared == 0 || declared == UNSET) {
            return -1;
        }
        if (declared % format.frameBytes() != 0) {
            throw new InvalidAudioException("the 'data' chunk at byte " + chunkOffset + " declares " + declared
                    + " bytes, not a whole number of " + format.frameBytes() + "-byte frames");
        }
        return declared;
    }

    private static FileFormat readFormat(Source in, long size, long chunkOffset) throws IOException {
        if (size < 16 || size > MAX_FMT_CHUNK) {
            throw new InvalidAudioException("the 'fmt ' chunk at byte " + chunkOffset + " has " + size
                    + " bytes; a PCM format has 16 (or 18)");
        }
        byte[] fmt = new byte[(int) (size + (size & 1))];
        in.readExactly(fmt, "'fmt ' chunk");
        int tag = LittleEndian.u16(fmt, 0);
        int channels = LittleEndian.u16(fmt, 2);
        long rate = LittleEndian.u32(fmt, 4);
        long byteRate = LittleEndian.u32(fmt, 8);
        int blockAlign = LittleEndian.u16(fmt, 12);
        int bits = LittleEndian.u16(fmt, 14);
        Encoding encoding;
        if (tag == FORMAT_PCM && bits == 16) {
            encoding = Encoding.PCM_16;
        } else if (tag == FORMAT_ALAW && bits == 8) {
            encoding = Encoding.ALAW;
        } else {
            throw new InvalidAudioException("format tag " + tag + " with " + bits + "-bit samples; only 16-bit PCM "
                    + "(tag 1) and 8-bit A-law (tag 6) are read");
        }
        if (channels != 1 && channels != 2) {
            throw new InvalidAudioException(channels + " channels; only mono and stereo are read");
        }
        if (rate != 8000 && rate != 16000) {
            throw new InvalidAudioException("sample rate " + rate + " Hz; only 8000 and 16000 Hz are read");
        }
        if (blockAlign != encoding.bytesPerSample * channels || byteRate != rate * blockAlign) {
            throw new InvalidAudioException("inconsistent 'fmt ' chunk: block align " + blockAlign
                    + " and byte rate " + byteRate + " do not fit " + channels + " channel(s) of " + bits
                    + " bits at " + rate + " Hz");
        }
        return new FileFormat(new AudioFormat((int) rate, channels), encoding);
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    public Encoding encoding() {
        return encoding;
    }

    /** Frames the header declares, or -1 when it left the data size unset (the audio runs to the end of the file). */
    public long declaredFrames() {
        return dataBytes < 0 ? -1 : dataBytes / frameBytes;
    }

    /**
     * Reads up to {@code maxFrames} frames of interleaved samples into {@code pcm} from {@code offset}.
     *
     * @return frames read, at least 1 until the audio ends, then -1
     * @throws InvalidAudioException if the file ends early or in the middle of a frame
     */
    @Override
    public int read(short[] pcm, int offset, int maxFrames) throws IOException {
        Objects.checkFromIndexSize(offset, maxFrames * format.channels(), pcm.length);
        if (summary != null) {
            throw new IllegalStateException("finished");
        }
        if (dataEnded || maxFrames == 0) {
            return dataEnded ? -1 : 0;
        }
        long wanted = Math.min((long) maxFrames * frameBytes, buffer.length);
        if (dataBytes >= 0) {
            wanted = Math.min(wanted, dataBytes - dataRead);
        }
        if (wanted == 0) {
            dataEnded = true;
            return -1;
        }
        int got = in.readUpTo(buffer, (int) wanted);
        if (got < wanted && dataBytes >= 0) {
            throw new InvalidAudioException("truncated: the header promises " + dataBytes + " data bytes, the file "
                    + "ends after " + (dataRead + got));
        }
        if (got % frameBytes != 0) {
            throw new InvalidAudioException("the file ends in the middle of a frame, " + (dataRead + got)
                    + " data bytes after byte " + dataStart);
        }
        if (got == 0) {
            dataEnded = true;
            return -1;
        }
        if (encoding == Encoding.ALAW) {
            for (int i = 0; i < got; i++) {
                pcm[offset + i] = ALaw.decode(buffer[i]);
            }
        } else {
            for (int i = 0; i < got / 2; i++) {
                pcm[offset + i] = (short) LittleEndian.u16(buffer, 2 * i);
            }
        }
        dataRead += got;
        return got / frameBytes;
    }

    /**
     * Reads whatever is left (the rest of the audio, whole chunks after it), checks the sizes and returns what the
     * archive keeps as evidence. Idempotent.
     *
     * @throws InvalidAudioException if the rest of the file does not add up
     */
    public SourceAudio finish() throws IOException {
        if (summary != null) {
            return summary;
        }
        int scratchFrames = buffer.length / frameBytes;
        short[] scratch = new short[scratchFrames * format.channels()];
        while (read(scratch, 0, scratchFrames) >= 0) {
            // draining the audio: it counts and goes into the hash
        }
        boolean complete;
        if (dataBytes < 0) {
            // the data ran to the end of the file; a complete header with an empty data chunk is also read this way
            complete = dataRead == 0 && riffSize == in.position - 8;
            if (!complete && riffSize != 0 && riffSize != UNSET) {
                throw new InvalidAudioException("the header's data size is unset but its RIFF size says " + riffSize
                        + " bytes, the file has " + (in.position - 8) + " after the RIFF header");
            }
        } else {
            if ((dataBytes & 1) != 0) {
                // RIFF chunks are word-aligned: a pad byte follows odd data (some writers omit it at the end)
                in.readUpTo(new byte[1], 1);
            }
            readTrailingChunks();
            if (riffSize != in.position - 8) {
                throw new InvalidAudioException("the RIFF size says " + riffSize + " bytes, the file has "
                        + (in.position - 8) + " after the RIFF header");
            }
            complete = true;
        }
        summary = new SourceAudio(format, dataRead / frameBytes, in.digest.digest(), in.position,
                complete);
        return summary;
    }

    private void readTrailingChunks() throws IOException {
        byte[] chunkHeader = new byte[8];
        while (true) {
            long offset = in.position;
            int got = in.readUpTo(chunkHeader, chunkHeader.length);
            if (got == 0) {
                return;
            }
            if (got < chunkHeader.length || !isChunkId(chunkHeader)) {
                throw new InvalidAudioException("bytes after the data chunk (from byte " + offset + ") are not a RIFF "
                        + "chunk: the header's sizes look stale, as in a file still being written");
            }
            long size = LittleEndian.u32(chunkHeader, 4);
            in.skipExactly(size + (size & 1), "'" + fourCc(chunkHeader, 0) + "' chunk at byte " + offset);
        }
    }

    private static boolean isChunkId(byte[] b) {
        for (int i = 0; i < 4; i++) {
            if (b[i] < 0x20 || b[i] > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static String fourCc(byte[] b, int off) {
        return new String(b, off, 4, StandardCharsets.ISO_8859_1);
    }

    private static String printable(byte[] b, int off) {
        StringBuilder s = new StringBuilder();
        for (int i = off; i < off + 4; i++) {
            s.append(b[i] >= 0x20 && b[i] <= 0x7e ? (char) b[i] : '?');
        }
        return s.toString();
    }

    /** The input with a running SHA-256 and byte position. */
    private static final class Source {
        private final InputStream in;
        private final MessageDigest digest;
        private final byte[] skipBuffer = new byte[4096];
        private long position;

        Source(InputStream in) {
            this.in = in;
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform must provide SHA-256", e);
            }
        }

        int readUpTo(byte[] b, int len) throws IOException {
            int total = 0;
            while (total < len) {
                int n = in.read(b, total, len - total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
            digest.update(b, 0, total);
            position += total;
            return total;
        }

        void readExactly(byte[] b, String what) throws IOException {
            long start = position;
            if (readUpTo(b, b.length) < b.length) {
                throw new InvalidAudioException("truncated " + what + " at byte " + start);
            }
        }

        void skipExactly(long n, String what) throws IOException {
            long left = n;
            while (left > 0) {
                int want = (int) Math.min(left, skipBuffer.length);
                int got = readUpTo(skipBuffer, want);
                if (got < want) {
                    throw new InvalidAudioException("truncated " + what + ": the file ends at byte " + position);
                }
                left -= got;
            }
        }
    }
}
