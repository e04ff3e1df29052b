package org.consentrecorder.audio;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Writes a WAV file whose length is known in advance: 16-bit PCM (format tag 1, the player-friendly form of any stored
 * recording) or G.711 A-law (format tag 6, with the {@code fact} chunk the format requires). The header, sizes
 * included, goes out first, so the file can be streamed to a player or an HTTP response with its Content-Length
 * ({@link #fileBytes}); {@link #finish} fails if fewer or more frames arrived than promised.
 */
public final class WavWriter implements AudioEncoder {

    private static final int TAG_PCM = 1;
    private static final int TAG_ALAW = 6;
    private static final long MAX_RIFF = 0xFFFFFFFFL;

    private final AudioFormat format;
    private final boolean alaw;
    private final long frames;
    private final OutputStream out;
    private final byte[] buffer = new byte[8192];
    private long framesWritten;
    private long bytesWritten;
    private boolean headerWritten;
    private boolean finished;

    private WavWriter(AudioFormat format, boolean alaw, long frames, OutputStream out) {
        this.format = Objects.requireNonNull(format, "format");
        this.alaw = alaw;
        this.frames = frames;
        this.out = Objects.requireNonNull(out, "out");
        fileBytes(format, alaw, frames); // checks the length fits a RIFF file
    }

    /** 16-bit PCM WAV of exactly {@code frames} frames. */
    public static WavWriter pcm16(AudioFormat format, long frames, OutputStream out) {
        return new WavWriter(format, false, frames, out);
    }

    /** G.711 A-law WAV of exactly {@code frames} frames. */
    public static WavWriter alaw(AudioFormat format, long frames, OutputStream out) {
        return new WavWriter(format, true, frames, out);
    }

    /** Size of the file {@link #pcm16} writes: a 44-byte header and the samples. */
    public static long pcm16FileBytes(AudioFormat format, long frames) {
        return fileBytes(format, false, frames);
    }

    /** Size of the file {@link #alaw} writes: a 58-byte header, one byte per sample, a pad byte if that is odd. */
    public static long alawFileBytes(AudioFormat format, long frames) {
        return fileBytes(format, true, frames);
    }

    private static long fileBytes(AudioFormat format, boolean alaw, long frames) {
        if (frames < 0) {
            throw new IllegalArgumentException("negative frame count");
        }
        long data = dataBytes(format, alaw, frames);
        long file = headerBytes(alaw) + data + (data & 1);
        if (file - 8 > MAX_RIFF) {
            throw new IllegalArgumentException(frames + " frames do not fit in a WAV file (4 GiB)");
        }
        return file;
    }

    private static long dataBytes(AudioFormat format, boolean alaw, long frames) {
        return frames * format.channels() * (alaw ? 1 : 2);
    }

    private static int headerBytes(boolean alaw) {
        return alaw ? 58 : 44;
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    @Override
    public void write(short[] pcm, int offset, int count) throws IOException {
        int channels = format.channels();
        Objects.checkFromIndexSize(offset, count * channels, pcm.length);
        if (finished) {
            throw new IllegalStateException("finished");
        }
        if (framesWritten + count > frames) {
            throw new IllegalStateException("more frames than the " + frames + " promised in the header");
        }
        writeHeaderOnce();
        int samples = count * channels;
        int bytesPerSample = alaw ? 1 : 2;
        int perRound = buffer.length / bytesPerSample;
        for (int done = 0; done < samples; ) {
            int n = Math.min(perRound, samples - done);
            for (int i = 0; i < n; i++) {
                short s = pcm[offset + done + i];
                if (alaw) {
                    buffer[i] = ALaw.encode(s);
                } else {
                    LittleEndian.putU16(buffer, 2 * i, s);
                }
            }
            out.write(buffer, 0, n * bytesPerSample);
            bytesWritten += (long) n * bytesPerSample;
            done += n;
        }
        framesWritten += count;
    }

    @Override
    public long finish() throws IOException {
        if (finished) {
            return bytesWritten;
        }
        if (framesWritten != frames) {
            throw new IllegalStateException(framesWritten + " frames written, the header promised " + frames);
        }
        writeHeaderOnce();
        if ((dataBytes(format, alaw, frames) & 1) != 0) {
            out.write(0); // RIFF chunks are word-aligned
            bytesWritten++;
        }
        out.flush();
        finished = true;
        return bytesWritten;
    }

    private void writeHeaderOnce() throws IOException {
        if (headerWritten) {
            return;
        }
        long data = dataBytes(format, alaw, frames);
        byte[] h = new byte[headerBytes(alaw)];
        ascii(h, 0, "RIFF");
        LittleEndian.putU32(h, 4, h.length - 8 + data + (data & 1));
        ascii(h, 8, "WAVE");
        ascii(h, 12, "fmt ");
        int blockAlign = format.channels() * (alaw ? 1 : 2);
        LittleEndian.putU32(h, 16, alaw ? 18 : 16);
        LittleEndian.putU16(h, 20, alaw ? TAG_ALAW : TAG_PCM);
        LittleEndian.putU16(h, 22, format.channels());
        LittleEndian.putU32(h, 24, format.sampleRate());
        LittleEndian.putU32(h, 28, (long) format.sampleRate() * blockAlign);
        LittleEndian.putU16(h, 32, blockAlign);
        LittleEndian.putU16(h, 34, alaw ? 8 : 16);
        int pos = 36;
        if (alaw) {
            LittleEndian.putU16(h, 36, 0); // cbSize: no extra format bytes
            ascii(h, 38, "fact");
            LittleEndian.putU32(h, 42, 4);
            LittleEndian.putU32(h, 46, frames);
            pos = 50;
        }
        ascii(h, pos, "data");
        LittleEndian.putU32(h, pos + 4, data);
        out.write(h);
        bytesWritten += h.length;
        headerWritten = true;
    }

    private static void ascii(byte[] b, int off, String s) {
        byte[] a = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(a, 0, b, off, a.length);
    }
}
