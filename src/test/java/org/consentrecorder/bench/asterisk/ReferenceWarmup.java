package org.consentrecorder.bench.asterisk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The reference app warms itself before it serves, as the product does before it subscribes
 * (app/HotPathWarmup, issue 14 item 3), so that {@code --reference warm-process} compares two fresh
 * processes that both did their warm-up, and the warm situations two processes that are both warm,
 * with the benchmark's own threads (its phones and its poll) in neither.
 *
 * <p>What it runs, against the real Asterisk: the product's canned frames ({@code /warmup/ari-events.jsonl},
 * shapes from a real Asterisk 22) decoded and handled as a WebSocket frame is, with the canned call's channel
 * taken as recorded, so its triggers (the user events PaymentStart and PaymentEnd, the digits {@code *7} and
 * {@code *8}) send real pause and resume requests for a recording that does not exist (404s); and user
 * events without a source posted to its own application, so that real frames come over its WebSocket.
 * Then it waits, as the product does (app/CompilerQuiet), until the JIT compilers stop finishing work.
 * StasisStart frames are left out: answering and snooping are not on the pause path.
 */
final class ReferenceWarmup {
    static final String RECORDING = "ref-warmup";
    static final String EVENT = "ReferenceWarmup";
    private static final String FRAMES = "/warmup/ari-events.jsonl";
    /** Rounds of the frames: two pauses and two resumes each, as many pause requests as the product's warm-up sends. */
    static final int ROUNDS = 300;
    /** As the product waits for its compilers after its first warm-up (HotPathWarmup.FIRST_COMPILER_WAIT). */
    static final Duration COMPILER_WAIT = Duration.ofSeconds(5);

    /** What it ran: pause requests answered, its own frames that came back over the WebSocket, the wait. */
    record Done(int pauses, int framesReceived, long compilersWaitedMs, long tookMs) {
        String line() {
            return "reference warmed in " + tookMs + " ms: " + pauses + " pause requests answered, " + framesReceived
                    + " of its own frames received over its WebSocket, " + compilersWaitedMs + " ms for the compilers to go quiet";
        }
    }

    private ReferenceWarmup() {
    }

    /** The frames the reference handles on its pause path, from the product's canned ones (no StasisStart). */
    static List<String> frames() {
        List<String> canned;
        try (InputStream in = ReferenceWarmup.class.getResourceAsStream(FRAMES)) {
            if (in == null) {
                throw new IllegalStateException(FRAMES + " is not on the class path");
            }
            canned = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> out = new ArrayList<>();
        for (String frame : canned) {
            if (frame.contains("\"type\":\"StasisStart\"")) {
                continue;
            }
            if (frame.contains("\"type\":\"ChannelDtmfReceived\"")) {
                for (String digit : List.of("*", "7", "*", "8")) {
                    out.add(replaceOnce(frame, "\"digit\":\"1\"", "\"digit\":\"" + digit + "\""));
                }
            } else if (frame.contains("\"eventname\":\"PaymentStart\"")) {
                out.add(frame);
                out.add(frame.replace("PaymentStart", "PaymentEnd"));
            } else {
                out.add(frame);
            }
        }
        return out;
    }

    private static String replaceOnce(String s, String what, String with) {
        int i = s.indexOf(what);
        if (i < 0) {
            throw new IllegalStateException("a canned frame no longer has " + what);
        }
        return s.substring(0, i) + with + s.substring(i + what.length());
    }

    /** Runs the warm-up on a started app; its pauses are not reported (the caller leaves RECORDING out). */
    static Done run(ReferencePauseApp app, RawAri ari, String application) {
        long started = System.nanoTime();
        List<String> frames = frames();
        String channel = channelOf(frames);
        app.adopt(channel, RECORDING);
        int pauses = 0;
        int before = app.received();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                for (String frame : frames) {
                    app.onEvent(RawAri.JSON.readTree(frame));
                }
                pauses += 2;
                awaitPauses(app, pauses);
                // a real frame through the WebSocket; sent one at a time, so Asterisk is never asked for many at once
                ari.call("POST", "/events/user/" + EVENT, Map.of("application", application));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            app.forget(channel, RECORDING);
        }
        int frameCount = app.received() - before;
        long waited = awaitCompilers();
        return new Done(pauses, frameCount, waited, Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    /** The canned call's channel: the one its user event came on. */
    static String channelOf(List<String> frames) {
        for (String frame : frames) {
            if (frame.contains("\"type\":\"ChannelUserevent\"")) {
                try {
                    return RawAri.JSON.readTree(frame).path("channel").path("id").asText();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException("the canned frames have no ChannelUserevent");
    }

    /** The pause requests' answers (each adds a stamp, a 404 too): one round's before the next, so none queue up. */
    private static void awaitPauses(ReferencePauseApp app, int expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (app.pauseStamps(RECORDING).size() < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the warm-up's pause requests were not answered within 10 s");
            }
            LockSupport.parkNanos(100_000);
        }
    }

    /** Until the JVM's total compilation time has not moved for 3 readings 50 ms apart, or COMPILER_WAIT; ms waited. */
    static long awaitCompilers() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return 0;
        }
        long started = System.nanoTime();
        long last = jit.getTotalCompilationTime();
        int quiet = 0;
        while (quiet < 3 && System.nanoTime() - started < COMPILER_WAIT.toNanos()) {
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            long now = jit.getTotalCompilationTime();
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }
        return Duration.ofNanos(System.nanoTime() - started).toMillis();
    }
}
