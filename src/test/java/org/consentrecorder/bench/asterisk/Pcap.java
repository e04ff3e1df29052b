package org.consentrecorder.bench.asterisk;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Reads a classic pcap file (what {@code tcpdump -w} writes) as TCP segments that carry data, each with the
 * kernel's timestamp. Only what a loopback capture of ARI holds: Ethernet (Linux's {@code lo}), Linux cooked
 * (SLL, SLL2) and BSD null link layers, IPv4 and IPv6 without extension headers. Everything else is skipped,
 * not guessed at. A payload may be cut short by the capture's snap length; {@link Segment#truncated} says so.
 */
final class Pcap {
    /** One TCP segment with data. epochNanos: when the kernel saw it (wall clock). */
    record Segment(long epochNanos, int sourcePort, int destinationPort, byte[] payload, boolean truncated) {
    }

    static final int LINK_NULL = 0;
    static final int LINK_ETHERNET = 1;
    static final int LINK_LINUX_SLL = 113;
    static final int LINK_LINUX_SLL2 = 276;

    private Pcap() {
    }

    static void read(Path file, Consumer<Segment> each) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            read(in, each);
        }
    }

    static void read(InputStream raw, Consumer<Segment> each) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        byte[] header = new byte[24];
        in.readFully(header);
        ByteOrder order;
        boolean nanos;
        switch (ByteBuffer.wrap(header, 0, 4).order(ByteOrder.BIG_ENDIAN).getInt()) {
            case 0xa1b2c3d4 -> { order = ByteOrder.BIG_ENDIAN; nanos = false; }
            case 0xd4c3b2a1 -> { order = ByteOrder.LITTLE_ENDIAN; nanos = false; }
            case 0xa1b23c4d -> { order = ByteOrder.BIG_ENDIAN; nanos = true; }
            case 0x4d3cb2a1 -> { order = ByteOrder.LITTLE_ENDIAN; nanos = true; }
            default -> throw new IOException("not a pcap file (pcapng is not read here; tcpdump -w writes pcap)");
        }
        int link = ByteBuffer.wrap(header, 20, 4).order(order).getInt() & 0x0fffffff;
        byte[] record = new byte[16];
        while (true) {
            try {
                in.readFully(record);
            } catch (EOFException end) {
                return;
            }
            ByteBuffer r = ByteBuffer.wrap(record).order(order);
            long seconds = r.getInt() & 0xffffffffL;
            long fraction = r.getInt() & 0xffffffffL;
            int captured = r.getInt();
            int original = r.getInt();
            if (captured < 0 || captured > 1 << 20) {
                throw new IOException("pcap record of " + captured + " bytes: the file is damaged");
            }
            byte[] frame = new byte[captured];
            try {
                in.readFully(frame);
            } catch (EOFException cut) {
                // tcpdump killed mid-write: the last record is incomplete, the rest stands
                return;
            }
            long at = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1000);
            Segment s = segment(at, link, frame, captured < original);
            if (s != null) {
                each.accept(s);
            }
        }
    }

    /** The TCP segment in one captured frame, or null when it is not TCP with data. */
    static Segment segment(long at, int link, byte[] f, boolean cut) {
        int ip;
        int ethertype;
        switch (link) {
            case LINK_ETHERNET -> { ip = 14; ethertype = u16(f, 12); }
            case LINK_LINUX_SLL -> { ip = 16; ethertype = u16(f, 14); }
            case LINK_LINUX_SLL2 -> { ip = 20; ethertype = u16(f, 0); }
            case LINK_NULL -> {
                if (f.length < 4) {
                    return null;
                }
                int family = f[0] == 0 ? f[3] : f[0]; // host order of the writer
                ip = 4;
                ethertype = family == 2 ? 0x0800 : (family == 24 || family == 28 || family == 30) ? 0x86dd : -1;
            }
            default -> { return null; }
        }
        if (ethertype < 0 || f.length < ip + 20) {
            return null;
        }
        int tcp;
        int end;
        if (ethertype == 0x0800 && (f[ip] >> 4 & 0xf) == 4) {
            if ((f[ip + 9] & 0xff) != 6) {
                return null;
            }
            tcp = ip + (f[ip] & 0xf) * 4;
            end = ip + u16(f, ip + 2);
        } else if (ethertype == 0x86dd && f.length >= ip + 40 && (f[ip] >> 4 & 0xf) == 6) {
            if ((f[ip + 6] & 0xff) != 6) {
                return null;
            }
            tcp = ip + 40;
            end = tcp + u16(f, ip + 4);
        } else {
            return null;
        }
        if (f.length < tcp + 20) {
            return null;
        }
        int data = tcp + ((f[tcp + 12] >> 4) & 0xf) * 4;
        // a frame padded beyond the IP length (Ethernet minimum) keeps only what IP says is there
        int stop = Math.min(f.length, end);
        if (data >= stop) {
            return null;
        }
        return new Segment(at, u16(f, tcp), u16(f, tcp + 2), Arrays.copyOfRange(f, data, stop), cut || end > f.length);
    }

    private static int u16(byte[] b, int at) {
        return at + 1 < b.length ? (b[at] & 0xff) << 8 | (b[at + 1] & 0xff) : -1;
    }
}
