package org.consentrecorder.bench.asterisk;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Each pause as the loopback saw it, kernel-stamped, with neither the benchmark's JVM nor the subject's in the
 * measurement: the trigger leaving Asterisk (its answer to {@code POST /events/user/PaymentStart}, or its
 * {@code ChannelDtmfReceived} frame), the subject's {@code POST /recordings/live/{name}/pause} arriving, and
 * Asterisk's answer to it leaving. Asterisk marks the recording paused before it answers
 * (res_stasis_recording.c), so that answer bounds the pause from above.
 *
 * <p>Why it exists: the poll's figure is the issue's, but on 2026-11-28 a capture showed Asterisk answering
 * every poll within 0.1 ms while the benchmark's JVM sent the next poll, or read its answer, up to 23 ms
 * late when the product had the machine busy. The poll measured its own queueing there; this does not.
 *
 * <p>Reads what Asterisk 22 writes: one JSON event per WebSocket frame, {@code "type"} first and the channel
 * object's {@code "id"} first (the captures of ../shared/ari-fixtures and of 2026-11-28 agree). A frame cut
 * by the snap length or split across segments is not read; such a pause counts as not found, never guessed.
 */
final class WireTimeline {
    /**
     * One pause on the wire, from the trigger leaving Asterisk. deliveredMs splits the subject's part: the trigger
     * until Asterisk sent the subject its event frame (Asterisk's dispatch; for a user event it may be slightly
     * negative, the event going out before the POST's answer), the rest ({@link #reactionMs}) that frame until the
     * subject's pause request arrived: the subject's own time, its JVM and the kernel's scheduling of it. NaN when
     * the capture does not hold the subject's frame.
     */
    record Wire(double latencyMs, double subjectMs, double asteriskMs, double deliveredMs) {
        Wire(double latencyMs, double subjectMs, double asteriskMs) {
            this(latencyMs, subjectMs, asteriskMs, Double.NaN);
        }

        boolean split() {
            return !Double.isNaN(deliveredMs);
        }

        double reactionMs() {
            return subjectMs - deliveredMs;
        }
    }

    /** One request on a client connection, and when the first byte of Asterisk's answer went back (-1: none). */
    record Exchange(int clientPort, String method, String target, long requestedAt, long answeredAt) {
    }

    /**
     * A trigger's event ({@code ChannelDtmfReceived} with its digit, {@code ChannelUserevent} with its name) as
     * Asterisk sent it to one application; application is null when the frame was cut before it.
     */
    record Delivery(long at, String type, String name, String channel, String application) {
    }

    private static final Pattern REQUEST = Pattern.compile("^(GET|POST|PUT|DELETE) (\\S+) HTTP/1\\.[01]\r\n");
    private static final Pattern PAUSE = Pattern.compile("/recordings/live/([^/?]+)/pause(\\?|$)");
    private static final Pattern USER_EVENT = Pattern.compile("/events/user/([^/?]+)\\?(.*)$");
    private static final String DTMF = "ChannelDtmfReceived";
    private static final String USER_EVENT_TYPE = "ChannelUserevent";
    private static final Pattern TRIGGER_EVENT = Pattern.compile("\\{\"type\":\"(" + DTMF + "|" + USER_EVENT_TYPE + ")\"");
    /** Where the next event of a frame (several may share a segment) begins: Asterisk writes "type" first. */
    private static final String NEXT_EVENT = "{\"type\":\"";
    private static final Pattern DIGIT = Pattern.compile("\"digit\":\"([0-9A-D*#])\"");
    private static final Pattern EVENT_NAME = Pattern.compile("\"eventname\":\"([^\"]+)\"");
    /** The event's channel: its "id" comes first in the channel object (Asterisk 22, the fixtures agree). */
    private static final Pattern CHANNEL = Pattern.compile("\"channel\":\\{\"id\":\"([^\"]+)\"");
    private static final Pattern APPLICATION = Pattern.compile("\"application\":\"([^\"]+)\"");
    /** How far before the trigger a subject's pause may be sent and still be its: the DTMF frames race. */
    private static final long EARLY_NANOS = 50_000_000L;
    /** How far the benchmark's stamp of the trigger may trail the wire's (its JVM queueing), or lead it. */
    private static final long TRIGGER_BEFORE_NANOS = 1_000_000_000L;
    private static final long TRIGGER_AFTER_NANOS = 5_000_000L;
    /** The poll gives up after 3 s; a pause later than that is not this trigger's. */
    private static final long PAUSE_WITHIN_NANOS = 3_000_000_000L;

