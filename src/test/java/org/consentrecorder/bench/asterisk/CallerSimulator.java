package org.consentrecorder.bench.asterisk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The callers: a Stasis application of its own ({@code caller-sim}) that places calls through
 * {@code Local/100@incoming}, so that the {@code ;2} half runs the lab dialplan into
 * {@code Stasis(consent-recorder,inbound)} as an inbound call would, while the {@code ;1} half
 * is the phone. Each phone sits in a mixing bridge of its own and its "voice" is played into that
 * bridge (DTMF sent on a channel with its own playback is held back by Asterisk; see the
 * command-queue-vs-playback fixture). It subscribes to everything, so it sees the recording start
 * on the snoop channel and the digits reach the callee, with the same WebSocket latency as any app.
 */
final class CallerSimulator implements AutoCloseable {
    static final String APP = "caller-sim";

    /** One placed call, known by the ids we chose for it. */
    final class Call {
        final String phone;
        final String callee;
        final String bridge;
        final CompletableFuture<Void> answered = new CompletableFuture<>();
        final CompletableFuture<String> recording = new CompletableFuture<>();
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        /** When the callee's ChannelDtmfReceived for each digit was seen (System.nanoTime), keyed by digit. */
        final Map<String, CompletableFuture<Long>> digitSeen = new ConcurrentHashMap<>();

        Call(String id) {
            this(id + "-1", id + "-2", id + "-br");
        }

        private Call(String phone, String callee, String bridge) {
            this.phone = phone;
            this.callee = callee;
            this.bridge = bridge;
        }

        CompletableFuture<Long> digit(String d) {
            return digitSeen.computeIfAbsent(d, k -> new CompletableFuture<>());
        }

        void dtmf(String digits) {
            ari.call("POST", "/channels/" + phone + "/dtmf", Map.of("dtmf", digits, "between", "100", "duration", "100"));
        }

        /**
         * Starts the tone without waiting for Asterisk's answer: the poll for {@code paused} starts at once,
         * so the benchmark's own request is not part of the figure (it was, up to run 6).
         */
        java.util.concurrent.CompletableFuture<RawAri.Response> startTone(String playbackId, String tone) {
            return ari.request("POST", "/bridges/" + bridge + "/play", Map.of("media", "tone:" + tone, "playbackId", playbackId));
        }

        void stopPlayback(String playbackId) {
            ari.call("DELETE", "/playbacks/" + playbackId, Map.of());
        }

        void userEvent(String name) {
            ari.call("POST", "/events/user/" + name, Map.of("application", targetApp, "source", "channel:" + callee));
        }

        void hangup() {
            ari.call("DELETE", "/channels/" + phone, Map.of());
        }
    }

    private final RawAri ari;
    private final StatePoller poller;
    private final String targetApp;
    private final Map<String, Call> byPhone = new ConcurrentHashMap<>();
    private final Map<String, Call> byCallee = new ConcurrentHashMap<>();
    /** snoop channel id → callee channel id, learnt from the snoop's name {@code Snoop/<callee id>-<n>}. */
    private final Map<String, String> snoops = new ConcurrentHashMap<>();
    /** SIP calls from SIPp ({@code PJSIP/sipp-…}), in the order Asterisk created their channels. */
    private final java.util.concurrent.BlockingQueue<Call> sipCalls = new java.util.concurrent.LinkedBlockingQueue<>();

    CallerSimulator(RawAri ari, String targetApp) {
        this.ari = ari;
        this.poller = new StatePoller(ari.base(), ari.authorization());
        this.targetApp = targetApp;
    }

    /** Readings of the poll's warm-up: 404s Asterisk answers in about 0.1 ms each, enough for C2 at HotSpot's defaults. */
    static final int POLL_WARMUP_READINGS = 15_000;

    void start() {
        ari.connect(APP, true, this::onEvent);
        try {
            int missing = poller.warmUp(POLL_WARMUP_READINGS);
            if (missing != POLL_WARMUP_READINGS) {
                throw new IllegalStateException("the poll's warm-up read " + (POLL_WARMUP_READINGS - missing)
                        + " answers that were not 404 for a recording that does not exist");
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("the poll's warm-up failed", e);
        }
    }

    Call place(String id, String callerNumber) {
        Call c = new Call(id);
        byPhone.put(c.phone, c);
        byCallee.put(c.callee, c);
        RawAri.Response r = ari.call("POST", "/channels", Map.of("endpoint", "Local/100@incoming", "app", APP,
                "appArgs", "phone", "callerId", "\"Bench Caller\" <" + callerNumber + ">", "timeout", "30",
                "channelId", c.phone, "otherChannelId", c.callee));
        if (!r.ok()) {
            throw new IllegalStateException("originate failed: HTTP " + r.status());
        }
        return c;
    }

    private void onEvent(JsonNode e) {
        String type = e.path("type").asText();
        JsonNode channel = e.path("channel");
        String id = channel.path("id").asText();
        switch (type) {
            case "StasisStart" -> {
                Call c = byPhone.get(id);
                if (c != null && e.path("application").asText().equals(APP)) {
                    ari.request("POST", "/bridges", Map.of("type", "mixing", "bridgeId", c.bridge))
                            .thenCompose(r -> ari.request("POST", "/bridges/" + c.bridge + "/addChannel",
                                    Map.of("channel", c.phone)))
                            .thenAccept(r -> c.answered.complete(null));
                }
            }
            case "ChannelCreated", "ChannelStateChange" -> {
                String name = channel.path("name").asText();
                if (type.equals("ChannelCreated") && name.startsWith("PJSIP/sipp-")) {
                    // a SIPp call: the channel is the callee, and there is no phone half or bridge of ours
                    Call c = new Call(null, id, null);
                    byCallee.put(id, c);
                    sipCalls.add(c);
                } else if (name.startsWith("Snoop/")) {
                    String spied = name.substring("Snoop/".length(), name.lastIndexOf('-'));
                    snoops.put(id, spied);
                }
            }
            case "RecordingStarted" -> {
                String target = e.path("recording").path("target_uri").asText();
                if (target.startsWith("channel:")) {
                    String spied = snoops.get(target.substring("channel:".length()));
                    Call c = spied == null ? null : byCallee.get(spied);
                    if (c != null) {
                        c.recording.complete(e.path("recording").path("name").asText());
                    }
                }
            }
            case "ChannelDtmfReceived" -> {
                Call c = byCallee.get(id);
                if (c != null) {
                    c.digit(e.path("digit").asText()).complete(System.nanoTime());
                }
            }
            case "ChannelDestroyed" -> {
                Call c = byPhone.get(id);
                if (c != null) {
                    c.ended.complete(null);
                    ari.request("DELETE", "/bridges/" + c.bridge, Map.of());
                }
            }
            default -> {
            }
        }
    }

    /** The next SIP call Asterisk created, or null after {@code timeoutMs}. */
    Call nextSipCall(long timeoutMs) throws InterruptedException {
        return sipCalls.poll(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** Polls the live recording until Asterisk reports the state; returns System.nanoTime() of the first such answer. */
    long awaitState(String recording, String state, long timeoutMs) {
        return poller.awaitState(recording, state, timeoutMs);
    }

    @Override
    public void close() {
        poller.close();
        ari.close();
    }
}
