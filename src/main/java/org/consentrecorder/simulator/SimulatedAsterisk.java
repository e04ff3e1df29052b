package org.consentrecorder.simulator;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A simulated Asterisk: real HTTP and WebSocket on loopback, answering like the Asterisk 22.10.1
 * captured in the project's ARI fixtures (event names and order, JSON bodies, status codes and error
 * bodies). Where the fixtures say nothing the behaviour is an assumption, marked ASSUMPTION here
 * and in the tests that rely on it. The tests' ARI double ({@code testing.ari.FakeAsterisk}) is this
 * class with test hooks added; {@code FixtureConformanceTest} holds it to the fixtures. The
 * {@code demo} command runs the application against it.
 *
 * <p>The "phone" side is driven with {@link #placeCall}, {@link #pressDtmf}, {@link #callerHangsUp} and
 * {@link #userEvent}. State is touched only on the simulator's own Vert.x context; the public methods
 * may be called from any thread and wait for it (never call them from an event loop).
 */
public class SimulatedAsterisk implements AutoCloseable {
    static final String ENTITY_ID = "02:fc:00:00:00:01";
    private static final Set<String> FORMATS = Set.of("wav", "gsm", "ulaw", "alaw", "sln", "wav49", "g722", "sln16");
    private static final Pattern LIVE = Pattern.compile("/ari/recordings/live/([^/]+)(/pause|/mute|/stop)?");
    private static final Pattern STORED = Pattern.compile("/ari/recordings/stored/([^/]+)(/file|/copy)?");
    private static final Pattern CHANNEL = Pattern.compile("/ari/channels/([^/]+)(/[a-z]+)?");
    private static final Pattern PLAYBACK = Pattern.compile("/ari/playbacks/([^/]+)");
    private static final Pattern APPLICATION = Pattern.compile("/ari/applications/([^/]+)(/subscription|/eventFilter)?");
    private static final Pattern USER_EVENT = Pattern.compile("/ari/events/user/([^/]+)");

    /**
     * What a subclass may do to a request before it is routed: answer it with {@code status} and
     * {@code body} at once (status > 0), or route it normally after {@code delayMs}.
     */
    public record Intercept(int status, JsonObject body, long delayMs) {
    }

    private final Vertx vertx;
    private final String user;
    private final String password;
    private Context context;
    private HttpServer server;
    private int port;
    private boolean tls;

    // knobs
    private volatile String ariVersion = "10.0.0";
    private volatile String asteriskVersion = "22.10.1";
    private volatile long defaultPlaybackMs = 300;
    private final Map<String, Long> playbackMs = new HashMap<>();
    private final Set<String> missingMedia = new LinkedHashSet<>();
    private volatile boolean snoopStartBeforeResponse = true;
    private volatile long snoopStasisDelayMs = 0;
    private volatile long dtmfDelayMs = 20;
    private volatile boolean linkedIdInChannelVars = true;
    private volatile Consumer<JsonObject> eventDecorator = e -> { };
    private volatile boolean synthesizeAudio = true;
    private volatile CallAudio audio = CallAudio.TONE;
    /** Per-direction sound on the simulator's timeline; when set, it is what recordings hold instead of audio. */
    private volatile CallSound sound;
    /** Sample 0 of {@link CallSound}'s timeline. */
    private final long originNanos = System.nanoTime();
    private volatile PhoneListener phoneListener = PhoneListener.NONE;

    // state, touched only on the simulator's context
    private boolean legacyMuteBug;
    private final Map<String, SimulatedChannel> channels = new LinkedHashMap<>();
    private final Map<String, SimulatedPlayback> playbacks = new HashMap<>();
    private final Map<String, SimulatedRecording> live = new HashMap<>();
    /** Stored recordings whose next download stops after this many bytes and never goes on. */
    private final Map<String, Long> stalls = new HashMap<>();
    private final Map<String, StoredFile> stored = new LinkedHashMap<>();
    /**
     * The event WebSocket of each application. Asterisk keeps one consumer per application: a second socket
     * for it replaces the first, which is sent {@code ApplicationReplaced} and then kept open without events
     * (src/test/resources/ari-captures/application-replaced.jsonl); so each list holds at most one socket.
     */
    private final Map<String, List<ServerWebSocket>> sockets = new HashMap<>();
    /** Sockets replaced as above: open, silent, closed with the others when Asterisk goes away. */
    private final List<ServerWebSocket> replaced = new ArrayList<>();
    /** Every application that ever connected: Asterisk keeps them registered, inactive, after a disconnect (ws-reconnect). */
    private final Set<String> registeredApps = new LinkedHashSet<>();
    /** PUT /applications/{app}/eventFilter, per application: its allowed and disallowed type lists. */
    private final Map<String, JsonArray> eventsAllowed = new HashMap<>();
    private final Map<String, JsonArray> eventsDisallowed = new HashMap<>();
    /** Asterisk's default session_keep_alive (main/http.c, DEFAULT_SESSION_KEEP_ALIVE). */
    private volatile long keepAliveMillis = 15_000;
    private final java.util.concurrent.atomic.AtomicInteger connectionsOpened = new java.util.concurrent.atomic.AtomicInteger();
    /** Connections waiting for their next request, and the timer that closes them (the simulator's context only). */
    private final Map<HttpConnection, Long> idleTimers = new java.util.HashMap<>();
    private long channelSeq = 40;
    private long snoopSeq = 8;

    /** A simulator on its own Vert.x that accepts the given ARI credentials; {@link #listen} starts it. */
    protected SimulatedAsterisk(Vertx vertx, String user, String password) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.user = Objects.requireNonNull(user, "user");
        this.password = Objects.requireNonNull(password, "password");
    }

    /**
     * Starts on 127.0.0.1:{@code listenPort} (0: any free port) with a Vert.x of its own: one event
     * loop is all it uses, since every request and event runs on its one context.
     */
    public static SimulatedAsterisk start(String user, String password, int listenPort) {
        SimulatedAsterisk simulator = new SimulatedAsterisk(
                Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)), user, password);
        simulator.listen(listenPort);
        return simulator;
    }

    /** Deploys the HTTP and WebSocket server; blocks until it listens. */
    protected final void listen(int listenPort) {
        listen(listenPort, new HttpServerOptions());
    }

    /**
     * As {@link #listen(int)} with server options of the caller's: with TLS set (as Asterisk's
     * {@code tlsenable} in http.conf), REST is HTTPS and the events WebSocket WSS, and {@link #url()}
     * says https.
     */
    protected final void listen(int listenPort, HttpServerOptions options) {
        this.tls = options.isSsl();
        await(vertx.deployVerticle(new AbstractVerticle() {
            @Override
            public void start(Promise<Void> started) {
                SimulatedAsterisk.this.context = context;
                server = vertx.createHttpServer(options)
                        .connectionHandler(c -> {
                            connectionsOpened.incrementAndGet();
                            c.closeHandler(v -> {
                                Long idle = idleTimers.remove(c);
                                if (idle != null) {
                                    vertx.cancelTimer(idle);
                                }
                            });
                        })
                        .webSocketHandshakeHandler(SimulatedAsterisk.this::onHandshake)
                        .webSocketHandler(SimulatedAsterisk.this::onWebSocket)
                        .requestHandler(SimulatedAsterisk.this::onRequest);
                server.listen(listenPort, "127.0.0.1").onSuccess(s -> {
                    port = s.actualPort();
                    started.complete();
                }).onFailure(started::fail);
            }
        }));
    }

    public int port() {
        return port;
    }

    /**
     * How long a connection may sit after an answer without a new request before the double closes
     * it: http.conf's {@code session_keep_alive}, 15 s unless a test shortens it (0: never).
     */
    public void keepAliveMillis(long millis) {
        keepAliveMillis = millis;
    }

    /** TCP connections accepted so far (REST and WebSocket alike). */
    public int connectionsOpened() {
        return connectionsOpened.get();
    }

    public String url() {
        return (tls ? "https" : "http") + "://127.0.0.1:" + port;
    }

    /**
     * Goes away as a stopped Asterisk does: the WebSockets are closed and the port stops listening
     * first, then the rest. Left to {@code vertx.close()} alone, the server's graceful shutdown
     * could keep an event WebSocket open long enough for an app to still think it is connected.
     */
    @Override
    public void close() {
        if (context != null) {
            try {
                dropWebSockets();
                HttpServer listening = server;
                if (listening != null) {
                    await(callFuture(listening::close));
                }
            } catch (RuntimeException e) {
                // closing Vert.x below closes whatever is left
            }
        }
        await(vertx.close());
    }

    private <T> Future<T> callFuture(java.util.function.Supplier<Future<T>> action) {
        Promise<T> done = Promise.promise();
        context.runOnContext(v -> action.get().onComplete(done));
        return done.future();
    }

    // ---- hooks for subclasses (the tests' double): called on the simulator's context -------------

    /** A REST request arrived; {@code atNanos} was taken before its body was read or it was routed. */
    protected void requestArrived(String method, String path, Map<String, String> query, long atNanos) {
    }

    /** A REST request was answered with {@code status}. */
    protected void answered(String method, String path, Map<String, String> query, int status, long atNanos) {
    }

    /** As above, with the client's User-Agent header (null if it sent none): which instance asked. */
    protected void answered(String method, String path, Map<String, String> query, int status, long atNanos,
                            String userAgent) {
        answered(method, path, query, status, atNanos);
    }

    /** An event was written to an application's WebSockets; {@code atNanos} was taken just before the write. */
    protected void eventSent(String application, JsonObject event, long atNanos) {
    }

    /** An event for an application with no WebSocket open: Asterisk drops it, and so does the simulator. */
    protected void eventLost(String application, String type) {
    }

    /** A stored recording was deleted over ARI. */
    protected void storedRecordingDeleted(StoredFile file) {
    }

    /** Null, or what to do to this request instead of routing it now. */
    protected Intercept intercept(String method, String path) {
        return null;
    }

    /** Writes a raw text frame to the application's WebSockets (on the simulator's context). */
    protected final void writeRaw(String application, String text) {
        sockets.getOrDefault(application, List.of()).forEach(ws -> ws.writeTextMessage(text));
    }

    // ---- knobs ---------------------------------------------------------------------------------

    /** The ARI version reported by resources.json (Asterisk 20: 8.0.0, 22: 10.0.0, 23: 11.0.0). */
    public SimulatedAsterisk reportAriVersion(String apiVersion, String asterisk) {
        this.ariVersion = apiVersion;
        this.asteriskVersion = asterisk;
        return this;
    }

    public SimulatedAsterisk playbackDuration(Duration d) {
        this.defaultPlaybackMs = d.toMillis();
        return this;
    }

    public SimulatedAsterisk playbackDuration(String media, Duration d) {
        onContext(() -> playbackMs.put(media, d.toMillis()));
        return this;
    }

    /** Media Asterisk has no file for: PlaybackStarted, then PlaybackFinished "failed" (errors.jsonl). */
    public SimulatedAsterisk missingMedia(String media) {
        onContext(() -> missingMedia.add(media));
        return this;
    }

    /** Whether the snoop channel's StasisStart overtakes the /snoop response (it usually does). */
    public SimulatedAsterisk snoopStartBeforeResponse(boolean before) {
        this.snoopStartBeforeResponse = before;
        return this;
    }

    /** Delays the snoop channel's entry into Stasis; /record before it answers 409. */
    public SimulatedAsterisk snoopStasisDelay(Duration d) {
        this.snoopStasisDelayMs = d.toMillis();
        return this;
    }

    /** Adds fields that this Asterisk does not have, as a newer release would. */
    public SimulatedAsterisk decorateEvents(Consumer<JsonObject> decorator) {
        this.eventDecorator = decorator;
        return this;
    }

    /**
     * ari.conf "channelvars = CHANNEL(linkedid)" (the project's setting; the fixtures' Asterisk had none).
     * ASSUMPTION (not captured): only the inbound call's snapshots carry it here; a real Asterisk adds
     * channelvars to every channel snapshot, snoop channels included.
     */
    public SimulatedAsterisk linkedIdInChannelVars(boolean on) {
        this.linkedIdInChannelVars = on;
        return this;
    }

    /**
     * Off: a finished recording is stored with the size it would have, its bytes generated on
     * read, instead of audio synthesized sample by sample (milliseconds of the simulator's thread
     * per call, and the file kept in memory).
     */
    public SimulatedAsterisk synthesizeRecordingAudio(boolean on) {
        this.synthesizeAudio = on;
        return this;
    }

    /**
     * What recorded calls sound like in each direction, on one timeline for the whole simulator
     * ({@link CallSound}): a spy=in recording holds the caller, spy=out what the caller hears. Replaces
     * {@link #recordingAudio} while set; used while synthesis is on.
     */
    public SimulatedAsterisk callSound(CallSound callSound) {
        this.sound = Objects.requireNonNull(callSound, "callSound");
        return this;
    }

    /** Sample 0 of the {@link CallSound} timeline, in {@link System#nanoTime()}'s terms. */
    public long timelineOriginNanos() {
        return originNanos;
    }

    /** What recorded calls sound like (default {@link CallAudio#TONE}); used while synthesis is on. */
    public SimulatedAsterisk recordingAudio(CallAudio callAudio) {
        this.audio = Objects.requireNonNull(callAudio, "callAudio");
        return this;
    }

    /**
     * On: recordings behave like Asterisk before the fix for asterisk/asterisk#322, where a second
     * mute of the same recording is answered 204 and ignored (see {@link SimulatedRecording}).
     */
    public SimulatedAsterisk emulateLegacyMuteBug(boolean on) {
        onContext(() -> this.legacyMuteBug = on);
        return this;
    }

    /** Told what a caller hears and when the call leaves the application (scripted callers use it). */
    void phoneListener(PhoneListener listener) {
        this.phoneListener = Objects.requireNonNull(listener, "listener");
    }

    // ---- the phone side ------------------------------------------------------------------------

    /** A call arrives and the dialplan runs Stasis(app,inbound). Returns the channel id. */
    public String placeCall(String app, String callerNumber, String callerName, String exten, String language) {
        return call(() -> placeCallNow(app, callerNumber, callerName, exten, language));
    }

    /** {@link #placeCall}, on the simulator's context. */
    String placeCallNow(String app, String callerNumber, String callerName, String exten, String language) {
        SimulatedChannel c = new SimulatedChannel("1795538447." + (++channelSeq),
                "PJSIP/sipp-" + String.format("%08x", channelSeq), Instant.now());
        c.state = "Ring";
        c.callerName = callerName == null ? "" : callerName;
        c.callerNumber = callerNumber == null ? "" : callerNumber;
        c.connectedName = c.callerName;
        c.connectedNumber = c.callerNumber;
        c.context = "incoming";
        c.exten = exten;
        c.priority = 2;
        c.appName = "Stasis";
        c.appData = app + ",inbound";
        c.language = language;
        if (linkedIdInChannelVars) {
            c.channelVars = new JsonObject().put("CHANNEL(linkedid)", c.id);
        }
        c.stasisApp = app;
        channels.put(c.id, c);
        emit(c, "StasisStart", new JsonObject().put("args", new JsonArray().add("inbound")));
        return c.id;
    }

    /**
     * The caller presses a key; ARI reports it when the digit ends (duration 100 ms, as on the captured
     * Local channels; RFC 2833 from SIPp showed 280). The event comes 20 ms later here, about 200 ms in the captures.
     */
    public void pressDtmf(String channelId, char digit) {
        onContext(() -> pressDtmfNow(channelId, digit));
    }

    void pressDtmfNow(String channelId, char digit) {
        vertx.setTimer(dtmfDelayMs, t -> {
            SimulatedChannel c = channels.get(channelId);
            if (c != null && !c.gone) {
                emit(c, "ChannelDtmfReceived", new JsonObject().put("digit", String.valueOf(digit)).put("duration_ms", 100));
            }
        });
    }

    /**
     * The caller hangs up (the order of events is that of consent-accept / continue-and-subscribe).
     * ASSUMPTION: the fields are those of the captured Local ;2 half (ChannelHangupRequest cause 16,
     * ChannelDestroyed cause 16 "Normal Clearing"); a real PJSIP BYE (sipp-call*.jsonl) first sets the
     * RTPAUDIOQOS* variables, sends ChannelHangupRequest without a cause, and ChannelDestroyed has cause 0 "Unknown".
     */
    public void callerHangsUp(String channelId) {
        onContext(() -> callerHangsUpNow(channelId));
    }

    void callerHangsUpNow(String channelId) {
        SimulatedChannel c = channels.get(channelId);
        if (c != null) {
            hangup(c, false);
        }
    }

    /**
     * The dialplan's Dial() on the caller's channel rings {@code agentChannelName} and it answers:
     * two ARI Dial events (dialstatus "" then "ANSWER", fields as in the captured Dial events, with
     * "caller" as a dialplan Dial gives it) reach the apps subscribed to the caller's channel.
     */
    public void agentAnswers(String callerChannelId, String agentChannelName) {
        onContext(() -> agentAnswersNow(callerChannelId, agentChannelName));
    }

    void agentAnswersNow(String callerChannelId, String agentChannelName) {
        SimulatedChannel c = channels.get(callerChannelId);
        if (c == null || c.gone) {
            return;
        }
        SimulatedChannel agent = new SimulatedChannel("1795538447." + (++channelSeq), agentChannelName, Instant.now());
        agent.state = "Down";
        agent.callerName = "";
        agent.callerNumber = "";
        agent.connectedName = c.callerName;
        agent.connectedNumber = c.callerNumber;
        agent.context = "consent-recorder-agent-leg";
        agent.exten = "s";
        agent.priority = 1;
        agent.appName = "AppDial2";
        agent.appData = "(Outgoing Line)";
        agent.language = c.language;
        for (String status : List.of("", "ANSWER")) {
            agent.state = status.isEmpty() ? "Down" : "Up";
            emitTo(c.audience(), "Dial", new JsonObject().put("dialstatus", status).put("forward", "")
                    .put("dialstring", "agent").put("peer", AriJson.channel(agent)).put("caller", AriJson.channel(c)));
        }
    }

    /** Dialplan UserEvent(name) on the channel: reaches apps subscribed to it, in Stasis or not. */
    public void userEvent(String channelId, String name) {
        onContext(() -> userEventNow(channelId, name));
    }

    void userEventNow(String channelId, String name) {
        SimulatedChannel c = channels.get(channelId);
        if (c != null) {
            emit(c, "ChannelUserevent", new JsonObject().put("eventname", name)
                    .put("userevent", new JsonObject().put("eventname", name)));
        }
    }

    /** Closes every event WebSocket; events raised until the app reconnects are lost. */
    public void dropWebSockets() {
        call(() -> {
            sockets.values().forEach(list -> new ArrayList<>(list).forEach(ServerWebSocket::close));
            sockets.clear();
            new ArrayList<>(replaced).forEach(ServerWebSocket::close);
            replaced.clear();
            return null;
        });
    }

    /**
     * The next download of stored recording {@code name} sends its headers and the first
     * {@code afterBytes} bytes, then nothing more, and the connection stays open: a transfer that
     * hangs (the crash tests kill the application in the middle of writing chunks this way).
     */
    public void stallDownload(String name, long afterBytes) {
        onContext(() -> stalls.put(name, afterBytes));
    }

    /** A stored recording generated on the fly (for archive tests of any size). */
    public void putGeneratedRecording(String name, long size, long seed) {
        onContext(() -> stored.put(name, StoredFile.generated(name, "wav", size, seed)));
    }

    /** Byte {@code position} of a file made by {@link #putGeneratedRecording}. */
    public static byte generatedByte(long seed, long position) {
        return StoredFile.byteAt(seed, position);
    }

    public void putStoredRecording(String name, byte[] bytes) {
        onContext(() -> stored.put(name, StoredFile.of(name, "wav", bytes)));
    }

    /** A snoop channel in the application that nobody asked for now (a stray left by a crash). */
    public void createSnoop(String app, String spiedChannelId, String snoopId) {
        onContext(() -> enterStasis(newSnoop(channels.get(spiedChannelId), snoopId), app, "snoop"));
    }

    // ---- inspection ----------------------------------------------------------------------------

    public boolean connected(String app) {
        return call(() -> sockets.containsKey(app) && !sockets.get(app).isEmpty());
    }

    /** The types an application's event filter allows (PUT /applications/{app}/eventFilter); empty: every type. */
    public Set<String> eventsAllowed(String app) {
        return call(() -> {
            Set<String> types = new java.util.TreeSet<>();
            eventsAllowed.getOrDefault(app, new JsonArray()).forEach(o -> types.add(((JsonObject) o).getString("type")));
            return types;
        });
    }

    public boolean channelExists(String id) {
        return call(() -> channels.containsKey(id));
    }

    public Set<String> channelIds() {
        return call(() -> Set.copyOf(channels.keySet()));
    }

    public Set<String> liveRecordings() {
        return call(() -> Set.copyOf(live.keySet()));
    }

    public Set<String> storedRecordings() {
        return call(() -> Set.copyOf(stored.keySet()));
    }

    public byte[] storedBytes(String name) {
        return call(() -> {
            StoredFile f = stored.get(name);
            return f == null ? null : f.slice(0, (int) f.size()).getBytes();
        });
    }

    public String liveState(String name) {
        return call(() -> {
            SimulatedRecording r = live.get(name);
            return r == null ? null : (r.muted ? "muted" : r.state());
        });
    }

    /** Where the channel is now: "stasis:<app>" or "dialplan:<context>,<exten>,<priority>". */
    public String location(String channelId) {
        return call(() -> {
            SimulatedChannel c = channels.get(channelId);
            if (c == null) {
                return "gone";
            }
            return c.inStasis() ? "stasis:" + c.stasisApp : "dialplan:" + c.context + "," + c.exten + "," + c.priority;
        });
    }

    public Map<String, String> variables(String channelId) {
        return call(() -> {
            SimulatedChannel c = channels.get(channelId);
            return c == null ? Map.of() : Map.copyOf(c.variables);
        });
    }

    // ---- WebSocket -----------------------------------------------------------------------------

    private void onHandshake(ServerWebSocketHandshake hs) {
        if (!hs.path().equals("/ari/events")) {
            hs.reject(404);
            return;
        }
        Map<String, String> query = query(hs.query());
        if (!authorized(hs.headers().get("Authorization"), query.get("api_key"))) {
            hs.reject(401);
            return;
        }
        String apps = query.get("app");
        if (apps == null || apps.isBlank()) {
            hs.reject(400);
            return;
        }
        hs.accept();
    }

    private void onWebSocket(ServerWebSocket ws) {
        List<String> names = List.of(query(ws.query()).get("app").split(","));
        for (String app : names) {
            List<ServerWebSocket> list = sockets.computeIfAbsent(app, k -> new ArrayList<>());
            for (ServerWebSocket old : list) {
                // app_update() in res/stasis/app.c: the old handler hears it, then hears nothing more
                if (eventAllowed(app, "ApplicationReplaced")) {
                    old.writeTextMessage(new JsonObject().put("type", "ApplicationReplaced")
                            .put("timestamp", AriJson.timestamp(Instant.now())).put("application", app)
                            .put("asterisk_id", ENTITY_ID).encode());
                }
            }
            replaced.addAll(list);
            list.clear();
            list.add(ws);
            registeredApps.add(app);
        }
        ws.closeHandler(v -> names.forEach(app -> {
            replaced.remove(ws);
            List<ServerWebSocket> list = sockets.get(app);
            if (list != null) {
                list.remove(ws);
                if (list.isEmpty()) {
                    sockets.remove(app);
                    if (appChannels(app).isEmpty()) {
                        // event-filter.jsonl: an application left with no socket and no channel is gone (404),
                        // and its filter with it; registered again, it starts unfiltered
                        registeredApps.remove(app);
                        eventsAllowed.remove(app);
                        eventsDisallowed.remove(app);
                    }
                }
            }
        }));
    }

    private void emit(SimulatedChannel c, String type, JsonObject fields) {
        JsonObject body = fields.copy().put("channel", AriJson.channel(c));
        for (String app : c.audience()) {
            send(app, type, body);
        }
    }

    private void emitTo(Collection<String> apps, String type, JsonObject fields) {
        for (String app : apps) {
            send(app, type, fields);
        }
    }

    private void send(String app, String type, JsonObject fields) {
        JsonObject event = new JsonObject().put("type", type).put("timestamp", AriJson.timestamp(Instant.now()));
        fields.forEach(e -> event.put(e.getKey(), e.getValue()));
        event.put("asterisk_id", ENTITY_ID).put("application", app);
        eventDecorator.accept(event);
        List<ServerWebSocket> list = sockets.get(app);
        if (list == null || list.isEmpty()) {
            // Asterisk: "Inactive Stasis app ... missed message" - nothing is replayed later
            eventLost(app, type);
            return;
        }
        if (!eventAllowed(app, type)) {
            // stasis_app_event_allowed(): dropped before it is written, and not "missed" either
            return;
        }
        String text = event.encode();
        long at = System.nanoTime();
        for (ServerWebSocket ws : list) {
            ws.writeTextMessage(text);
        }
        eventSent(app, event, at);
    }

    // ---- REST ----------------------------------------------------------------------------------

    private void onRequest(HttpServerRequest req) {
        long arrived = System.nanoTime();
        HttpConnection connection = req.connection();
        Long idle = idleTimers.remove(connection);
        if (idle != null) {
            vertx.cancelTimer(idle);
        }
        // as Asterisk's main/http.c: a connection that carries no new request for session_keep_alive after an
        // answer is closed by the server
        req.response().endHandler(v -> {
            long keepAlive = keepAliveMillis;
            if (keepAlive > 0 && !idleTimers.containsKey(connection)) {
                idleTimers.put(connection, vertx.setTimer(keepAlive, t -> {
                    idleTimers.remove(connection);
                    connection.close();
                }));
            }
        });
        req.body().onSuccess(body -> {
            Map<String, String> query = query(req.query());
            requestArrived(req.method().name(), req.path(), query, arrived);
            if (!authorized(req.getHeader("Authorization"), query.get("api_key"))) {
                reply(req, query, 401, AriJson.error("Authentication required"));
                return;
            }
            Intercept intercept = intercept(req.method().name(), req.path());
            if (intercept != null && intercept.delayMs() > 0) {
                vertx.setTimer(intercept.delayMs(), t -> route(req, query, body, null));
            } else {
                route(req, query, body, intercept);
            }
        });
    }

    private void route(HttpServerRequest req, Map<String, String> q, Buffer body, Intercept intercept) {
        if (intercept != null && intercept.status() > 0) {
            reply(req, q, intercept.status(), intercept.body());
            return;
        }
        String path = req.path();
        HttpMethod m = req.method();
        Matcher mm;
        if (m == HttpMethod.GET && path.equals("/ari/api-docs/resources.json")) {
            reply(req, q, 200, new JsonObject().put("apiVersion", ariVersion).put("swaggerVersion", "1.1")
                    .put("basePath", url() + "/ari").put("apis", new JsonArray()));
        } else if (m == HttpMethod.GET && path.equals("/ari/asterisk/ping")) {
            // shape of Asterisk 22.10.1's answer (src/test/resources/ari-captures/README.md)
            reply(req, q, 200, new JsonObject().put("ping", "pong").put("timestamp", AriJson.timestamp(java.time.Instant.now()))
                    .put("asterisk_id", ENTITY_ID));
        } else if (m == HttpMethod.GET && path.equals("/ari/asterisk/info")) {
            reply(req, q, 200, new JsonObject().put("system", new JsonObject().put("version", asteriskVersion)
                    .put("entity_id", ENTITY_ID)).put("config", new JsonObject().put("default_language", "en")));
        } else if (m == HttpMethod.GET && path.equals("/ari/applications")) {
            // ws-reconnect: while disconnected, GET /applications still lists the app with its channel_ids
            JsonArray apps = new JsonArray();
            registeredApps.forEach(a -> apps.add(applicationJson(a)));
            reply(req, q, 200, apps);
        } else if ((mm = APPLICATION.matcher(path)).matches()) {
            if ("/eventFilter".equals(mm.group(2))) {
                eventFilter(req, q, mm.group(1), body);
            } else {
                application(req, q, mm.group(1), mm.group(2) != null);
            }
        } else if (m == HttpMethod.GET && path.equals("/ari/channels")) {
            JsonArray list = new JsonArray();
            channels.values().forEach(c -> list.add(AriJson.channel(c)));
            reply(req, q, 200, list);
        } else if (m == HttpMethod.POST && path.equals("/ari/channels")) {
            originate(req, q);
        } else if ((mm = CHANNEL.matcher(path)).matches()) {
            channel(req, q, mm.group(1), mm.group(2) == null ? "" : mm.group(2));
        } else if ((mm = PLAYBACK.matcher(path)).matches()) {
            playback(req, q, mm.group(1));
        } else if (path.equals("/ari/recordings/live")) {
            reply(req, q, 405, null);
        } else if ((mm = LIVE.matcher(path)).matches()) {
            liveRecording(req, q, mm.group(1), mm.group(2) == null ? "" : mm.group(2));
        } else if (m == HttpMethod.GET && path.equals("/ari/recordings/stored")) {
            JsonArray list = new JsonArray();
            stored.values().forEach(f -> list.add(new JsonObject().put("name", f.name).put("format", f.format)));
            reply(req, q, 200, list);
        } else if ((mm = STORED.matcher(path)).matches()) {
            storedRecording(req, q, mm.group(1), mm.group(2) == null ? "" : mm.group(2));
        } else if ((mm = USER_EVENT.matcher(path)).matches() && m == HttpMethod.POST) {
            userEventRequest(req, q, mm.group(1), body);
        } else {
            reply(req, q, 404, AriJson.error("Resource not found"));
        }
    }

    private void application(HttpServerRequest req, Map<String, String> q, String app, boolean subscription) {
        if (!registeredApps.contains(app) && channels.values().stream().noneMatch(c -> c.audience().contains(app))) {
            reply(req, q, 404, AriJson.error("Application not found"));
            return;
        }
        if (!subscription) {
            if (req.method() == HttpMethod.GET) {
                reply(req, q, 200, applicationJson(app));
            } else {
                reply(req, q, 405, null);
            }
            return;
        }
        String source = q.get("eventSource");
        if (source == null) {
            reply(req, q, 400, AriJson.error("Missing parameter eventSource"));
            return;
        }
        if (!source.startsWith("channel:")) {
            reply(req, q, 400, AriJson.error("Invalid event source URI scheme"));
            return;
        }
        SimulatedChannel c = channels.get(source.substring("channel:".length()));
        if (req.method() == HttpMethod.POST) {
            if (c == null) {
                reply(req, q, 422, AriJson.error("Event source does not exist"));
                return;
            }
            c.subscribedApps.add(app);
            reply(req, q, 200, applicationJson(app));
        } else if (req.method() == HttpMethod.DELETE) {
            if (c == null || !c.subscribedApps.remove(app)) {
                reply(req, q, 422, AriJson.error("Event source was not subscribed to"));
                return;
            }
            reply(req, q, 200, applicationJson(app));
        } else {
            reply(req, q, 405, null);
        }
    }

    /**
     * PUT /applications/{app}/eventFilter as res/stasis/app.c's app_event_filter_set and event-filter.jsonl: the
     * body is the filter; {} clears both lists; a list given replaces that list, one not given is kept; a list
     * that is not an array of objects with a non-empty string "type" is refused with 400 and changes nothing
     * (Asterisk checks the disallowed list first and may have set it when the allowed one fails: ASSUMPTION, not
     * captured, the double changes nothing). An application without a socket or channel is 404.
     */
    private void eventFilter(HttpServerRequest req, Map<String, String> q, String app, Buffer body) {
        if (req.method() != HttpMethod.PUT) {
            reply(req, q, 405, null);
            return;
        }
        if (!registeredApps.contains(app) && appChannels(app).isEmpty()) {
            reply(req, q, 404, AriJson.error("Application not found"));
            return;
        }
        JsonObject filter;
        try {
            filter = body == null || body.length() == 0 ? new JsonObject() : new JsonObject(body);
        } catch (RuntimeException e) {
            reply(req, q, 400, AriJson.error("Invalid format definition"));
            return;
        }
        JsonArray allowed = filterList(filter, "allowed");
        JsonArray disallowed = filterList(filter, "disallowed");
        if (allowed == INVALID_FILTER || disallowed == INVALID_FILTER) {
            reply(req, q, 400, AriJson.error("Invalid format definition"));
            return;
        }
        if (filter.isEmpty()) {
            eventsAllowed.remove(app);
            eventsDisallowed.remove(app);
        }
        if (allowed != null) {
            eventsAllowed.put(app, allowed);
        }
        if (disallowed != null) {
            eventsDisallowed.put(app, disallowed);
        }
        reply(req, q, 200, applicationJson(app));
    }

    private static final JsonArray INVALID_FILTER = new JsonArray();

    /** The list under {@code key}: null when absent, INVALID_FILTER when not a list of {"type": "..."}. */
    private static JsonArray filterList(JsonObject filter, String key) {
        if (!filter.containsKey(key)) {
            return null;
        }
        if (!(filter.getValue(key) instanceof JsonArray list)) {
            return INVALID_FILTER;
        }
        for (Object item : list) {
            if (!(item instanceof JsonObject o) || !(o.getValue("type") instanceof String t) || t.isEmpty()) {
                return INVALID_FILTER;
            }
        }
        return list.copy();
    }

    /** stasis_app_event_allowed(): not disallowed, and allowed (an empty or absent allowed list allows all). */
    private boolean eventAllowed(String app, String type) {
        if (listsType(eventsDisallowed.get(app), type)) {
            return false;
        }
        JsonArray allowed = eventsAllowed.get(app);
        return allowed == null || allowed.isEmpty() || listsType(allowed, type);
    }

    private static boolean listsType(JsonArray list, String type) {
        if (list == null) {
            return false;
        }
        for (Object item : list) {
            if (type.equals(((JsonObject) item).getString("type"))) {
                return true;
            }
        }
        return false;
    }

    /** The Application model, with the filter's lists as Asterisk shows them. */
    private JsonObject applicationJson(String app) {
        return AriJson.application(app, appChannels(app))
                .put("events_allowed", eventsAllowed.getOrDefault(app, new JsonArray()).copy())
                .put("events_disallowed", eventsDisallowed.getOrDefault(app, new JsonArray()).copy());
    }

    private List<String> appChannels(String app) {
        return channels.values().stream().filter(c -> c.audience().contains(app)).map(c -> c.id).toList();
    }

    private void channel(HttpServerRequest req, Map<String, String> q, String id, String action) {
        SimulatedChannel c = channels.get(id);
        HttpMethod m = req.method();
        if (action.equals("/snoop") && m == HttpMethod.POST) {
            snoop(req, q, c);
            return;
        }
        if (c == null) {
            reply(req, q, 404, AriJson.error("Channel not found"));
            return;
        }
        switch (action) {
            case "" -> {
                if (m == HttpMethod.GET) {
                    reply(req, q, 200, AriJson.channel(c));
                } else if (m == HttpMethod.DELETE) {
                    reply(req, q, 204, null);
                    hangup(c, true);
                } else {
                    reply(req, q, 405, null);
                }
            }
            case "/answer" -> {
                if (!c.inStasis()) {
                    reply(req, q, 409, AriJson.error("Channel not in Stasis application"));
                    return;
                }
                if (!"Up".equals(c.state)) {
                    c.state = "Up";
                    emit(c, "ChannelStateChange", new JsonObject());
                }
                reply(req, q, 204, null);
            }
            case "/play" -> play(req, q, c);
            case "/variable" -> {
                String name = q.get("variable");
                if (name == null) {
                    // ASSUMPTION: the fixtures do not show this error body
                    reply(req, q, 400, AriJson.error("Variable name is required"));
                    return;
                }
                if (m == HttpMethod.POST) {
                    // ASSUMPTION (not captured): set at once. Asterisk's source queues it on the channel like
                    // /continue (204 at once, applied after the channel's playback); the order of the two is kept either way
                    c.variables.put(name, q.getOrDefault("value", ""));
                    reply(req, q, 204, null);
                    emit(c, "ChannelVarset", new JsonObject().put("variable", name).put("value", q.getOrDefault("value", "")));
                } else {
                    // ASSUMPTION: GET answers {"value": ...}; CHANNEL(linkedid) is the channel's own id here
                    String value = name.equals("CHANNEL(linkedid)") ? c.id : c.variables.get(name);
                    if (value == null) {
                        reply(req, q, 404, AriJson.error("Provided variable was not found"));
                    } else {
                        reply(req, q, 200, new JsonObject().put("value", value));
                    }
                }
            }
            case "/dtmf" -> {
                // errors.jsonl: 409 once the channel has left Stasis, 400 without dtmf
                if (!c.inStasis()) {
                    reply(req, q, 409, AriJson.error("Channel not in Stasis application"));
                    return;
                }
                if (q.get("dtmf") == null || q.get("dtmf").isEmpty()) {
                    reply(req, q, 400, AriJson.error("DTMF is required"));
                    return;
                }
                // command-queue-vs-playback: 204 at once, sent only after the channel's playback ends.
                // ASSUMPTION: DTMF sent *to* a channel raises no event for that channel's own application
                // (on a Local pair the digit is received by the other half, which the double does not model).
                reply(req, q, 204, null);
                runChannelCommand(c, () -> { });
            }
            case "/continue" -> {
                if (!c.inStasis()) {
                    reply(req, q, 409, AriJson.error("Channel not in Stasis application"));
                    return;
                }
                reply(req, q, 204, null);
                // held behind a playback on the same channel until it ends (command-queue-vs-playback)
                runChannelCommand(c, () -> continueInDialplan(c, q));
            }
            case "/record" -> record(req, q, c);
            default -> reply(req, q, 404, AriJson.error("Resource not found"));
        }
    }

    /**
     * POST /channels. Only the error answers of errors.jsonl are modelled: calls come in through
     * {@link #placeCall}, the double does not dial out.
     */
    private void originate(HttpServerRequest req, Map<String, String> q) {
        String endpoint = q.get("endpoint");
        if (endpoint == null || endpoint.isEmpty()) {
            reply(req, q, 400, AriJson.error("Endpoint must be specified"));
            return;
        }
        String tech = endpoint.contains("/") ? endpoint.substring(0, endpoint.indexOf('/')) : endpoint;
        if (!Set.of("Local", "PJSIP").contains(tech)) {
            // errors.jsonl: endpoint=Bogus/xyz; note the key "error", not "message"
            reply(req, q, 500, new JsonObject().put("error", "Allocation failed"));
            return;
        }
        // ASSUMPTION: not modelled; a loud answer rather than a made-up channel
        reply(req, q, 501, AriJson.error("the simulated Asterisk does not originate calls; use placeCall"));
    }

    private void runChannelCommand(SimulatedChannel c, Runnable command) {
        if (c.playbacks.isEmpty()) {
            command.run();
        } else {
            c.heldCommands.addLast(command);
        }
    }

    private void continueInDialplan(SimulatedChannel c, Map<String, String> q) {
        if (c.gone || !c.inStasis()) {
            return;
        }
        emit(c, "StasisEnd", new JsonObject());
        c.stasisApp = null;
        // continue-and-subscribe, sipp-call-continue: STASISSTATUS is set while the snapshot still shows
        // the Stasis() priority; only the ChannelDialplan events show the new location
        c.variables.put("STASISSTATUS", "SUCCESS");
        emit(c, "ChannelVarset", new JsonObject().put("variable", "STASISSTATUS").put("value", "SUCCESS"));
        if (q.get("context") != null) {
            c.context = q.get("context");
            c.exten = q.getOrDefault("extension", "s");
            c.priority = Long.parseLong(q.getOrDefault("priority", "1"));
        } else {
            c.priority = c.priority + 1;
        }
        // ASSUMPTION: wherever the channel is continued to, the double runs the fixtures' dialplan
        // after-consent,s: NoOp(${CONTEXT} ${CHANNEL}), Answer(), Wait(120), one priority each
        // (the real dialplan of a deployment differs; events reach only subscribed applications)
        dialplanStep(c, "NoOp", c.context + " " + c.name);
        c.priority++;
        dialplanStep(c, "Answer", "");
        c.priority++;
        dialplanStep(c, "Wait", "120");
        phoneListener.continued(c.id);
    }

    private void dialplanStep(SimulatedChannel c, String app, String data) {
        c.appName = app;
        c.appData = data;
        emit(c, "ChannelDialplan", new JsonObject().put("dialplan_app", app).put("dialplan_app_data", data));
    }

    private void play(HttpServerRequest req, Map<String, String> q, SimulatedChannel c) {
        if (!c.inStasis()) {
            reply(req, q, 409, AriJson.error("Channel not in Stasis application"));
            return;
        }
        String media = q.get("media");
        if (media == null) {
            // ASSUMPTION: the fixtures do not show this error body
            reply(req, q, 400, AriJson.error("missing parameter media"));
            return;
        }
        String id = q.getOrDefault("playbackId", java.util.UUID.randomUUID().toString());
        SimulatedPlayback p = new SimulatedPlayback(id, media, q.getOrDefault("lang", c.language), c.id);
        playbacks.put(id, p);
        reply(req, q, 201, AriJson.playback(p));
        c.playbacks.addLast(p);
        if (c.playbacks.size() == 1) {
            startPlayback(c, p);
        }
    }

    private void startPlayback(SimulatedChannel c, SimulatedPlayback p) {
        p.state = "playing";
        emitPlayback(c, "PlaybackStarted", p);
        if (missingMedia.contains(p.media)) {
            finishPlayback(c, p, "failed");
            return;
        }
        if (p.media.startsWith("bogus:")) {
            // errors.jsonl: an unsupported scheme starts and never finishes, yet it does not occupy the
            // channel: the next playback started at once and a later /continue took effect at once.
            // ASSUMPTION (not captured): GET/DELETE /playbacks/{id} of it then answer 404.
            c.playbacks.remove(p);
            playbacks.remove(p.id);
            SimulatedPlayback next = c.playbacks.peekFirst();
            if (next != null) {
                startPlayback(c, next);
            } else {
                while (!c.heldCommands.isEmpty() && c.playbacks.isEmpty()) {
                    c.heldCommands.removeFirst().run();
                }
            }
            return;
        }
        phoneListener.promptStarted(c.id, p.media);
        long ms = playbackMs.getOrDefault(p.media, defaultPlaybackMs);
        p.finishTimer = vertx.setTimer(Math.max(1, ms), t -> {
            p.finishTimer = -1;
            if (c.playbacks.peekFirst() == p) {
                finishPlayback(c, p, "done");
            }
        });
    }

    private void finishPlayback(SimulatedChannel c, SimulatedPlayback p, String state) {
        if (p.finishTimer >= 0) {
            vertx.cancelTimer(p.finishTimer);
            p.finishTimer = -1;
        }
        p.state = state;
        c.playbacks.remove(p);
        playbacks.remove(p.id);
        emitPlayback(c, "PlaybackFinished", p);
        SimulatedPlayback next = c.playbacks.peekFirst();
        if (next != null && !c.gone) {
            startPlayback(c, next);
        } else {
            while (!c.heldCommands.isEmpty() && c.playbacks.isEmpty()) {
                c.heldCommands.removeFirst().run();
            }
        }
    }

    private void emitPlayback(SimulatedChannel c, String type, SimulatedPlayback p) {
        emitTo(c.audience(), type, new JsonObject().put("playback", AriJson.playback(p)));
    }

    private void playback(HttpServerRequest req, Map<String, String> q, String id) {
        SimulatedPlayback p = playbacks.get(id);
        if (p == null) {
            // ASSUMPTION: the fixtures do not show this body
            reply(req, q, 404, AriJson.error("Playback not found"));
            return;
        }
        if (req.method() == HttpMethod.GET) {
            reply(req, q, 200, AriJson.playback(p));
        } else if (req.method() == HttpMethod.DELETE) {
            reply(req, q, 204, null);
            SimulatedChannel c = channels.get(p.channelId);
            if (c != null) {
                finishPlayback(c, p, "done");
            }
        } else {
            reply(req, q, 405, null);
        }
    }

    private void snoop(HttpServerRequest req, Map<String, String> q, SimulatedChannel spied) {
        if (spied == null) {
            reply(req, q, 404, AriJson.error("Provided channel was not found"));
            return;
        }
        String spy = q.getOrDefault("spy", "none");
        if (!Set.of("none", "both", "in", "out").contains(spy)) {
            reply(req, q, 400, AriJson.error("Invalid direction specified for spy"));
            return;
        }
        String app = q.get("app");
        if (app == null) {
            reply(req, q, 400, AriJson.error("Application name is required"));
            return;
        }
        String id = q.getOrDefault("snoopId", "1795538474." + (++channelSeq));
        SimulatedChannel s = newSnoop(spied, id);
        s.spy = spy;
        Runnable enter = () -> enterStasis(s, app, q.get("appArgs"));
        JsonObject response = AriJson.channel(s);
        if (snoopStasisDelayMs > 0) {
            reply(req, q, 200, response);
            vertx.setTimer(snoopStasisDelayMs, t -> enter.run());
        } else if (snoopStartBeforeResponse) {
            enter.run();
            reply(req, q, 200, response);
        } else {
            reply(req, q, 200, response);
            vertx.setTimer(2, t -> enter.run());
        }
    }

    private SimulatedChannel newSnoop(SimulatedChannel spied, String id) {
        SimulatedChannel s = new SimulatedChannel(id, "Snoop/" + spied.id + "-" + String.format("%08x", ++snoopSeq), Instant.now());
        s.state = "Up";
        s.callerName = "";
        s.callerNumber = "";
        s.connectedName = "";
        s.connectedNumber = "";
        s.context = "default";
        s.exten = "s";
        s.priority = 1;
        s.appName = "";
        s.appData = "";
        s.language = "en";
        s.spiedChannelId = spied.id;
        channels.put(id, s);
        return s;
    }

    private void enterStasis(SimulatedChannel s, String app, String appArgs) {
        if (s.gone) {
            return;
        }
        JsonArray args = new JsonArray();
        if (appArgs != null) {
            args.add(appArgs);
        }
        s.appName = "Stasis";
        s.appData = app + (appArgs != null ? "," + appArgs : "");
        s.stasisApp = app;
        emit(s, "StasisStart", new JsonObject().put("args", args));
    }

    private void record(HttpServerRequest req, Map<String, String> q, SimulatedChannel c) {
        String name = q.get("name");
        if (name == null) {
            reply(req, q, 500, AriJson.error("Error parsing request"));
            return;
        }
        String format = q.get("format");
        if (format == null || !FORMATS.contains(format)) {
            reply(req, q, 422, AriJson.error("specified format is unknown on this system"));
            return;
        }
        String ifExists = q.getOrDefault("ifExists", "fail");
        if (!Set.of("fail", "overwrite", "append").contains(ifExists)) {
            reply(req, q, 400, AriJson.error("ifExists invalid"));
            return;
        }
        if (Integer.parseInt(q.getOrDefault("maxDurationSeconds", "0")) < 0) {
            reply(req, q, 400, AriJson.error("max_duration_seconds cannot be negative"));
            return;
        }
        if (!Set.of("none", "any", "*", "#").contains(q.getOrDefault("terminateOn", "none"))) {
            reply(req, q, 400, AriJson.error("terminateOn invalid"));
            return;
        }
        if (!c.inStasis()) {
            reply(req, q, 409, AriJson.error("Channel not in Stasis application"));
            return;
        }
        if (live.containsKey(name) || (stored.containsKey(name) && ifExists.equals("fail"))) {
            reply(req, q, 409, AriJson.error("Recording '" + name + "' already exists and can not be overwritten"));
            return;
        }
        SimulatedRecording r = new SimulatedRecording(name, format, c.id, System.nanoTime());
        r.legacyMuteFlagBug = legacyMuteBug;
        if (c.isSnoop() && c.spy != null) {
            r.direction = c.spy;
        }
        live.put(name, r);
        reply(req, q, 201, AriJson.recording(r, "queued", false));
        emitTo(c.audience(), "RecordingStarted", new JsonObject().put("recording", AriJson.recording(r, "recording", false)));
    }

    private void liveRecording(HttpServerRequest req, Map<String, String> q, String name, String action) {
        SimulatedRecording r = live.get(name);
        if (r == null) {
            reply(req, q, 404, AriJson.error("Recording not found"));
            return;
        }
        HttpMethod m = req.method();
        long now = System.nanoTime();
        switch (action) {
            case "" -> {
                if (m == HttpMethod.GET) {
                    reply(req, q, 200, AriJson.recording(r, r.state(), false));
                } else if (m == HttpMethod.DELETE) {
                    // ASSUMPTION (not captured): cancel answers 204, ends with RecordingFinished state "canceled"
                    // and leaves no stored file
                    reply(req, q, 204, null);
                    endRecording(r, "canceled", false);
                } else {
                    reply(req, q, 405, null);
                }
            }
            case "/pause" -> {
                if (m == HttpMethod.POST) {
                    r.pause(now);
                } else {
                    r.unpause(now);
                }
                reply(req, q, 204, null);
            }
            case "/mute" -> {
                // ASSUMPTION (not captured): mute answers 204 and writes silence; the live state stays
                // "recording" (LiveRecording has no muted field in the api-docs)
                if (m == HttpMethod.POST) {
                    r.mute(now);
                } else {
                    r.unmute(now);
                }
                reply(req, q, 204, null);
            }
            case "/stop" -> {
                reply(req, q, 204, null);
                endRecording(r, "done", true);
            }
            default -> reply(req, q, 404, AriJson.error("Resource not found"));
        }
    }

    private void endRecording(SimulatedRecording r, String state, boolean keep) {
        if (live.remove(r.name) == null) {
            return;
        }
        r.finish(System.nanoTime());
        if (keep) {
            stored.put(r.name, storedFile(r));
        }
        SimulatedChannel c = channels.get(r.channelId);
        Set<String> audience = c != null ? c.audience() : Set.of(user);
        emitTo(audience, "RecordingFinished", new JsonObject().put("recording", AriJson.recording(r, state, true)));
    }

    private void storedRecording(HttpServerRequest req, Map<String, String> q, String name, String action) {
        StoredFile f = stored.get(name);
        if (f == null) {
            reply(req, q, 404, AriJson.error("Recording not found"));
            return;
        }
        if (action.equals("/file") && req.method() == HttpMethod.GET) {
            log(req, q, 200);
            streamFile(req, f);
        } else if (action.isEmpty() && req.method() == HttpMethod.GET) {
            reply(req, q, 200, new JsonObject().put("name", f.name).put("format", f.format));
        } else if (action.isEmpty() && req.method() == HttpMethod.DELETE) {
            storedRecordingDeleted(stored.remove(name));
            reply(req, q, 204, null);
        } else if (action.equals("/copy") && req.method() == HttpMethod.POST) {
            String destination = q.get("destinationRecordingName");
            if (destination == null || destination.isEmpty()) {
                // ASSUMPTION: the fixtures do not show this error body
                reply(req, q, 400, AriJson.error("Missing parameter destinationRecordingName"));
            } else if (stored.containsKey(destination)) {
                // errors.jsonl
                reply(req, q, 409, AriJson.error("A recording with the same name already exists on the system"));
            } else {
                // ASSUMPTION (not captured): 200 with the new StoredRecording
                stored.put(destination, f.copyAs(destination));
                reply(req, q, 200, new JsonObject().put("name", destination).put("format", f.format));
            }
        } else {
            reply(req, q, 405, null);
        }
    }

    /** Streams with back-pressure, so a 200 MB file never sits in memory here either. */
    private void streamFile(HttpServerRequest req, StoredFile f) {
        var res = req.response().setStatusCode(200).putHeader("content-type", "audio/wav")
                .putHeader("content-length", String.valueOf(f.size));
        long[] offset = {0};
        long end = Math.min(f.size, stalls.containsKey(f.name) ? stalls.remove(f.name) : f.size);
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            while (offset[0] < end && !res.writeQueueFull()) {
                int n = (int) Math.min(64 * 1024, end - offset[0]);
                res.write(f.slice(offset[0], n));
                offset[0] += n;
            }
            if (offset[0] >= f.size) {
                // a drain after the end (a client that reads slowly) must not end the response twice
                res.drainHandler(null);
                res.end();
            } else if (offset[0] >= end) {
                // stalled: the rest never comes
                res.drainHandler(null);
            } else {
                res.drainHandler(v -> pump[0].run());
            }
        };
        pump[0].run();
    }

    private void userEventRequest(HttpServerRequest req, Map<String, String> q, String eventName, Buffer body) {
        String app = q.get("application");
        // application-replaced (captured): once its last consumer closed, an application with nothing subscribed
        // answers 404 "Application not found". ASSUMPTION: one that still has channels subscribed is found (as
        // GET /applications finds it in ws-reconnect), and the event is lost
        if (app == null || (!sockets.containsKey(app) && channels.values().stream().noneMatch(c -> c.audience().contains(app)))) {
            reply(req, q, 404, AriJson.error("Application not found"));
            return;
        }
        String source = q.get("source");
        SimulatedChannel c = source != null && source.startsWith("channel:") ? channels.get(source.substring(8)) : null;
        if (source != null && c == null) {
            reply(req, q, 422, AriJson.error("Event source not found"));
            return;
        }
        // a body's variables go into the event's userevent beside its name (event-rehearsal, captured)
        JsonObject userevent = new JsonObject();
        try {
            JsonObject variables = body == null || body.length() == 0 ? null : new JsonObject(body).getJsonObject("variables");
            if (variables != null) {
                variables.forEach(v -> userevent.put(v.getKey(), String.valueOf(v.getValue())));
            }
        } catch (RuntimeException e) {
            // ASSUMPTION (not captured): a body that is not a JSON object of variables is refused and nothing is sent
            reply(req, q, 400, AriJson.error("Request body is not valid JSON"));
            return;
        }
        userevent.put("eventname", eventName);
        // the frame is written before the 204 (event-rehearsal, captured); success answers 204 (application-replaced)
        JsonObject fields = new JsonObject().put("eventname", eventName).put("userevent", userevent);
        if (c != null) {
            fields.put("channel", AriJson.channel(c));
        }
        send(app, "ChannelUserevent", fields);
        reply(req, q, 204, null);
    }

    /** Hang-up order from the fixtures: HangupRequest, PlaybackFinished(failed), StasisEnd, snoops, Destroyed. */
    private void hangup(SimulatedChannel c, boolean byApp) {
        if (c.gone) {
            return;
        }
        JsonObject request = byApp ? new JsonObject().put("cause", 32).put("soft", true) : new JsonObject().put("cause", 16);
        emit(c, "ChannelHangupRequest", request);
        if (!byApp && !c.inStasis() && !c.subscribedApps.isEmpty()) {
            emit(c, "ChannelHangupRequest", new JsonObject().put("cause", 16).put("soft", true));
        }
        c.gone = true;
        for (SimulatedPlayback p : new ArrayList<>(c.playbacks)) {
            finishPlayback(c, p, "failed");
        }
        c.heldCommands.clear();
        Set<String> subscribed = Set.copyOf(c.subscribedApps);
        if (c.inStasis()) {
            emit(c, "StasisEnd", new JsonObject());
        }
        String stasisApp = c.stasisApp;
        c.stasisApp = null;
        if (c.isSnoop()) {
            live.values().stream().filter(r -> r.channelId.equals(c.id)).toList()
                    .forEach(r -> endRecordingOn(r, stasisApp));
        } else {
            for (SimulatedChannel s : new ArrayList<>(channels.values())) {
                if (c.id.equals(s.spiedChannelId)) {
                    SimulatedChannel snoop = s;
                    String snoopApp = snoop.stasisApp;
                    live.values().stream().filter(r -> r.channelId.equals(snoop.id)).toList()
                            .forEach(r -> endRecordingOn(r, snoopApp));
                    snoop.gone = true;
                    if (snoop.inStasis()) {
                        emit(snoop, "StasisEnd", new JsonObject());
                    }
                    snoop.stasisApp = null;
                    channels.remove(snoop.id);
                }
            }
        }
        if (!subscribed.isEmpty()) {
            c.subscribedApps.clear();
            c.subscribedApps.addAll(subscribed);
            // continue-and-subscribe, sipp-call-continue: the destroyed snapshot keeps context, exten and
            // priority but has an empty app_name and app_data
            c.appName = "";
            c.appData = "";
            emit(c, "ChannelDestroyed", new JsonObject().put("cause", 16).put("cause_txt", "Normal Clearing"));
        }
        c.subscribedApps.clear();
        channels.remove(c.id);
        if (!c.isSnoop()) {
            phoneListener.hungUp(c.id);
        }
    }

    private void endRecordingOn(SimulatedRecording r, String app) {
        live.remove(r.name);
        r.finish(System.nanoTime());
        stored.put(r.name, storedFile(r));
        if (app != null) {
            send(app, "RecordingFinished", new JsonObject().put("recording", AriJson.recording(r, "done", true)));
        }
    }

    private void reply(HttpServerRequest req, Map<String, String> q, int status, Object body) {
        log(req, q, status);
        var res = req.response().setStatusCode(status);
        if (body == null) {
            res.end();
        } else {
            String text = body instanceof JsonObject o ? o.encode() : ((JsonArray) body).encode();
            res.putHeader("content-type", "application/json").end(text);
        }
    }

    private StoredFile storedFile(SimulatedRecording r) {
        CallSound directional = sound;
        if (synthesizeAudio && directional != null) {
            return StoredFile.of(r.name, r.format, r.wav(directional, originNanos));
        }
        return synthesizeAudio ? StoredFile.of(r.name, r.format, r.wav(audio))
                : StoredFile.generated(r.name, r.format, r.wavSize(), r.startedNanos);
    }

    private void log(HttpServerRequest req, Map<String, String> q, int status) {
        answered(req.method().name(), req.path(), q, status, System.nanoTime(), req.getHeader("User-Agent"));
    }

    private boolean authorized(String header, String apiKey) {
        String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return expected.equals(header) || (user + ":" + password).equals(apiKey);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(java.net.URLDecoder.decode(k, StandardCharsets.UTF_8), java.net.URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    // ---- plumbing ------------------------------------------------------------------------------

    /** Runs on the simulator's context and waits for it. */
    protected final void onContext(Runnable r) {
        call(() -> {
            r.run();
            return null;
        });
    }

    /** Runs on the simulator's context and waits for the result. */
    protected final <T> T call(java.util.concurrent.Callable<T> work) {
        Promise<T> p = Promise.promise();
        context.runOnContext(v -> {
            try {
                p.complete(work.call());
            } catch (Throwable e) {
                p.fail(e);
            }
        });
        return await(p.future());
    }

    /** A timer; called on the simulator's context, it fires there. */
    final long setTimer(long delayMs, Runnable r) {
        return vertx.setTimer(Math.max(1, delayMs), t -> r.run());
    }

    final void cancelTimer(long id) {
        vertx.cancelTimer(id);
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
