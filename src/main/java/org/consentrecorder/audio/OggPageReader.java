package org.consentrecorder.audio;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads the pages of one logical Ogg bitstream (RFC 3533) and checks each as it comes: capture pattern, version,
 * flags, CRC, and across pages one serial number, a first page that begins the stream and no other, page sequence
 * numbers without a gap, an end-of-stream page that is the last thing in the input. There is no resynchronisation:
 * the archive reads only streams it wrote itself, and any damage is a reason to refuse, not to skip ahead.
 */
final class OggPageReader {

    private static final int FLAG_CONTINUED = 0x01;
    private static final int FLAG_BOS = 0x02;
    private static final int FLAG_EOS = 0x04;

    /** One page, checked. {@code lacing} has one value per segment; {@code body} their concatenation. */
    record Page(long offset, long sequence, int flags, long granule, byte[] lacing, byte[] body) {
        boolean continued() {
            return (flags & FLAG_CONTINUED) != 0;
        }

        boolean endOfStream() {
            return (flags & FLAG_EOS) != 0;
        }
    }

    private final InputStream in;
    private final byte[] header = new byte[OggPageWriter.HEADER_BYTES];
    private long position;
    private long serial = -1;
    private long lastSequence = -1;
    private boolean ended;

    OggPageReader(InputStream in) {
        this.in = in;
    }

    /** Bytes read so far. */
    long position() {
        return position;
    }

    /**
     * The next page, or null after the end-of-stream page once the input is confirmed to end there.
     *
     * @throws InvalidAudioException for a damaged, truncated or foreign page, a missing end-of-stream page, or bytes
     *                               after it
     */
    Page next() throws IOException {
        long offset = position;
        int got = readUpTo(header, 0, header.length);
        if (ended) {
            if (got > 0) {
                throw new InvalidAudioException("data after the end-of-stream page, at byte " + offset);
            }
            return null;
        }
        if (got == 0) {
            throw new InvalidAudioException("the stream ends at byte " + offset + " without an end-of-stream page: "
                    + "truncated");
        }
        if (got < header.length) {
            throw new InvalidAudioException("truncated page header at byte " + offset);
        }
        if (header[0] != 'O' || header[1] != 'g' || header[2] != 'g' || header[3] != 'S') {
            throw new InvalidAudioException("no Ogg page at byte " + offset);
        }
        if (header[4] != 0) {
            throw new InvalidAudioException("page at byte " + offset + ": unknown Ogg version " + (header[4] & 0xff));
        }
        int flags = header[5] & 0xff;
        if ((flags & ~(FLAG_CONTINUED | FLAG_BOS | FLAG_EOS)) != 0) {
            throw new InvalidAudioException("page at byte " + offset + ": unknown header flags 0x"
                    + Integer.toHexString(flags));
        }
        long granule = LittleEndian.s64(header, 6);
        long pageSerial = LittleEndian.u32(header, 14);
        long sequence = LittleEndian.u32(header, 18);
        long storedCrc = LittleEndian.u32(header, 22);
        int segments = header[26] & 0xff;
        byte[] lacing = new byte[segments];
        if (readUpTo(lacing, 0, segments) < segments) {
            throw new InvalidAudioException("truncated page at byte " + offset);
        }
        int bodyLength = 0;
        for (byte l : lacing) {
            bodyLength += l & 0xff;
        }
        byte[] body = new byte[bodyLength];
        if (readUpTo(body, 0, bodyLength) < bodyLength) {
            throw new InvalidAudioException("truncated page at byte " + offset + ": its body ends early");
        }
        header[22] = header[23] = header[24] = header[25] = 0;
        int crc = OggCrc.update(0, header, 0, header.length);
        crc = OggCrc.update(crc, lacing, 0, lacing.length);
        crc = OggCrc.update(crc, body, 0, body.length);
        if ((crc & 0xffffffffL) != storedCrc) {
            throw new InvalidAudioException("page " + sequence + " at byte " + offset + " fails its CRC check: "
                    + "the stream is damaged");
        }
        boolean first = serial < 0;
        if (first != ((flags & FLAG_BOS) != 0)) {
            throw new InvalidAudioException("page " + sequence + " at byte " + offset + (first
                    ? " is the first but does not begin a stream" : " begins a second stream (chained or multiplexed "
                    + "streams are not read)"));
        }
        if (!first && pageSerial != serial) {
            throw new InvalidAudioException("page " + sequence + " at byte " + offset + " belongs to another stream");
        }
        if (!first && sequence != lastSequence + 1) {
            throw new InvalidAudioException("page sequence jumps from " + lastSequence + " to " + sequence
                    + " at byte " + offset + ": pages are missing");
        }
        serial = pageSerial;
        lastSequence = sequence;
        ended = (flags & FLAG_EOS) != 0;
        return new Page(offset, sequence, flags, granule, lacing, body);
    }

    private int readUpTo(byte[] b, int off, int len) throws IOException {
        int total = 0;
        while (total < len) {
            int n = in.read(b, off + total, len - total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        position += total;
        return total;
    }
}
