package org.consentrecorder.ari;

import ch.loway.oss.ari4java.ARI;
import ch.loway.oss.ari4java.generated.actions.requests.EventsEventWebsocketGetRequest;
import ch.loway.oss.ari4java.generated.models.Message;
import ch.loway.oss.ari4java.tools.AriConnectionEvent;
import ch.loway.oss.ari4java.tools.AriWSCallback;
import ch.loway.oss.ari4java.tools.BaseAriAction;
import ch.loway.oss.ari4java.tools.RestException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * The connection to Asterisk: picks the ari4java binding for the server's ARI version, opens the
 * event WebSocket, reconnects with capped exponential backoff and jitter, and after every
 * (re)connect lets the listener resynchronize from REST state before any new event is acted on
 * (events raised while disconnected are lost; Asterisk re-sends no StasisStart).
 *
 * <p>Everything here runs on one Vert.x context; events are handed to the listener in the order
 * Asterisk sent them.
 */
public final class AriConnection {
    private static final Logger LOG = LoggerFactory.getLogger(AriConnection.class);
    private static final Object LENIENT_ONCE = new Object();
    /** Sent to the old socket when another client registers the same application. */
    static final String REPLACED_EVENT = "ApplicationReplaced";
    private static boolean lenient;

    /**
     * Connection states, logged on every change and shown by /health/ready. {@code REPLACED}: another client
     * registered our application on this Asterisk, which then sends it every event; we stop acting on the
     * server and do not reconnect by ourselves (see {@link #onReplaced}).
     */
    public enum State { STOPPED, CONNECTING, RESYNCING, CONNECTED, DISCONNECTED, REPLACED }

    /** What the application does with the connection. */
    public interface Listener {
        /** Rebuild call state from REST; new events wait until the returned future completes. */
        Future<Void> resync(AriClient client);

        /**
         * Called after the server is known and before the event WebSocket subscribes (so before
         * any event, resync or take-over, and before /health/ready can turn 200): the place to
         * warm the hot path. A failure is logged and the connection goes on.
         */
        default Future<Void> beforeSubscribe(AriClient client, AriEventDecoder decoder) {
            return Future.succeededFuture();
        }

        /**
         * The event types the listener acts on. After every connect Asterisk is asked to send only these (and
         * {@code ApplicationReplaced}, which the connection acts on itself); see {@link EventFilter}. Empty, the
         * default: every type.
         */
        default java.util.Set<String> eventTypes() {
            return java.util.Set.of();
        }

        /** An event as Asterisk sent it; what it means for a call is the listener's business. */
        void onEvent(Message event);

        /**
         * A payment trigger read straight off its frame ({@link TriggerFrame}), before ari4java maps it, so that
         * the pause is decided without that cost. False hands the frame back: it is then decoded and delivered
         * through {@link #onEvent} like any other, in the same order.
         */
        default boolean onTrigger(TriggerFrame trigger) {
            return false;
        }

        /** The event WebSocket is gone: whatever happens on Asterisk now is not reported to us. */
        default void onDisconnected() {
        }
    }

    /** Identity of the server we are connected to, for health and logs. */
    public record ServerInfo(String asteriskVersion, String entityId, String reportedAriVersion, String binding) {
    }

    private final Vertx vertx;
    private final Context context;
    private final AriEndpoint endpoint;
    private final VertxAriHttpClient http;
    private final VertxAriWsClient ws;
    private final Backoff backoff;
    private final Duration resyncTimeout;
    private final Listener listener;

    // written on the connection's context, read by health checks and the call shards
    private volatile State state = State.STOPPED;
    private long generation;
    private ARI ari;
    private volatile AriClient client;
    private volatile ServerInfo server;
    private EventsEventWebsocketGetRequest eventsRequest;
    private AriEventDecoder decoder;
    private final Deque<Message> heldDuringResync = new ArrayDeque<>();
    private long reconnectTimer = -1;
    private final AtomicLong eventsHandled = new AtomicLong();
    private final AtomicLong eventsDropped = new AtomicLong();
    private final AtomicLong triggersStraight = new AtomicLong();
    private volatile boolean eventsFiltered;
    private volatile AriMetrics metrics = AriMetrics.NOOP;

