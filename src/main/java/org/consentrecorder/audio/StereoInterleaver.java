package org.consentrecorder.audio;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * Two mono recordings of one call (the caller, and what the caller hears) read as one stereo
 * stream: the first leg left, the second right, the later-starting leg behind its silence
 * ({@link StereoAlignment}), and the shorter leg followed by silence until the longer one ends.
 * Both files are streamed side by side in bounded memory.
 *
 * <p>Not thread-safe. Blocking: read it on a worker thread.
 */
public final class StereoInterleaver implements PcmSource {

    private static final int LEFT = 0;
    private static final int RIGHT = 1;

    private final WavReader[] legs;
    private final long[] pads;
    private final boolean[] ended = new boolean[2];
    private final AudioFormat format;
    private final StereoAlignment alignment;
    private short[] mono = new short[0];
    private long position;

    private StereoInterleaver(WavReader in, WavReader out, StereoAlignment alignment) {
        this.legs = new WavReader[] {in, out};
        this.pads = new long[] {alignment.inPadFrames(), alignment.outPadFrames()};
        this.alignment = alignment;
        this.format = new AudioFormat(in.format().sampleRate(), 2);
    }

    /**
     * Opens both legs' WAV files (their headers are read now), aligned by the second leg's start offset
     * ({@link StereoAlignment#of}, at the legs' own rate).
     *
     * @param outOffsetMillis how much later the second leg started than the first; null if unknown
     * @throws InvalidAudioException if either is not a 16-bit PCM mono WAV, their rates differ, or the offset is
     *                               beyond {@link StereoAlignment#MAX_OFFSET_MILLIS}
     */
    public static StereoInterleaver open(InputStream inWav, InputStream outWav, Long outOffsetMillis)
            throws IOException {
        WavReader in = leg(inWav, "first");
        WavReader out = leg(outWav, "second");
        return new StereoInterleaver(in, out, StereoAlignment.of(outOffsetMillis, sameRate(in, out)));
    }

    /** Opens both legs' WAV files with the silence given in frames. */
    static StereoInterleaver open(InputStream inWav, InputStream outWav, StereoAlignment alignment)
            throws IOException {
        Objects.requireNonNull(alignment, "alignment");
        WavReader in = leg(inWav, "first");
        WavReader out = leg(outWav, "second");
        sameRate(in, out);
        return new StereoInterleaver(in, out, alignment);
    }

    private static int sameRate(WavReader in, WavReader out) throws InvalidAudioException {
        if (in.format().sampleRate() != out.format().sampleRate()) {
            throw new InvalidAudioException("the legs' rates differ: " + in.format() + " and " + out.format());
        }
        return in.format().sampleRate();
    }

    private static WavReader leg(InputStream wav, String which) throws IOException {
        WavReader r = WavReader.open(Objects.requireNonNull(wav, which + " leg"));
        if (r.encoding() != WavReader.Encoding.PCM_16 || r.format().channels() != 1) {
            throw new InvalidAudioException("the " + which + " leg is " + r.encoding() + " " + r.format()
                    + ", not a 16-bit PCM mono WAV as a snoop channel's recording is");
        }
        return r;
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    /** The stereo length the headers promise, or -1 when either leg's header has no length. */
    public long declaredFrames() {
        long in = legs[LEFT].declaredFrames();
        long out = legs[RIGHT].declaredFrames();
        return in < 0 || out < 0 ? -1 : Math.max(pads[LEFT] + in, pads[RIGHT] + out);
    }

    @Override
    public int read(short[] pcm, int offset, int maxFrames) throws IOException {
        Objects.checkFromIndexSize(offset, maxFrames * 2, pcm.length);
        if (mono.length < maxFrames) {
            mono = new short[maxFrames];
        }
        int left = fill(LEFT, pcm, offset, maxFrames);
        int right = fill(RIGHT, pcm, offset, maxFrames);
        int n = Math.max(left, right);
        if (n == 0) {
            return -1;
        }
        // the leg that ended first is silent until the other ends
        for (int i = left; i < n; i++) {
            pcm[offset + 2 * i] = 0;
        }
        for (int i = right; i < n; i++) {
            pcm[offset + 2 * i + 1] = 0;
        }
        position += n;
        return n;
    }

    /** Writes up to max frames of one leg into its channel; returns how many it had (pad included). */
    private int fill(int channel, short[] pcm, int offset, int max) throws IOException {
        int padded = (int) Math.min(max, Math.max(0, pads[channel] - position));
        for (int i = 0; i < padded; i++) {
            pcm[offset + 2 * i + channel] = 0;
        }
        int got = padded;
        while (got < max && !ended[channel]) {
            int n = legs[channel].read(mono, 0, max - got);
            if (n < 0) {
                ended[channel] = true;
                break;
            }
            for (int i = 0; i < n; i++) {
                pcm[offset + 2 * (got + i) + channel] = mono[i];
            }
            got += n;
        }
        return got;
    }

    /**
     * Reads both legs to their ends (what was not read is skipped) and returns their evidence and
     * the stereo length.
     */
    public StereoSource finish() throws IOException {
        short[] rest = new short[2 * 1024];
        while (read(rest, 0, 1024) >= 0) {
            // counted by read
        }
        SourceAudio in = legs[LEFT].finish();
        SourceAudio out = legs[RIGHT].finish();
        Arrays.fill(rest, (short) 0);
        return new StereoSource(in, out, alignment, position);
    }
}
