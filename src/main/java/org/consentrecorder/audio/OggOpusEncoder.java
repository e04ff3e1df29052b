package org.consentrecorder.audio;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusEncoder;
import io.github.jaredmdobson.concentus.OpusException;
import io.github.jaredmdobson.concentus.OpusSignal;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Encodes PCM to Ogg Opus (RFC 7845) as it arrives: Opus in 20 ms frames at the source's own rate (8 or 16 kHz; no
 * resampling), VOIP application, voice signal, variable bit rate around the target, written to Ogg pages of up to one
 * second of audio (many packets per page: one packet per page would cost some 11 kbit/s of page headers).
 *
 * <p>Exact duration: the stream's OpusHead carries the encoder's look-ahead as pre-skip, the encoder is fed zeros after
 * the last sample until the look-ahead is flushed, and the last page's granule position is set to pre-skip plus the
 * source's length, so a conforming decoder trims the padding and returns exactly as many samples as came in.
 *
 * <p>Memory: one 20 ms frame of PCM, one packet and one page (at most 255 packets) are buffered.
 */
public final class OggOpusEncoder implements AudioEncoder {

    /** Longest stretch of audio on one page; an Ogg reader seeks by page. */
    static final int PAGE_MILLIS = 1000;
    private static final int MAX_PACKET_BYTES = 1275;
    private static final String VENDOR = "consent-recorder (Concentus Opus encoder)";

    private final AudioFormat format;
    private final OutputStream out;
    private final OpusEncoder opus;
    private final OggPageWriter pages;
    private final EncodingParameters parameters;
    private final int frameSize;
    /** Granule units (48 kHz samples) per input sample. */
    private final int granulePerSample;
    private final int lookahead;
    private final short[] frame;
    private final byte[] packet = new byte[MAX_PACKET_BYTES];
    private int framed;
    private long inputFrames;
    private long encodedFrames;
    private long granule;
    private boolean headersWritten;
    private boolean finished;

    OggOpusEncoder(AudioFormat format, int bitratePerChannel, int complexity, OutputStream out, int serial) {
        this.format = Objects.requireNonNull(format, "format");
        this.out = Objects.requireNonNull(out, "out");
        try {
            this.opus = new OpusEncoder(format.sampleRate(), format.channels(), OpusApplication.OPUS_APPLICATION_VOIP);
        } catch (OpusException e) {
            throw new IllegalStateException("the Opus encoder refused " + format, e);
        }
        int bitrate = bitratePerChannel * format.channels();
        opus.setBitrate(bitrate);
        opus.setSignalType(OpusSignal.OPUS_SIGNAL_VOICE);
        opus.setComplexity(complexity);
        opus.setUseVBR(true);
        opus.setUseDTX(false);
        opus.setUseInbandFEC(false); // FEC protects against packet loss on a network; a file loses nothing
        this.frameSize = format.sampleRate() * EncodingParameters.OPUS_FRAME_MILLIS / 1000;
        this.granulePerSample = 48000 / format.sampleRate();
        this.lookahead = opus.getLookahead();
        this.frame = new short[frameSize * format.channels()];
        this.pages = new OggPageWriter(out, serial);
        this.parameters = EncodingParameters.opus(format, bitrate, complexity, lookahead * granulePerSample);
    }

    /** An encoder for {@code format} with {@code settings}' bit rate and complexity, writing to {@code out}. */
    public static OggOpusEncoder create(AudioFormat format, CodecSettings settings, OutputStream out) {
        return new OggOpusEncoder(format, settings.opusBitratePerChannel(), settings.opusComplexity(), out,
                ThreadLocalRandom.current().nextInt());
    }

    /** What goes into the stream's header and what verification will expect. */
    public EncodingParameters parameters() {
        return parameters;
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    @Override
    public void write(short[] pcm, int offset, int frames) throws IOException {
        int channels = format.channels();
        Objects.checkFromIndexSize(offset, frames * channels, pcm.length);
        if (finished) {
            throw new IllegalStateException("finished");
        }
        writeHeadersOnce();
        int pos = offset;
        int left = frames;
        while (left > 0) {
            int n = Math.min(left, frameSize - framed);
            System.arraycopy(pcm, pos, frame, framed * channels, n * channels);
            framed += n;
            pos += n * channels;
            left -= n;
            if (framed == frameSize) {
                encodeFrame();
            }
        }
        inputFrames += frames;
    }

    @Override
    public long finish() throws IOException {
        if (finished) {
            return pages.bytesWritten();
        }
        writeHeadersOnce();
        // feed silence until every input sample has come out of the encoder's look-ahead; at least one packet follows
        // here (the look-ahead is never empty), so the last page is never empty
        long needed = inputFrames + lookahead;
        while (encodedFrames < needed) {
            java.util.Arrays.fill(frame, framed * format.channels(), frame.length, (short) 0);
            framed = frameSize;
            encodeFrame();
        }
        long endGranule = parameters.preSkip() + inputFrames * granulePerSample;
        pages.flush(endGranule, true);
        out.flush();
        finished = true;
        return pages.bytesWritten();
    }

    private void encodeFrame() throws IOException {
        int length;
        try {
            length = opus.encode(frame, 0, frameSize, packet, 0, packet.length);
        } catch (OpusException | IllegalArgumentException e) {
            throw new IOException("the Opus encoder failed on frame " + encodedFrames / frameSize, e);
        }
        framed = 0;
        encodedFrames += frameSize;
        // a page is written before the packet that would overfill it, never after the last one: the page that
        // finish() writes always holds at least one packet, so end trimming applies to it
        boolean pageFull = pages.packetsInPage() * EncodingParameters.OPUS_FRAME_MILLIS >= PAGE_MILLIS;
        if (pageFull || !pages.fits(length)) {
            pages.flush(granule, false);
        }
        pages.add(packet, 0, length);
        granule += (long) frameSize * granulePerSample;
    }

    private void writeHeadersOnce() throws IOException {
        if (headersWritten) {
            return;
        }
        byte[] head = new OpusHead(format.channels(), parameters.preSkip(), format.sampleRate(), 0).toBytes();
        pages.add(head, 0, head.length);
        pages.flush(0, false);
        byte[] tags = OpusTags.withVendor(VENDOR);
        pages.add(tags, 0, tags.length);
        pages.flush(0, false);
        headersWritten = true;
    }
}
