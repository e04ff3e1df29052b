package org.consentrecorder.bench.asterisk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The yardstick: a deliberately minimal Stasis application that records a call through a snoop
 * channel and pauses it on a trigger, with raw WebSocket and HTTP and nothing else (no consent
 * dialogue, no evidence, no database, no ari4java). The benchmark runs the same calls against it
 * and against the product in one run, so the product's pause latency is reported as a ratio to
 * what Asterisk and this machine allow, not to a number remembered from another day.
 *
 * <p>It speaks the same triggers as the product's defaults: UserEvent PaymentStart/PaymentEnd on
 * the caller's channel, DTMF {@code *7} / {@code *8}. The call is continued to the same dialplan
 * target, so Asterisk does the same work for both.
 */
final class ReferencePauseApp implements AutoCloseable {
    private final RawAri ari;
    private final String app;
    private final String continueContext;
    /** caller channel id → recording name (one per call). */
    private final Map<String, String> recordings = new ConcurrentHashMap<>();
    private final Map<String, StringBuilder> digits = new ConcurrentHashMap<>();
    /** recording name → its pauses, stamped when handled and when Asterisk's answer arrived (as the product stamps them). */
    private final Map<String, java.util.List<CallScript.PauseStamps>> stamps = new ConcurrentHashMap<>();
    /** Told of each pause once stamped: the app in a process of its own reports it to the benchmark (ReferenceMain). */
    private final java.util.function.BiConsumer<String, CallScript.PauseStamps> stamped;
    private final java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();

    ReferencePauseApp(RawAri ari, String app, String continueContext) {
        this(ari, app, continueContext, (name, stamp) -> { });
    }

    ReferencePauseApp(RawAri ari, String app, String continueContext,
                      java.util.function.BiConsumer<String, CallScript.PauseStamps> stamped) {
        this.ari = ari;
        this.app = app;
        this.continueContext = continueContext;
        this.stamped = stamped;
    }

    void start() {
        ari.connect(app, false, e -> {
            received.incrementAndGet();
            onEvent(e);
        });
    }

    /** Events that came over the WebSocket so far (the warm-up checks its own frames arrived). */
    int received() {
        return received.get();
    }

    /** One event, as a frame from the WebSocket is handled; the warm-up hands it canned ones too. */
    void onEvent(JsonNode e) {
        String type = e.path("type").asText();
        String channel = e.path("channel").path("id").asText();
        switch (type) {
            case "StasisStart" -> {
                String arg = e.path("args").path(0).asText();
                if (arg.equals("snoop")) {
                    String caller = channel.substring(0, channel.length() - "-snoop".length());
                    String name = "ref-" + caller;
                    recordings.put(caller, name);
                    ari.request("POST", "/channels/" + channel + "/record", Map.of("name", name, "format", "wav",
                            "ifExists", "fail", "beep", "false", "maxDurationSeconds", "0", "terminateOn", "none"))
                            .thenCompose(r -> ari.request("POST", "/applications/" + app + "/subscription",
                                    Map.of("eventSource", "channel:" + caller)))
                            .thenCompose(r -> ari.request("POST", "/channels/" + caller + "/continue",
                                    Map.of("context", continueContext, "extension", "s", "priority", "1")));
                } else if (!channel.isEmpty()) {
                    ari.request("POST", "/channels/" + channel + "/answer", Map.of())
                            .thenCompose(r -> ari.request("POST", "/channels/" + channel + "/snoop",
                                    Map.of("spy", "both", "app", app, "appArgs", "snoop", "snoopId", channel + "-snoop")));
                }
            }
            case "ChannelUserevent" -> {
                String name = recordings.get(channel);
                String event = e.path("eventname").asText();
                if (name != null && event.equals("PaymentStart")) {
                    pause(name, "user event");
                } else if (name != null && event.equals("PaymentEnd")) {
                    ari.request("DELETE", "/recordings/live/" + name + "/pause", Map.of());
                }
            }
            case "ChannelDtmfReceived" -> {
                String name = recordings.get(channel);
                if (name == null) {
                    return;
                }
                StringBuilder seq = digits.computeIfAbsent(channel, k -> new StringBuilder());
                seq.append(e.path("digit").asText());
                if (seq.length() > 2) {
                    seq.delete(0, seq.length() - 2);
                }
                if (seq.toString().equals("*7")) {
                    pause(name, "dtmf");
                } else if (seq.toString().equals("*8")) {
                    ari.request("DELETE", "/recordings/live/" + name + "/pause", Map.of());
                }
            }
            case "ChannelDestroyed", "StasisEnd" -> {
                // the recording ends with the snoop; nothing to release but the digit buffer
                if (type.equals("ChannelDestroyed")) {
                    digits.remove(channel);
                }
            }
            default -> {
            }
        }
    }

    private void pause(String name, String trigger) {
        java.time.Instant handled = java.time.Instant.now();
        ari.request("POST", "/recordings/live/" + name + "/pause", Map.of()).thenAccept(r -> {
            CallScript.PauseStamps stamp = new CallScript.PauseStamps(trigger, handled, java.time.Instant.now());
            stamps.computeIfAbsent(name, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(stamp);
            stamped.accept(name, stamp);
        });
    }

    /** The pauses of a recording, as stamped. */
    java.util.List<CallScript.PauseStamps> pauseStamps(String name) {
        return java.util.List.copyOf(stamps.getOrDefault(name, java.util.List.of()));
    }

    /** Treats a channel as a recorded call's, so that its triggers pause the given recording (the warm-up's). */
    void adopt(String callerChannel, String recording) {
        recordings.put(callerChannel, recording);
    }

    /** Forgets an adopted channel and its recording's stamps. */
    void forget(String callerChannel, String recording) {
        recordings.remove(callerChannel);
        digits.remove(callerChannel);
        stamps.remove(recording);
    }

    /** The stored recording made for a caller channel, if any. */
    String recordingOf(String callerChannel) {
        return recordings.get(callerChannel);
    }

    @Override
    public void close() {
        ari.close();
    }
}
