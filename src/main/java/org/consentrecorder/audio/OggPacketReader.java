package org.consentrecorder.audio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;

/**
 * Packets of one logical Ogg bitstream, reassembled from the pages' lacing values, with the page facts a codec mapping
 * needs to check timing: whether a packet is the last one completed on its page, that page's granule position, and
 * whether the page ends the stream. A page is read whole before its packets are handed out.
 */
final class OggPacketReader {

    /** Marks a page on which no packet completes (RFC 3533: granule position -1). */
    static final long NO_GRANULE = -1;

    /**
     * A complete packet.
     *
     * @param endsPage    true if no later packet completes on the same page
     * @param pageGranule granule position of the page the packet completes on
     * @param endsStream  true if this is the last packet of the stream
     * @param pageSequence sequence number of the page the packet completes on
     * @param startsPage  true if the packet begins on the page it completes on, as its first packet
     * @param onLastPage  true if the packet completes on the end-of-stream page
     */
    record Packet(byte[] data, boolean endsPage, long pageGranule, boolean endsStream, long pageSequence,
            boolean startsPage, boolean onLastPage) {
        int length() {
            return data.length;
        }
    }

    private final OggPageReader pages;
    private final int maxPacketBytes;
    private final ArrayDeque<Packet> ready = new ArrayDeque<>();
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private boolean partialOpen;
    private boolean streamEnded;

    OggPacketReader(InputStream in, int maxPacketBytes) {
        this.pages = new OggPageReader(in);
        this.maxPacketBytes = maxPacketBytes;
    }

    long position() {
        return pages.position();
    }

    /** The next packet, or null after the last one (once the input is confirmed to end with its page). */
    Packet next() throws IOException {
        while (ready.isEmpty()) {
            if (streamEnded) {
                if (pages.next() != null) {
                    throw new IllegalStateException("page after the end of stream");
                }
                return null;
            }
            readPage();
        }
        return ready.poll();
    }

    private void readPage() throws IOException {
        OggPageReader.Page page = pages.next();
        if (page.continued() != partialOpen) {
            throw new InvalidAudioException("page " + page.sequence() + " at byte " + page.offset() + (partialOpen
                    ? " does not continue the packet the previous page left open"
                    : " claims to continue a packet, but none is open"));
        }
        byte[] lacing = page.lacing();
        byte[] body = page.body();
        int bodyPos = 0;
        int packetStart = 0;
        int completed = 0;
        int lastCompleting = -1;
        for (int i = 0; i < lacing.length; i++) {
            if ((lacing[i] & 0xff) < 255) {
                lastCompleting = i;
            }
        }
        for (int i = 0; i < lacing.length; i++) {
            int l = lacing[i] & 0xff;
            bodyPos += l;
            if (l < 255) {
                int len = bodyPos - packetStart;
                if (partial.size() + len > maxPacketBytes) {
                    throw tooLong(page);
                }
                partial.write(body, packetStart, len);
                boolean startsPage = completed == 0 && !page.continued();
                boolean endsPage = i == lastCompleting;
                ready.add(new Packet(partial.toByteArray(), endsPage, page.granule(),
                        endsPage && page.endOfStream(), page.sequence(), startsPage, page.endOfStream()));
                partial.reset();
                packetStart = bodyPos;
                completed++;
            }
        }
        int rest = bodyPos - packetStart;
        partialOpen = lacing.length > 0 && (lacing[lacing.length - 1] & 0xff) == 255;
        if (partialOpen) {
            if (partial.size() + rest > maxPacketBytes) {
                throw tooLong(page);
            }
            partial.write(body, packetStart, rest);
        }
        if (completed == 0 && page.granule() != NO_GRANULE) {
            throw new InvalidAudioException("page " + page.sequence() + " completes no packet but has granule "
                    + "position " + page.granule());
        }
        if (page.endOfStream()) {
            if (partialOpen) {
                throw new InvalidAudioException("the end-of-stream page " + page.sequence() + " leaves a packet "
                        + "unfinished");
            }
            if (completed == 0) {
                throw new InvalidAudioException("the end-of-stream page " + page.sequence() + " holds no packet");
            }
            streamEnded = true;
        }
        if (lacing.length == 0 && !page.endOfStream()) {
            throw new InvalidAudioException("page " + page.sequence() + " at byte " + page.offset() + " is empty");
        }
    }

    private static InvalidAudioException tooLong(OggPageReader.Page page) {
        return new InvalidAudioException("a packet on page " + page.sequence() + " is longer than this codec allows");
    }
}
