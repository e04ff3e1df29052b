package org.consentrecorder.audio;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes one logical Ogg bitstream (RFC 3533) to an output stream: packets are collected into a page until
 * {@link #flush} (or a full lacing table) writes it. Packets never span pages here: a page holds whole packets only, so
 * each page's granule position is that of its last packet, and at most 255 lacing values (about 64 KiB) are buffered.
 */
final class OggPageWriter {

    static final int HEADER_BYTES = 27;
    static final int MAX_SEGMENTS = 255;
    private static final int FLAG_BOS = 0x02;
    private static final int FLAG_EOS = 0x04;

    private final OutputStream out;
    private final int serial;
    private final byte[] lacing = new byte[MAX_SEGMENTS];
    private byte[] body = new byte[4096];
    private int segments;
    private int bodyBytes;
    private int packets;
    private long sequence;
    private long bytesWritten;
    private boolean eosWritten;

    OggPageWriter(OutputStream out, int serial) {
        this.out = out;
        this.serial = serial;
    }

    /** Lacing values a packet of {@code length} bytes needs. */
    static int segmentsFor(int length) {
        return length / 255 + 1;
    }

    /** True if a packet of {@code length} bytes still fits in the page being collected. */
    boolean fits(int length) {
        return segments + segmentsFor(length) <= MAX_SEGMENTS;
    }

    int packetsInPage() {
        return packets;
    }

    int bodyBytesInPage() {
        return bodyBytes;
    }

    /** Adds a whole packet to the page being collected; the caller checked {@link #fits}. */
    void add(byte[] packet, int off, int len) {
        if (!fits(len)) {
            throw new IllegalStateException("packet does not fit in the page");
        }
        if (eosWritten) {
            throw new IllegalStateException("the stream has ended");
        }
        for (int left = len; ; left -= 255) {
            if (left >= 255) {
                lacing[segments++] = (byte) 255;
            } else {
                lacing[segments++] = (byte) left;
                break;
            }
        }
        if (bodyBytes + len > body.length) {
            byte[] bigger = new byte[Math.max(body.length * 2, bodyBytes + len)];
            System.arraycopy(body, 0, bigger, 0, bodyBytes);
            body = bigger;
        }
        System.arraycopy(packet, off, body, bodyBytes, len);
        bodyBytes += len;
        packets++;
    }

    /**
     * Writes the collected packets as one page.
     *
     * @param granule granule position after the last packet on the page
     * @param last    true for the final page of the stream (end of stream flag)
     */
    void flush(long granule, boolean last) throws IOException {
        if (eosWritten) {
            throw new IllegalStateException("the stream has ended");
        }
        if (segments == 0 && !last) {
            return;
        }
        byte[] header = new byte[HEADER_BYTES + segments];
        header[0] = 'O';
        header[1] = 'g';
        header[2] = 'g';
        header[3] = 'S';
        header[4] = 0; // stream structure version
        header[5] = (byte) ((sequence == 0 ? FLAG_BOS : 0) | (last ? FLAG_EOS : 0));
        LittleEndian.putS64(header, 6, granule);
        LittleEndian.putU32(header, 14, serial & 0xffffffffL);
        LittleEndian.putU32(header, 18, sequence);
        // bytes 22..25: checksum, zero while it is computed
        header[26] = (byte) segments;
        System.arraycopy(lacing, 0, header, HEADER_BYTES, segments);
        int crc = OggCrc.update(0, header, 0, header.length);
        crc = OggCrc.update(crc, body, 0, bodyBytes);
        LittleEndian.putU32(header, 22, crc & 0xffffffffL);
        out.write(header);
        out.write(body, 0, bodyBytes);
        bytesWritten += header.length + bodyBytes;
        sequence++;
        segments = 0;
        bodyBytes = 0;
        packets = 0;
        eosWritten = last;
    }

    long bytesWritten() {
        return bytesWritten;
    }

    long pagesWritten() {
        return sequence;
    }
}
