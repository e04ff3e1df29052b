package org.consentrecorder.audio;

import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Decodes an Ogg Opus stream (RFC 7845) back to PCM at the source's sample rate, checking as it goes everything the
 * archive relies on: every page's CRC and sequence, the headers, that each page's granule position equals the
 * samples of the packets before it, that the stream ends with an end-of-stream page whose granule position trims only
 * within that page, and that every packet decodes. The pre-skip is dropped from the start and the end trim applied,
 * so the frames {@link #read} returns are the source's, exactly as many.
 *
 * <p>Reads streams of one or two channels (mapping family 0) whose input sample rate is 8 or 16 kHz, as
 * {@link OggOpusEncoder} writes them. Memory: one page and one decoded packet. Blocking; not thread-safe.
 */
public final class OggOpusDecoder implements PcmSource {

    /** Headers may carry comments; bounded so that a damaged length cannot exhaust memory. */
    private static final int MAX_PACKET_BYTES = 1 << 20;
    /** RFC 7845 section 6: audio packets above this size are not expected (120 ms of 1275-byte frames and more). */
    private static final int MAX_AUDIO_PACKET_BYTES = 61440;

    private final OggPacketReader packets;
    private final OpusHead head;
    private final AudioFormat format;
    private final OpusDecoder opus;
    private final int granulePerSample;
    private final short[] decoded;
    private int decodedFrames;
    private int decodedPos;
    /** Decoded frames still to drop at the start (the pre-skip, at the decoding rate). */
    private long skip;
    /** Total samples of all packets so far, at 48 kHz, as the granule positions count them. */
    private long packetGranule;
    private long lastPageGranule;
    /** Frames the packets before the current one came out as (after pre-skip and end trim). */
    private long outputFrames;
    /** Output frames the stream holds in all, known once the end-of-stream page is read; -1 before. */
    private long totalFrames = -1;
    private long packetCount;
    private boolean ended;

    private OggOpusDecoder(OggPacketReader packets, OpusHead head, AudioFormat format) {
        this.packets = packets;
        this.head = head;
        this.format = format;
        this.granulePerSample = 48000 / format.sampleRate();
        try {
            this.opus = new OpusDecoder(format.sampleRate(), format.channels());
        } catch (OpusException e) {
            throw new IllegalStateException("the Opus decoder refused " + format, e);
        }
        opus.setGain(head.outputGainQ8());
        this.decoded = new short[format.sampleRate() * 120 / 1000 * format.channels()];
        this.skip = head.preSkip() / granulePerSample;
    }

    /**
     * Reads and checks the two header packets.
     *
     * @throws InvalidAudioException if the input is not an Ogg Opus stream this decoder reads
     */
    public static OggOpusDecoder open(InputStream in) throws IOException {
        OggPacketReader packets = new OggPacketReader(Objects.requireNonNull(in, "in"), MAX_PACKET_BYTES);
        OggPacketReader.Packet first = packets.next();
        OpusHead head = OpusHead.parse(first.data(), first.length());
        if (!first.startsPage() || !first.endsPage() || first.endsStream() || first.pageGranule() != 0) {
            throw new InvalidAudioException("the OpusHead header must be alone on the first page, with granule "
                    + "position 0");
        }
        OggPacketReader.Packet second = packets.next();
        if (second == null) {
            throw new InvalidAudioException("the stream ends after its OpusHead header");
        }
        OpusTags.check(second.data(), second.length());
        if (!second.endsPage() || second.endsStream() || second.pageGranule() != 0) {
            throw new InvalidAudioException("the OpusTags header must end its page, with granule position 0, and audio "
                    + "must follow");
        }
        long rate = head.inputSampleRate();
        if (rate != 8000 && rate != 16000) {
            throw new InvalidAudioException("input sample rate " + rate + " Hz; only 8 and 16 kHz streams are read");
        }
        AudioFormat format = new AudioFormat((int) rate, head.channels());
        if (head.preSkip() % (48000 / rate) != 0) {
            throw new InvalidAudioException("pre-skip " + head.preSkip() + " is not a whole number of " + rate
                    + " Hz samples");
        }
        return new OggOpusDecoder(packets, head, format);
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    /** The pre-skip in the stream's OpusHead, in 48 kHz samples. */
    public int preSkip() {
        return head.preSkip();
    }

    @Override
    public int read(short[] pcm, int offset, int maxFrames) throws IOException {
        int channels = format.channels();
        Objects.checkFromIndexSize(offset, maxFrames * channels, pcm.length);
        while (decodedPos == decodedFrames) {
            if (ended || !decodeNextPacket()) {
                return -1;
            }
        }
        int n = Math.min(maxFrames, decodedFrames - decodedPos);
        System.arraycopy(decoded, decodedPos * channels, pcm, offset, n * channels);
        decodedPos += n;
        return n;
    }

    /**
     * Decodes whatever is left and checks the end of the stream.
     *
     * @return frames of the decoded audio in all, at the source's sample rate
     */
    public long finish() throws IOException {
        while (!ended) {
            decodeNextPacket();
        }
        decodedPos = decodedFrames;
        return totalFrames;
    }

    /** Audio packets read so far. */
    public long packets() {
        return packetCount;
    }

    /** Bytes of the stream read so far. */
    public long bytesRead() {
        return packets.position();
    }

    private boolean decodeNextPacket() throws IOException {
        outputFrames += decodedFrames; // the previous packet's frames, read or skipped by finish()
        decodedPos = 0;
        decodedFrames = 0;
        OggPacketReader.Packet packet = packets.next();
        if (packet == null) {
            ended = true;
            return false;
        }
        packetCount++;
        if (packet.length() == 0 || packet.length() > MAX_AUDIO_PACKET_BYTES) {
            throw new InvalidAudioException("audio packet " + packetCount + " on page " + packet.pageSequence()
                    + " has " + packet.length() + " bytes");
        }
        if (packet.onLastPage() && totalFrames < 0) {
            totalFrames = trimmedLength(packet.pageGranule(), packet.pageSequence());
        }
        int frames;
        try {
            frames = opus.decode(packet.data(), 0, packet.length(), decoded, 0, decoded.length / format.channels(),
                    false);
        } catch (OpusException | RuntimeException e) {
            throw new InvalidAudioException("audio packet " + packetCount + " on page " + packet.pageSequence()
                    + " does not decode", e);
        }
        packetGranule += (long) frames * granulePerSample;
        if (packet.endsPage()) {
            checkGranule(packet);
        }
        int start = (int) Math.min(skip, frames);
        skip -= start;
        int end = frames;
        if (totalFrames >= 0) {
            // on the end-of-stream page: nothing beyond the trimmed length comes out
            long allowed = totalFrames - outputFrames;
            end = (int) Math.max(start, Math.min(end, start + allowed));
        }
        if (start > 0) {
            System.arraycopy(decoded, start * format.channels(), decoded, 0, (end - start) * format.channels());
        }
        decodedFrames = end - start;
        if (packet.endsStream()) {
            ended = true;
            if (packets.next() != null) {
                throw new IllegalStateException("a packet after the end of stream");
            }
            if (skip > 0 || outputFrames + decodedFrames != totalFrames) {
                throw new InvalidAudioException("the stream decodes to " + (outputFrames + decodedFrames)
                        + " frames, its last granule position says " + totalFrames);
            }
        }
        return true;
    }

    /** Frames the stream holds according to its last page's granule position, checked against the earlier pages. */
    private long trimmedLength(long granule, long pageSequence) throws InvalidAudioException {
        // the end-of-stream page may trim its own packets' samples (RFC 7845 section 4.4), not earlier pages'
        if (granule < lastPageGranule || granule < head.preSkip()) {
            throw new InvalidAudioException("the last page (" + pageSequence + ") has granule position " + granule
                    + ", before the end of the page before it (" + lastPageGranule + ") or the pre-skip ("
                    + head.preSkip() + ")");
        }
        if ((granule - head.preSkip()) % granulePerSample != 0) {
            throw new InvalidAudioException("the last granule position " + granule + " does not end on a whole "
                    + format.sampleRate() + " Hz sample");
        }
        return (granule - head.preSkip()) / granulePerSample;
    }

    private void checkGranule(OggPacketReader.Packet packet) throws InvalidAudioException {
        long granule = packet.pageGranule();
        if (packet.onLastPage() ? granule > packetGranule : granule != packetGranule) {
            throw new InvalidAudioException("page " + packet.pageSequence() + " has granule position " + granule
                    + ", but the packets up to its end hold " + packetGranule + " samples");
        }
        lastPageGranule = granule;
    }
}
