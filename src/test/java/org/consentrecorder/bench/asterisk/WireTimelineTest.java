package org.consentrecorder.bench.asterisk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wire witness reads a pcap as tcpdump writes it and finds each pause's three moments, or none. */
class WireTimelineTest {
    private static final int ARI = 8088;
    /** A base instant in epoch nanoseconds; the cases place segments at milliseconds after it. */
    private static final long T0 = 1_795_825_000_000_000_000L;

    /** A pcap file, built the way tcpdump writes one from Linux's lo (Ethernet frames). */
    static final class PcapFile {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteOrder order;
        private final boolean nanos;

        PcapFile(ByteOrder order, boolean nanos, int link) {
            this.order = order;
            this.nanos = nanos;
            ByteBuffer h = ByteBuffer.allocate(24).order(order);
            h.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                    .putInt(65535).putInt(link);
            out.writeBytes(h.array());
        }

        PcapFile tcp4(long atNanos, int from, int to, String payload) {
            return frame(atNanos, ethernet(0x0800, ipv4(6, tcp(from, to, payload.getBytes(StandardCharsets.ISO_8859_1)))), 0);
        }

        PcapFile frame(long atNanos, byte[] frame, int cutTo) {
            byte[] captured = cutTo > 0 ? java.util.Arrays.copyOf(frame, cutTo) : frame;
            ByteBuffer r = ByteBuffer.allocate(16).order(order);
            r.putInt((int) (atNanos / 1_000_000_000L));
            long fraction = atNanos % 1_000_000_000L;
            r.putInt((int) (nanos ? fraction : fraction / 1000)).putInt(captured.length).putInt(frame.length);
            out.writeBytes(r.array());
            out.writeBytes(captured);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        static byte[] tcp(int from, int to, byte[] payload) {
            ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
            b.putShort((short) from).putShort((short) to).putInt(1).putInt(1).put((byte) 0x50).put((byte) 0x18)
                    .putShort((short) 65535).putShort((short) 0).putShort((short) 0).put(payload);
            return b.array();
        }

        static byte[] ipv4(int protocol, byte[] body) {
            ByteBuffer b = ByteBuffer.allocate(20 + body.length);
            b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + body.length)).putInt(0).put((byte) 64)
                    .put((byte) protocol).putShort((short) 0).putInt(0x7f000001).putInt(0x7f000001).put(body);
            return b.array();
        }

        static byte[] ipv6(int next, byte[] body) {
            ByteBuffer b = ByteBuffer.allocate(40 + body.length);
            b.putInt(0x60000000).putShort((short) body.length).put((byte) next).put((byte) 64);
            b.put(new byte[32]).put(body);
            return b.array();
        }