    private final int port;
    /** Open request per client connection (by its port). */
    private final Map<Integer, Exchange> open = new HashMap<>();
    /** "pause:" + recording, or "event:" + name + ":" + channel → exchanges in the order sent. */
    private final Map<String, List<Exchange>> exchanges = new HashMap<>();
    /** Trigger events by channel, each as sent to one application. */
    private final Map<String, List<Delivery>> deliveries = new HashMap<>();
    private long segments;
    private long truncated;

    private WireTimeline(int port) {
        this.port = port;
    }

    static WireTimeline read(Path pcap, int ariPort) throws IOException {
        WireTimeline t = new WireTimeline(ariPort);
        Pcap.read(pcap, t::add);
        t.closeAll();
        return t;
    }

    static WireTimeline of(List<Pcap.Segment> segments, int ariPort) {
        WireTimeline t = new WireTimeline(ariPort);
        segments.forEach(t::add);
        t.closeAll();
        return t;
    }

    long segments() {
        return segments;
    }

    /** Segments the snap length cut short (a frame in one of them may have gone unread). */
    long truncated() {
        return truncated;
    }

    private void add(Pcap.Segment s) {
        boolean toServer = s.destinationPort() == port;
        if (!toServer && s.sourcePort() != port) {
            return;
        }
        segments++;
        if (s.truncated()) {
            truncated++;
        }
        int client = toServer ? s.sourcePort() : s.destinationPort();
        String text = new String(s.payload(), StandardCharsets.ISO_8859_1);
        if (toServer) {
            Matcher m = REQUEST.matcher(text);
            if (m.lookingAt()) {
                close(client);
                open.put(client, new Exchange(client, m.group(1), m.group(2), s.epochNanos(), -1));
            }
            return;
        }
        Exchange e = open.get(client);
        if (e != null && e.answeredAt() < 0) {
            open.put(client, new Exchange(e.clientPort(), e.method(), e.target(), e.requestedAt(), s.epochNanos()));
        }
        if (text.contains(DTMF) || text.contains(USER_EVENT_TYPE)) {
            Matcher m = TRIGGER_EVENT.matcher(text);
            while (m.find()) {
                int end = text.indexOf(NEXT_EVENT, m.end());
                Delivery d = delivery(s.epochNanos(), m.group(1), text.substring(m.start(), end < 0 ? text.length() : end));
                if (d != null) {
                    deliveries.computeIfAbsent(d.channel(), k -> new ArrayList<>()).add(d);
                }
            }
        }
    }

    /** One trigger event's fields, or null when the frame was cut before its name or channel. */
    private static Delivery delivery(long at, String type, String event) {
        Matcher name = (type.equals(DTMF) ? DIGIT : EVENT_NAME).matcher(event);
        Matcher channel = CHANNEL.matcher(event);
        if (!name.find() || !channel.find()) {
            return null;
        }
        Matcher application = APPLICATION.matcher(event);
        return new Delivery(at, type, name.group(1), channel.group(1), application.find() ? application.group(1) : null);
    }

    private void close(int client) {
        Exchange e = open.remove(client);
        if (e == null || !e.method().equals("POST")) {
            return;
        }
        String key = keyOf(e.target());
        if (key != null) {
            exchanges.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
        }
    }

    private void closeAll() {
        new ArrayList<>(open.keySet()).forEach(this::close);
    }