    public AriConnection(Vertx vertx, Context context, AriEndpoint endpoint, HttpClientAgent httpClient,
                         WebSocketClient wsClient, Duration requestTimeout, Duration reconnectMin,
                         Duration reconnectMax, Listener listener) {
        this(vertx, context, endpoint, new VertxAriHttpClient(httpClient, endpoint, requestTimeout), wsClient,
                requestTimeout, reconnectMin, reconnectMax, listener);
    }

    /** With an HTTP client per event loop (see {@link VertxAriHttpClient}). */
    public AriConnection(Vertx vertx, Context context, AriEndpoint endpoint, Supplier<HttpClientAgent> httpClients,
                         WebSocketClient wsClient, Duration requestTimeout, Duration reconnectMin,
                         Duration reconnectMax, Listener listener) {
        this(vertx, context, endpoint, new VertxAriHttpClient(httpClients, endpoint, requestTimeout), wsClient,
                requestTimeout, reconnectMin, reconnectMax, listener);
    }

    /** As above, with the recording controls on pools of their own (see {@link VertxAriHttpClient}). */
    public AriConnection(Vertx vertx, Context context, AriEndpoint endpoint, Supplier<HttpClientAgent> httpClients,
                         Supplier<HttpClientAgent> controlClients, WebSocketClient wsClient, Duration requestTimeout,
                         Duration reconnectMin, Duration reconnectMax, Listener listener) {
        this(vertx, context, endpoint, new VertxAriHttpClient(httpClients, controlClients, endpoint, requestTimeout),
                wsClient, requestTimeout, reconnectMin, reconnectMax, listener);
    }

    private AriConnection(Vertx vertx, Context context, AriEndpoint endpoint, VertxAriHttpClient http,
                          WebSocketClient wsClient, Duration requestTimeout, Duration reconnectMin,
                          Duration reconnectMax, Listener listener) {
        this.vertx = vertx;
        this.context = context;
        this.endpoint = endpoint;
        this.http = http;
        // pinged as often as a request may take: a silent Asterisk is noticed within two of them
        this.ws = new VertxAriWsClient(vertx, wsClient, endpoint, requestTimeout,
                requestTimeout.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : requestTimeout);
        this.backoff = new Backoff(reconnectMin, reconnectMax, () -> ThreadLocalRandom.current().nextDouble());
        this.resyncTimeout = requestTimeout.multipliedBy(6);
        this.listener = listener;
        ws.intercept(this::onFrame);
        enableLenientDecoding();
    }

    /**
     * The pause path's shortcut (issue 14): a trigger frame goes to the listener without ari4java's model
     * mapping, but only while connected. During a resynchronization every event is held in order, and a held
     * trigger must not overtake them, so there it takes the ordinary path; so does every frame that is not
     * a well-formed trigger (TriggerFrame#read). Runs on the socket's context, as the ordinary path does, so
     * the order of a call's events stays the order of the frames.
     */
    private boolean onFrame(String frame) {
        if (state != State.CONNECTED) {
            return false;
        }
        TriggerFrame trigger = TriggerFrame.read(frame);
        if (trigger == null) {
            return false;
        }
        boolean taken;
        try {
            taken = listener.onTrigger(trigger);
        } catch (RuntimeException e) {
            LOG.error("handling ARI event {} failed", trigger.type(), e);
            taken = true;
        }
        if (taken) {
            eventsHandled.incrementAndGet();
            triggersStraight.incrementAndGet();
            // queued behind the call's turn: when the call lives on this loop, its pause goes out first (the
            // count and the lag took 0.2-2 ms of this loop in a fresh process, temporary probes, 2026-11-28)
            AriMetrics m = metrics;
            context.runOnContext(v -> m.triggerDelivered(trigger));
        }
        return taken;
    }

    /** Unknown fields (newer Asterisk) must not cost us an event: ari4java drops them by default. */
    static void enableLenientDecoding() {
        synchronized (LENIENT_ONCE) {
            if (!lenient) {
                BaseAriAction.setObjectMapperLessStrict();
                lenient = true;
            }
        }
    }

    public void start() {
        context.runOnContext(v -> {
            if (state == State.STOPPED) {
                connect();
            }
        });
    }

