package org.consentrecorder.bench.asterisk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real SIP caller: one SIPp (Debian {@code sip-tester}) UAC call to {@code 100@127.0.0.1:5060},
 * the lab's {@code sipp} endpoint, with PCMA and telephone-event/101, as the captured
 * {@code sipp-call*} fixtures were made. Its digits are RFC 4733 events replayed from SIPp's own
 * pcaps, so they take the path a desk phone's digits take (RTP → chan_pjsip → ChannelDtmfReceived),
 * which the Local-channel callers do not.
 *
 * <p>The scenario is timed, not scripted against events: SIPp cannot wait for an ARI event. Key 1
 * at 1 s (consent; the product takes a digit during its notice), {@code *7} at 4 s (the 7 at
 * 4.4 s), {@code *8} at 6.5 s, BYE at 9 s. The trigger's instant is the callee's {@code ChannelDtmfReceived} for the
 * 7, seen by the benchmark's own subscription, as for the other DTMF figures. No tone follows the
 * trigger here (SIPp replays pcaps, it does not generate tones), so the leak is not measured for
 * these calls; the Local-channel situations measure it.
 */
final class SipCaller {
    static final String PCAPS = "/usr/share/sip-tester";

    private final Path scenario;
    private final Path work;
    private int sequence;

    private SipCaller(Path work, Path scenario) {
        this.work = work;
        this.scenario = scenario;
    }

    /** Null (with the reason printed) when SIPp or its DTMF pcaps are missing. */
    static SipCaller find(Path work) throws IOException {
        if (!Files.isExecutable(Path.of("/usr/bin/sipp"))) {
            System.err.println("bench-asterisk: no /usr/bin/sipp (Debian sip-tester); the SIP situation is skipped");
            return null;
        }
        for (String digit : List.of("1", "7", "8", "star")) {
            if (!Files.isReadable(Path.of(PCAPS, "dtmf_2833_" + digit + ".pcap"))) {
                System.err.println("bench-asterisk: no " + PCAPS + "/dtmf_2833_" + digit + ".pcap; the SIP situation is skipped");
                return null;
            }
        }
        Files.createDirectories(work);
        // SIPp's pcaps share one SSRC and their sequence numbers are not in key order (the * comes
        // after the 7), so replaying "*" then "7" makes Asterisk drop the 7 as an old packet. The
        // digits are therefore rewritten into one stream with rising sequence numbers and timestamps.
        int seq = 20000;
        long ts = 400_000;
        for (List<String> keys : List.of(List.of("1"), List.of("star", "7"), List.of("star", "8"))) {
            Path out = work.resolve("keys-" + String.join("", keys) + ".pcap");
            seq = rewrite(keys, out, seq, ts);
            ts += 80_000;
        }
        Path scenario = work.resolve("bench-uac.xml");
        Files.writeString(scenario, scenarioXml(work));
        return new SipCaller(work, scenario);
    }