    /** The index key of a request the figures need, or null for any other. */
    static String keyOf(String target) {
        Matcher p = PAUSE.matcher(target);
        if (p.find()) {
            return "pause:" + decode(p.group(1));
        }
        Matcher u = USER_EVENT.matcher(target);
        if (u.find()) {
            for (String param : u.group(2).split("&")) {
                if (param.startsWith("source=")) {
                    String source = decode(param.substring("source=".length()));
                    if (source.startsWith("channel:")) {
                        return "event:" + decode(u.group(1)) + ":" + source.substring("channel:".length());
                    }
                }
            }
        }
        return null;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The request key of a user event raised on a channel, as {@link #keyOf} makes it. */
    static String userEventKey(String name, String channel) {
        return "event:" + name + ":" + channel;
    }

    /**
     * The pause of recording on the wire, for a trigger the benchmark stamped at triggeredAt on call (the
     * callee's channel): empty when the capture does not hold all three moments.
     */
    Optional<Wire> pause(String trigger, String call, String recording, Instant triggeredAt) {
        if (call == null || recording == null || triggeredAt == null) {
            return Optional.empty();
        }
        long stamped = triggeredAt.getEpochSecond() * 1_000_000_000L + triggeredAt.getNano();
        long from = stamped - TRIGGER_BEFORE_NANOS;
        long to = stamped + TRIGGER_AFTER_NANOS;
        long triggerAt = -1;
        if (trigger.startsWith("dtmf")) {
            // Asterisk sends the digit to every subscribed application: the first of them is when it left
            for (Delivery d : deliveries.getOrDefault(call, List.of())) {
                if (d.type().equals(DTMF) && d.name().equals("7") && d.at() >= from && d.at() <= to
                        && (triggerAt < 0 || d.at() < triggerAt)) {
                    triggerAt = d.at();
                }
            }
        } else {
            // the trigger is the POST returning: the latest answer to it before the stamp
            for (Exchange e : exchanges.getOrDefault(userEventKey("PaymentStart", call), List.of())) {
                if (e.answeredAt() >= from && e.answeredAt() <= to && e.answeredAt() > triggerAt) {
                    triggerAt = e.answeredAt();
                }
            }
        }
        if (triggerAt < 0) {
            return Optional.empty();
        }
        // the subject's first pause of this recording sent from just before the trigger on (connections close
        // their requests out of order, so the earliest, not the first listed)
        Exchange pause = null;
        for (Exchange e : exchanges.getOrDefault("pause:" + recording, List.of())) {
            if (e.requestedAt() >= triggerAt - EARLY_NANOS && e.requestedAt() <= triggerAt + PAUSE_WITHIN_NANOS
                    && e.answeredAt() > 0 && (pause == null || e.requestedAt() < pause.requestedAt())) {
                pause = e;
            }
        }
        if (pause == null) {
            return Optional.empty();
        }
        Delivery frame = subjectsFrame(trigger, call, triggerAt, pause.requestedAt());
        return Optional.of(new Wire((pause.answeredAt() - triggerAt) / 1e6, (pause.requestedAt() - triggerAt) / 1e6,
                (pause.answeredAt() - pause.requestedAt()) / 1e6, frame == null ? Double.NaN : (frame.at() - triggerAt) / 1e6));
    }

    /**
     * The trigger's event as Asterisk sent it to the subject: the first frame of it on this call to an application
     * other than the benchmark's caller (one subject runs a call), from just before the trigger (a user event may
     * go out before the POST's answer) until the subject's pause request.
     */
    private Delivery subjectsFrame(String trigger, String call, long triggerAt, long pausedAt) {
        boolean dtmf = trigger.startsWith("dtmf");
        Delivery first = null;
        for (Delivery d : deliveries.getOrDefault(call, List.of())) {
            if (d.type().equals(dtmf ? DTMF : USER_EVENT_TYPE) && d.name().equals(dtmf ? "7" : "PaymentStart")
                    && d.application() != null && !d.application().equals(CallerSimulator.APP)
                    && d.at() >= triggerAt - EARLY_NANOS && d.at() <= pausedAt && (first == null || d.at() < first.at())) {
                first = d;
            }
        }
        return first;
    }
}