    public Future<Void> stop() {
        io.vertx.core.Promise<Void> stopped = io.vertx.core.Promise.promise();
        context.runOnContext(x -> {
            change(State.STOPPED, "stopped");
            generation++;
            if (reconnectTimer >= 0) {
                vertx.cancelTimer(reconnectTimer);
            }
            closeEvents();
            stopped.complete();
        });
        return stopped.future();
    }

    /**
     * The event types this connection asks Asterisk for (its event filter) and so expects: the listener's, with
     * {@code ApplicationReplaced}; empty when the listener takes every type.
     */
    public java.util.Set<String> expectedEventTypes() {
        java.util.Set<String> types = listener.eventTypes();
        if (types.isEmpty()) {
            return java.util.Set.of();
        }
        java.util.Set<String> all = new java.util.TreeSet<>(types);
        all.add(REPLACED_EVENT);
        return java.util.Collections.unmodifiableSet(all);
    }

    public State state() {
        return state;
    }

    /** Reports state changes, events and REST requests to {@code metrics} from now on. */
    public void useMetrics(AriMetrics metrics) {
        this.metrics = java.util.Objects.requireNonNull(metrics);
        http.useMetrics(metrics);
    }

    /** Names this instance in the User-Agent of every REST request (see {@link VertxAriHttpClient#identifyAs}). */
    public void identifyAs(String instanceId) {
        http.identifyAs(instanceId);
    }

    /** Where this connection goes, for status pages (no credentials). */
    public AriEndpoint endpoint() {
        return endpoint;
    }

    public boolean connected() {
        return state == State.CONNECTED;
    }

    /** The client for REST calls; null until the first successful version detection. */
    public AriClient client() {
        return client;
    }

    public ServerInfo server() {
        return server;
    }

    public long eventsHandled() {
        return eventsHandled.get();
    }

    public long eventsDropped() {
        return eventsDropped.get();
    }

    /** Whether Asterisk took the event filter on the current connection (see {@link EventFilter}). */
    public boolean eventsFiltered() {
        return eventsFiltered;
    }

    /** Of the events handled, the triggers that went straight from their frame to the calls (TriggerFrame). */
    public long triggersStraight() {
        return triggersStraight.get();
    }

    // ---- connecting ----------------------------------------------------------------------------

    private void connect() {
        long gen = ++generation;
        change(State.CONNECTING, "connecting to " + endpoint.describe());
        detectServer().onComplete(ar -> {
            if (gen != generation) {
                return;
            }
            if (ar.failed()) {
                retryLater("cannot read the ARI version: " + ar.cause().getMessage());
                return;
            }
            warmThenOpen(gen);
        });
    }