    /** Places one call and returns when SIPp has hung up (or after 30 s, killing it). */
    void call(String callerNumber) throws Exception {
        int n = ++sequence;
        Path log = work.resolve("sipp-" + n + ".log");
        Process p = new ProcessBuilder("/usr/bin/sipp", "127.0.0.1:5060", "-sf", scenario.toString(), "-s", "100",
                "-i", "127.0.0.1", "-p", "5070", "-mp", String.valueOf(16000 + 2 * (n % 500)), "-m", "1", "-l", "1",
                "-key", "caller", callerNumber, "-timeout", "30s", "-nostdin")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("SIPp did not finish within 30 s; see " + log);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("SIPp exited with " + p.exitValue() + "; see " + log);
        }
    }

    private static String play(Path work, String keys) {
        return "  <nop><action><exec play_pcap_audio=\"" + work.resolve("keys-" + keys + ".pcap") + "\"/></action></nop>\n";
    }

    /**
     * Concatenates SIPp's one-digit pcaps into {@code out}, 400 ms apart, with RTP sequence numbers
     * from {@code seq} and one RTP timestamp per digit from {@code ts}; returns the next sequence
     * number. The pcaps are Ethernet/IPv4/UDP/RTP (SIPp recomputes the UDP checksum when it sends).
     */
    static int rewrite(List<String> keys, Path out, int seq, long ts) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        long offsetMicros = 0;
        for (int k = 0; k < keys.size(); k++) {
            java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(Files.readAllBytes(Path.of(PCAPS, "dtmf_2833_" + keys.get(k) + ".pcap")))
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            byte[] header = new byte[24];
            in.get(header);
            if (k == 0) {
                bytes.write(header);
            }
            long first = -1;
            while (in.remaining() >= 16) {
                long sec = in.getInt() & 0xffffffffL;
                long usec = in.getInt() & 0xffffffffL;
                int included = in.getInt();
                int original = in.getInt();
                byte[] packet = new byte[included];
                in.get(packet);
                long at = sec * 1_000_000 + usec;
                if (first < 0) {
                    first = at;
                }
                long when = 1_000_000_000L + offsetMicros + (at - first);
                int ipHeader = (packet[14] & 0x0f) * 4;
                int rtp = 14 + ipHeader + 8;
                java.nio.ByteBuffer p = java.nio.ByteBuffer.wrap(packet);
                p.putShort(rtp + 2, (short) seq++);
                p.putInt(rtp + 4, (int) (ts + 8_000L * k));
                java.nio.ByteBuffer record = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                record.putInt((int) (when / 1_000_000)).putInt((int) (when % 1_000_000)).putInt(included).putInt(original);
                bytes.write(record.array());
                bytes.write(packet);
            }
            offsetMicros += 400_000;
        }
        Files.write(out, bytes.toByteArray());
        return seq;
    }

    private static String pause(int ms) {
        return "  <pause milliseconds=\"" + ms + "\"/>\n";
    }

    static String scenarioXml(Path work) {
        return """
                <?xml version="1.0" encoding="ISO-8859-1" ?>
                <scenario name="consent-recorder bench: consent, *7, *8, BYE">
                  <send retrans="500"><![CDATA[
                INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: "Bench SIP" <sip:[caller]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
                To: <sip:[service]@[remote_ip]:[remote_port]>
                Call-ID: [call_id]
                CSeq: 1 INVITE
                Contact: sip:sipp@[local_ip]:[local_port]
                Max-Forwards: 70
                Content-Type: application/sdp
                Content-Length: [len]

                v=0
                o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
                s=-
                c=IN IP[media_ip_type] [media_ip]
                t=0 0
                m=audio [media_port] RTP/AVP 8 101
                a=rtpmap:8 PCMA/8000
                a=rtpmap:101 telephone-event/8000
                a=fmtp:101 0-15
                a=ptime:20
                a=sendrecv
                ]]></send>
                  <recv response="100" optional="true"/>
                  <recv response="180" optional="true"/>
                  <recv response="183" optional="true"/>
                  <recv response="200" rrs="true"/>
                  <send><![CDATA[
                ACK [next_url] SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: "Bench SIP" <sip:[caller]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
                [last_To:]
                [routes]
                Call-ID: [call_id]
                CSeq: 1 ACK
                Contact: sip:sipp@[local_ip]:[local_port]
                Max-Forwards: 70
                Content-Length: 0
                ]]></send>
                """
                + pause(1000) + play(work, "1") + pause(3000) + play(work, "star7") + pause(2500)
                + play(work, "star8") + pause(2500)
                + """
                  <send retrans="500"><![CDATA[
                BYE [next_url] SIP/2.0
                Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                From: "Bench SIP" <sip:[caller]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
                [last_To:]
                [routes]
                Call-ID: [call_id]
                CSeq: 2 BYE
                Contact: sip:sipp@[local_ip]:[local_port]
                Max-Forwards: 70
                Content-Length: 0
                ]]></send>
                  <recv response="200" crlf="true"/>
                </scenario>
                """;
    }
}