        static byte[] ethernet(int type, byte[] body) {
            ByteBuffer b = ByteBuffer.allocate(14 + body.length);
            b.put(new byte[12]).putShort((short) type).put(body);
            return b.array();
        }
    }

    private static long at(double ms) {
        return T0 + (long) (ms * 1_000_000);
    }

    private static Instant instant(double ms) {
        long n = at(ms);
        return Instant.ofEpochSecond(n / 1_000_000_000L, n % 1_000_000_000L);
    }

    private static List<Pcap.Segment> read(byte[] pcap) throws IOException {
        List<Pcap.Segment> out = new ArrayList<>();
        Pcap.read(new ByteArrayInputStream(pcap), out::add);
        return out;
    }

    @Test
    void readsTcpSegmentsWithTheirKernelTimestampsAndSkipsTheRest() throws IOException {
        PcapFile f = new PcapFile(ByteOrder.LITTLE_ENDIAN, false, Pcap.LINK_ETHERNET);
        f.tcp4(at(1.5), 40000, ARI, "GET /ari/asterisk/info HTTP/1.1\r\n\r\n");
        f.frame(at(2), PcapFile.ethernet(0x0800, PcapFile.ipv4(17, new byte[12])), 0); // UDP: not ours
        f.frame(at(3), PcapFile.ethernet(0x0800, PcapFile.ipv4(6, PcapFile.tcp(ARI, 40000, new byte[0]))), 0); // a bare ACK
        f.frame(at(4), PcapFile.ethernet(0x86dd, PcapFile.ipv6(6, PcapFile.tcp(ARI, 40001, "HTTP/1.1 204 No Content\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1)))), 0);
        byte[] big = PcapFile.ethernet(0x0800, PcapFile.ipv4(6, PcapFile.tcp(ARI, 40000, new byte[3000])));
        f.frame(at(5), big, 100); // cut by the snap length
        byte[] whole = f.bytes();
        // tcpdump killed mid-record: the incomplete last record is dropped, the rest stands
        byte[] damaged = java.util.Arrays.copyOf(whole, whole.length - 10);

        List<Pcap.Segment> s = read(damaged);
        assertEquals(2, s.size());
        assertEquals(at(1.5), s.get(0).epochNanos()); // microsecond resolution holds 1.5 ms exactly
        assertEquals(40000, s.get(0).sourcePort());
        assertEquals(ARI, s.get(0).destinationPort());
        assertTrue(new String(s.get(0).payload(), StandardCharsets.ISO_8859_1).startsWith("GET /ari/asterisk/info"));
        assertFalse(s.get(0).truncated());
        assertEquals(40001, s.get(1).destinationPort(), "IPv6 is read too");

        List<Pcap.Segment> all = read(whole);
        assertEquals(3, all.size());
        assertTrue(all.get(2).truncated());
        assertEquals(100 - 14 - 20 - 20, all.get(2).payload().length);
    }

    @Test
    void readsNanosecondBigEndianFilesAndRefusesWhatIsNotPcap() throws IOException {
        PcapFile f = new PcapFile(ByteOrder.BIG_ENDIAN, true, Pcap.LINK_ETHERNET);
        f.tcp4(T0 + 123, ARI, 40000, "x");
        List<Pcap.Segment> s = read(f.bytes());
        assertEquals(T0 + 123, s.get(0).epochNanos());
        assertArrayEquals(new byte[] {'x'}, s.get(0).payload());
        // pcapng's section header block starts 0x0a0d0d0a
        byte[] pcapng = {0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 28, 0x1a, 0x2b, 0x3c, 0x4d, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        IOException e = assertThrows(IOException.class, () -> read(pcapng));
        assertTrue(e.getMessage().contains("pcap"));
    }

    /** A user-event pause: the instrument raises it on one connection, the subject pauses on another. */
    @Test
    void findsAUserEventPauseFromTheTriggersAnswerToThePausesAnswer(@TempDir Path dir) throws IOException {
        PcapFile f = new PcapFile(ByteOrder.LITTLE_ENDIAN, false, Pcap.LINK_ETHERNET);
        int instrument = 41000;
        int poller = 41001;
        int subject = 42000;
        // an earlier pause of the same recording (its previous segment) is not this trigger's
        f.tcp4(at(-900), subject, ARI, "POST /ari/recordings/live/cr-a/pause HTTP/1.1\r\nHost: x\r\n\r\n");
        f.tcp4(at(-899.9), ARI, subject, "HTTP/1.1 204 No Content\r\n\r\n");
        f.tcp4(at(0), instrument, ARI,
                "POST /ari/events/user/PaymentStart?application=consent-recorder&source=channel%3Abench-1-2 HTTP/1.1\r\n\r\n");
        // Asterisk sends the event to the subject's socket before it answers the POST, then to the instrument's
        String event = "{\"type\":\"ChannelUserevent\",\"timestamp\":\"t\",\"eventname\":\"PaymentStart\","
                + "\"userevent\":{\"eventname\":\"PaymentStart\"},\"channel\":{\"id\":\"bench-1-2\",\"name\":\"Local/100@incoming-1;2\","
                + "\"dialplan\":{\"app_data\":\"consent-recorder,inbound\"}},\"asterisk_id\":\"x\",\"application\":\"consent-recorder\"}";
        f.tcp4(at(0.3), ARI, subject + 2, new String(ws(event), StandardCharsets.ISO_8859_1));
        f.tcp4(at(0.4), ARI, instrument, "HTTP/1.1 204 No Content\r\n\r\n");
        f.tcp4(at(0.45), ARI, instrument + 2,
                new String(ws(event.replace("\"application\":\"consent-recorder\"", "\"application\":\"caller-sim\"")),
                        StandardCharsets.ISO_8859_1));
        f.tcp4(at(0.5), poller, ARI, "GET /ari/recordings/live/cr-a HTTP/1.1\r\n\r\n");
        f.tcp4(at(0.6), ARI, poller, "HTTP/1.1 200 OK\r\n\r\n{\"state\":\"recording\"}");
        // another call's pause, in between, on the subject's second connection
        f.tcp4(at(1.0), subject + 1, ARI, "POST /ari/recordings/live/cr-b/pause HTTP/1.1\r\n\r\n");
        f.tcp4(at(2.4), subject, ARI, "POST /ari/recordings/live/cr-a/pause HTTP/1.1\r\n\r\n");
        f.tcp4(at(2.5), ARI, subject + 1, "HTTP/1.1 204 No Content\r\n\r\n");
        f.tcp4(at(2.6), ARI, subject, "HTTP/1.1 204 No Content\r\n\r\n");
        Path file = dir.resolve("cap.pcap");
        Files.write(file, f.bytes());

        WireTimeline t = WireTimeline.read(file, ARI);
        // the benchmark stamped the trigger 3 ms after it left Asterisk (its JVM was busy)
        WireTimeline.Wire w = t.pause("user event", "bench-1-2", "cr-a", instant(3.0)).orElseThrow();
        assertEquals(2.2, w.latencyMs(), 1e-6);
        assertEquals(2.0, w.subjectMs(), 1e-6);
        assertEquals(0.2, w.asteriskMs(), 1e-6);
        assertTrue(w.split());
        assertEquals(-0.1, w.deliveredMs(), 1e-6, "the subject's frame left before the POST's answer");
        assertEquals(2.1, w.reactionMs(), 1e-6, "the subject's frame until its pause request");

        assertTrue(t.pause("user event", "bench-9-2", "cr-a", instant(3.0)).isEmpty(), "another call's trigger");
        // answers pair with requests by connection, not by order on the wire
        assertEquals(2.1, t.pause("user event", "bench-1-2", "cr-b", instant(3.0)).orElseThrow().latencyMs(), 1e-6);
        assertTrue(t.pause("user event", "bench-1-2", "cr-a", instant(1500)).isEmpty(), "no trigger within a second before");
        assertTrue(t.pause("user event", null, "cr-a", instant(3.0)).isEmpty());
    }

    /** Asterisk sends the digit to each subscribed application; the first frame is the trigger. */
    @Test
    void findsADtmfPauseFromTheFirstFrameOfTheDigit() {
        String star = "{\"type\":\"ChannelDtmfReceived\",\"timestamp\":\"t\",\"digit\":\"*\",\"duration_ms\":100,"
                + "\"channel\":{\"id\":\"bench-7-2\",\"name\":\"Local/100@incoming-00000001;2\"},\"application\":\"caller-sim\"}";
        String seven = star.replace("\"digit\":\"*\"", "\"digit\":\"7\"");
        String otherCall = seven.replace("bench-7-2", "bench-8-2");
        List<Pcap.Segment> s = new ArrayList<>();
        s.add(new Pcap.Segment(at(-110), 50000, ARI, "GET /ari/events?app=caller-sim HTTP/1.1\r\n\r\n".getBytes(), false));
        s.add(new Pcap.Segment(at(-109), ARI, 50000, "HTTP/1.1 101 Switching Protocols\r\n\r\n".getBytes(), false));
        s.add(new Pcap.Segment(at(-100), ARI, 50000, ws(star), false));
        // to the subject's socket first, then (coalesced with another call's digit) to the instrument's
        s.add(new Pcap.Segment(at(0), ARI, 51000, ws(toSubject(seven)), false));
        s.add(new Pcap.Segment(at(0.3), ARI, 50000, concat(ws(otherCall), ws(seven)), false));
        s.add(new Pcap.Segment(at(0.4), ARI, 51000, concat(ws(toSubject(otherCall)), ws(toSubject(star))), false));
        s.add(new Pcap.Segment(at(1.9), 52000, ARI, "POST /ari/recordings/live/ref-7/pause HTTP/1.1\r\n\r\n".getBytes(), false));
        s.add(new Pcap.Segment(at(2.0), ARI, 52000, "HTTP/1.1 204 No Content\r\n\r\n".getBytes(), false));
        s.add(new Pcap.Segment(at(2.4), 52001, ARI, "POST /ari/recordings/live/ref-8/pause HTTP/1.1\r\n\r\n".getBytes(), false));
        s.add(new Pcap.Segment(at(2.5), ARI, 52001, "HTTP/1.1 204 No Content\r\n\r\n".getBytes(), false));
        WireTimeline t = WireTimeline.of(s, ARI);

        WireTimeline.Wire w = t.pause("dtmf", "bench-7-2", "ref-7", instant(0.6)).orElseThrow();
        assertEquals(2.0, w.latencyMs(), 1e-6);
        assertEquals(1.9, w.subjectMs(), 1e-6);
        assertEquals(0.0, w.deliveredMs(), 1e-6, "the subject's frame was the first");
        assertEquals(1.9, w.reactionMs(), 1e-6);
        WireTimeline.Wire other = t.pause("dtmf (SIP)", "bench-8-2", "ref-8", instant(0.6)).orElseThrow();
        assertEquals(2.2, other.latencyMs(), 1e-6, "the coalesced frame's second event counts too");
        assertEquals(0.1, other.deliveredMs(), 1e-6, "the subject's frame came after the instrument's");
        assertEquals(2.0, other.reactionMs(), 1e-6);
        assertTrue(t.pause("dtmf", "bench-7-2", "ref-7", instant(-99)).isEmpty(), "a * is not the trigger");
    }

    /** A frame cut before its "application" is no application's: the pause is found, its split is not. */
    @Test
    void aSubjectsFrameCutBeforeItsApplicationLeavesThePauseUnsplit() {
        String seven = "{\"type\":\"ChannelDtmfReceived\",\"digit\":\"7\",\"channel\":{\"id\":\"bench-7-2\"},"
                + "\"application\":\"caller-sim\"}";
        byte[] cut = java.util.Arrays.copyOf(ws(toSubject(seven)), 80); // cut after the channel, in "application"
        List<Pcap.Segment> s = List.of(
                new Pcap.Segment(at(0), ARI, 50000, ws(seven), false),
                new Pcap.Segment(at(0.2), ARI, 51000, cut, true),
                new Pcap.Segment(at(1), 52000, ARI, "POST /ari/recordings/live/ref-7/pause HTTP/1.1\r\n\r\n".getBytes(), false),
                new Pcap.Segment(at(1.1), ARI, 52000, "HTTP/1.1 204 No Content\r\n\r\n".getBytes(), false));
        WireTimeline.Wire w = WireTimeline.of(s, ARI).pause("dtmf", "bench-7-2", "ref-7", instant(0.5)).orElseThrow();
        assertEquals(1.1, w.latencyMs(), 1e-6);
        assertFalse(w.split());
        assertTrue(Double.isNaN(w.reactionMs()));
    }

    @Test
    void aFrameCutShortIsNotGuessedAt() {
        String seven = "{\"type\":\"ChannelDtmfReceived\",\"digit\":\"7\",\"channel\":{\"id\":\"bench-7-2\"}}";
        byte[] cut = java.util.Arrays.copyOf(ws(seven), 40);
        List<Pcap.Segment> s = List.of(
                new Pcap.Segment(at(0), ARI, 50000, cut, true),
                new Pcap.Segment(at(1), 52000, ARI, "POST /ari/recordings/live/ref-7/pause HTTP/1.1\r\n\r\n".getBytes(), false),
                new Pcap.Segment(at(1.1), ARI, 52000, "HTTP/1.1 204 No Content\r\n\r\n".getBytes(), false));
        WireTimeline t = WireTimeline.of(s, ARI);
        assertTrue(t.pause("dtmf", "bench-7-2", "ref-7", instant(0.5)).isEmpty());
        assertEquals(1, t.truncated());
        assertEquals(3, t.segments());
    }

    @Test
    void indexesOnlyTheRequestsTheFiguresNeed() {
        assertEquals("pause:cr-a b", WireTimeline.keyOf("/ari/recordings/live/cr-a%20b/pause"));
        assertEquals("pause:cr-a", WireTimeline.keyOf("/ari/recordings/live/cr-a/pause?x=1"));
        assertEquals("event:PaymentStart:1795538484.55",
                WireTimeline.keyOf("/ari/events/user/PaymentStart?source=channel%3A1795538484.55&application=a"));
        assertNull(WireTimeline.keyOf("/ari/recordings/live/cr-a/unpause"));
        assertNull(WireTimeline.keyOf("/ari/events/user/PaymentStart?source=bridge%3Ab1"));
        assertNull(WireTimeline.keyOf("/ari/recordings/live/cr-a"));
    }

    /** A server-to-client WebSocket text frame (unmasked), as Asterisk writes one. */
    private static byte[] ws(String json) {
        byte[] p = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + p.length);
        b.put((byte) 0x81).put((byte) 126).putShort((short) p.length).put(p);
        return b.array();
    }

    /** The same event as Asterisk sends it to the subject's application. */
    private static String toSubject(String event) {
        return event.replace("\"application\":\"caller-sim\"", "\"application\":\"consent-recorder\"");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