    private void warmThenOpen(long gen) {
        Future<Void> warm;
        try {
            if (decoder == null || decoder.binding() != ari.getVersion()) {
                decoder = new AriEventDecoder(ari.getVersion());
            }
            warm = listener.beforeSubscribe(client, decoder);
        } catch (RuntimeException e) {
            warm = Future.failedFuture(e);
        }
        warm.timeout(resyncTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("warming the hot path before subscribing failed: {}", ExternalText.forLog(ar.cause().getMessage()));
            }
            if (gen == generation) {
                openEvents(gen);
            }
        });
    }

    /** Reads resources.json and asterisk/info with plain HTTP: ari4java cannot be built before we know the version. */
    private Future<Void> detectServer() {
        Future<VertxAriHttpClient.Response> resources = http.send("GET", "/api-docs/resources.json", List.of(), null);
        return resources.compose(res -> {
            if (res.status() == 401) {
                return Future.failedFuture("ARI refused the credentials of user '" + endpoint.user() + "' (HTTP 401)");
            }
            if (!res.ok()) {
                return Future.failedFuture("HTTP " + res.status() + " from " + endpoint.ariPath() + "/api-docs/resources.json");
            }
            String reported = new JsonObject(res.body().toString(StandardCharsets.UTF_8)).getString("apiVersion");
            AriBindingSelector.Choice choice;
            try {
                choice = AriBindingSelector.select(reported);
            } catch (RuntimeException e) {
                return Future.failedFuture(e.getMessage());
            }
            choice.warning().ifPresent(LOG::warn);
            if (ari == null || ari.getVersion() != choice.binding()) {
                ARI built = new ARI();
                built.setAppName(endpoint.application());
                built.setVersion(choice.binding());
                built.setHttpClient(http);
                built.setWsClient(ws);
                ari = built;
                client = new AriClient(built, http, endpoint.application());
            }
            return http.send("GET", "/asterisk/info", List.of(), null).map(info -> {
                String version = "unknown";
                String entity = null;
                if (info.ok()) {
                    JsonObject system = new JsonObject(info.body().toString(StandardCharsets.UTF_8)).getJsonObject("system");
                    if (system != null) {
                        version = system.getString("version", version);
                        entity = system.getString("entity_id");
                    }
                }
                server = new ServerInfo(version, entity, reported, choice.binding().version());
                return null;
            });
        });
    }

    private void openEvents(long gen) {
        closeEvents();
        try {
            eventsRequest = ari.events().eventWebsocket(endpoint.application());
        } catch (RestException e) {
            retryLater("cannot build the events request: " + e.getMessage());
            return;
        }
        eventsRequest.execute(new AriWSCallback<>() {
            @Override
            public void onConnectionEvent(AriConnectionEvent event) {
                if (gen != generation) {
                    return;
                }
                if (event == AriConnectionEvent.WS_CONNECTED) {
                    onOpen(gen);
                } else {
                    onClosed("the event WebSocket closed");
                }
            }

            @Override
            public void onSuccess(Message message) {
                if (gen == generation) {
                    onMessage(message);
                }
            }

            @Override
            public void onFailure(RestException e) {
                if (gen != generation) {
                    return;
                }
                if (state == State.CONNECTING) {
                    LOG.warn("ARI event WebSocket: {}", ExternalText.forLog(e.getMessage()));
                } else {
                    // a frame ari4java could not decode (malformed JSON, an event type it does not know)
                    eventsDropped.incrementAndGet();
                    LOG.warn("ARI event dropped, it could not be decoded: {}", ExternalText.forLog(firstLine(e.getMessage())));
                }
            }
        });
    }

    private void onOpen(long gen) {
        backoff.reset();
        change(State.RESYNCING, "event WebSocket open to Asterisk " + server.asteriskVersion()
                + " (ARI " + server.reportedAriVersion() + ", binding " + server.binding() + "); resynchronizing");
        filterEvents(gen);
        Future<Void> resync;
        try {
            resync = listener.resync(client);
        } catch (RuntimeException e) {
            resync = Future.failedFuture(e);
        }
        resync.timeout(resyncTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).onComplete(ar -> {
            if (gen != generation) {
                return;
            }
            if (ar.failed()) {
                // acting on events without knowing the calls' state could record the wrong call
                LOG.error("resynchronization after connect failed: {}", ExternalText.forLog(ar.cause().getMessage()));
                heldDuringResync.clear();
                closeEvents();
                retryLater("resynchronization failed");
                return;
            }
            change(State.CONNECTED, "connected; " + heldDuringResync.size() + " event(s) held during resync now delivered");
            while (!heldDuringResync.isEmpty() && gen == generation) {
                deliver(heldDuringResync.removeFirst());
            }
        });
    }

    /**
     * Asks Asterisk for the listener's event types only. The application exists on Asterisk only once its
     * WebSocket is open, and Asterisk forgets the filter with the application, so this is done on every open.
     * Events sent before the answer are decoded and ignored as before; so is everything when Asterisk refuses
     * the filter (it is then logged), which costs time but loses nothing.
     */
    private void filterEvents(long gen) {
        eventsFiltered = false;
        EventFilter filter;
        try {
            java.util.Set<String> types = expectedEventTypes();
            if (types.isEmpty()) {
                return;
            }
            filter = EventFilter.allowing(types);
        } catch (RuntimeException e) {
            LOG.error("reading the listener's event types failed; every event type stays subscribed", e);
            return;
        }
        http.send("PUT", filter.path(endpoint.application()), List.of(), filter.body()).onComplete(ar -> {
            if (gen != generation) {
                return;
            }
            if (ar.succeeded() && ar.result().ok()) {
                eventsFiltered = true;
                LOG.info("Asterisk sends this application {} event types only", filter.size());
            } else {
                LOG.warn("Asterisk did not take the event filter ({}): it sends every event type, and those not acted "
                        + "on are decoded and ignored", ar.succeeded() ? "HTTP " + ar.result().status()
                        : ExternalText.forLog(ar.cause().getMessage()));
            }
        });
    }

    private void onMessage(Message message) {
        if (REPLACED_EVENT.equals(message.getType())) {
            onReplaced();
            return;
        }
        if (state == State.RESYNCING) {
            heldDuringResync.addLast(message);
        } else {
            deliver(message);
        }
    }

    private void deliver(Message message) {
        eventsHandled.incrementAndGet();
        metrics.eventDelivered(message);
        try {
            listener.onEvent(message);
        } catch (RuntimeException e) {
            LOG.error("handling ARI event {} failed", ExternalText.forLog(message.getType()), e);
        }
    }

    /**
     * Asterisk keeps one consumer per application: when another client opens an event WebSocket for it, the old
     * socket is told {@code ApplicationReplaced} and then kept open, answering pings but carrying no event
     * (captured from Asterisk 22.10.1: {@code src/test/resources/ari-captures/application-replaced.jsonl}). An
     * instance that went on as if connected would act blind: its sweep would see the other consumer's snoop
     * channels among the application's channels, own none of them and hang them up, ending recordings in the
     * middle of calls (bench/results/asterisk-2026-11-27-run3.md: every live recording ended at one second of
     * each minute, the sweep period of a forgotten second instance).
     *
     * <p>So this instance stops acting on the server: its calls are told the events are gone (they pause their
     * recordings, as on any loss of events), the socket is closed, the sweep stops (it runs only while
     * connected) and readiness fails. It does not reconnect by itself: reconnecting would take the application
     * back, the other consumer would be replaced in turn, and two instances would take turns, each one's calls
     * blind while the other holds the events. An operator decides: one application name per deployment
     * ({@code CR_ARI_APP}), or {@code CR_HA=true} for several instances, then a restart.
     */
    private void onReplaced() {
        if (state == State.STOPPED || state == State.REPLACED) {
            return;
        }
        LOG.error("another client registered ARI application '{}' on {}; Asterisk now sends it every event. This "
                + "instance has stopped acting on that Asterisk and will not reconnect by itself: give each deployment "
                + "its own application name ({}) or run several instances with CR_HA=true, then restart it",
                ExternalText.forLog(endpoint.application()), ExternalText.forLog(endpoint.describe()), AriSettings.ARI_APP);
        loseEvents();
        change(State.REPLACED, "application '" + endpoint.application() + "' replaced by another client");
    }

    private void onClosed(String why) {
        if (state == State.STOPPED || state == State.REPLACED) {
            return;
        }
        loseEvents();
        retryLater(why);
    }

    /** The events stop here: calls hear it if they were being told events, and this socket's late ones are dropped. */
    private void loseEvents() {
        if (state == State.CONNECTED || state == State.RESYNCING) {
            try {
                listener.onDisconnected();
            } catch (RuntimeException e) {
                LOG.error("handling the loss of events failed", e);
            }
        }
        generation++;
        heldDuringResync.clear();
        closeEvents();
    }

    private void retryLater(String why) {
        if (state == State.STOPPED || state == State.REPLACED) {
            return;
        }
        Duration delay = backoff.next();
        change(State.DISCONNECTED, why + "; reconnecting in " + delay.toMillis() + " ms (attempt " + backoff.attempts() + ")");
        long gen = ++generation;
        reconnectTimer = vertx.setTimer(Math.max(1, delay.toMillis()), t -> {
            reconnectTimer = -1;
            if (gen == generation && state != State.STOPPED) {
                connect();
            }
        });
    }

    private void closeEvents() {
        if (eventsRequest != null) {
            try {
                ari.closeAction(eventsRequest);
            } catch (ch.loway.oss.ari4java.tools.ARIException e) {
                LOG.debug("closing the event WebSocket: {}", ExternalText.forLog(e.getMessage()));
            }
            eventsRequest = null;
        }
    }

    private void change(State next, String why) {
        State previous = state;
        state = next;
        metrics.stateChanged(previous, next);
        if (next == State.REPLACED) {
            LOG.error("ARI {} -> {}: {}", previous, next, ExternalText.forLog(why));
        } else if (next == State.DISCONNECTED) {
            LOG.warn("ARI {} -> {}: {}", previous, next, ExternalText.forLog(why));
        } else {
            LOG.info("ARI {} -> {}: {}", previous, next, ExternalText.forLog(why));
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
