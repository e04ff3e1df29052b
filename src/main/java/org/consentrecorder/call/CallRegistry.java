package org.consentrecorder.call;

import ch.loway.oss.ari4java.generated.models.Message;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.consentrecorder.ari.TriggerFrame;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.ari.AriConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * The calls this application holds on one Asterisk server (there is a registry per server, and
 * {@link CallDirectory} over them): routes each ARI event to its call's session (on the call's
 * own context), creates a session per new caller channel, registers and releases sessions, and
 * answers API control requests. What happens after a (re)connect and the periodic sweep of stray
 * snoop channels is {@link CallRecovery}'s; the registry only hands those over to it.
 */
public final class CallRegistry implements AriConnection.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(CallRegistry.class);

    private final String server;
    private final Vertx vertx;
    private final CallShards shards;
    private final CallSettings settings;
    private final CallRepository repository;
    private final Supplier<AriClient> ari;
    private final Clock clock;
    private final FinishedRecordings finishedRecordings;
    private final CallLogic core;
    private final ShellCommands commands;
    private final CallRecovery recovery;
    private final AtomicLong eventsUntranslatable = new AtomicLong();
    private final Map<UUID, CallSession> calls = new ConcurrentHashMap<>();
    private final Map<String, CallSession> byChannel = new ConcurrentHashMap<>();
    private final Map<UUID, Promise<ControlResult>> pendingControls = new ConcurrentHashMap<>();
    private volatile CallMetrics metrics = CallMetrics.NOOP;

    /** What became of an API control request. */
    public record ControlResult(ControlStatus status, String detail) {
        public static ControlResult notFound() {
            return new ControlResult(ControlStatus.NOT_FOUND, "no live call with this id");
        }
    }

    /**
     * A live call as the admin API and the benchmark see it. {@code channelName}: the caller's
     * channel; {@code peers}: the channels that answered it (ARI Dial ANSWER), which say whose call
     * it is (an agent acts only on its own); {@code server}: the Asterisk server the call is on (channel ids are
     * unique on one server only).
     */
    public record LiveCall(UUID callId, String channelId, CallPhase phase, Outcome outcome, boolean recording,
                           boolean paused, String channelName, java.util.Set<String> peers, String server) {
        public LiveCall {
            peers = java.util.Set.copyOf(peers);
        }
    }

    /** The calls of the server {@code repository} is for ({@link CallRepository#server()}). */
    public CallRegistry(Vertx vertx, CallShards shards, CallSettings settings, CallRepository repository,
                        Supplier<AriClient> ari, Clock clock, String application, FinishedRecordings finishedRecordings) {
        this(vertx, shards, settings, repository, ari, clock, application, finishedRecordings, new CallCore(settings),
                ShellCommands.standard());
    }

    /** With another core or command table: how the tests prove that the shell fails closed. */
    CallRegistry(Vertx vertx, CallShards shards, CallSettings settings, CallRepository repository,
                 Supplier<AriClient> ari, Clock clock, String application, FinishedRecordings finishedRecordings,
                 CallLogic core, ShellCommands commands) {
        this.server = repository.server();
        this.vertx = vertx;
        this.shards = shards;
        this.settings = settings;
        this.repository = repository;
        this.ari = ari;
        this.clock = clock;
        this.finishedRecordings = finishedRecordings;
        this.core = core;
        this.commands = commands;
        this.recovery = new CallRecovery(vertx, this, settings, repository, ari, clock, application);
    }

    // ---- events ------------------------------------------------------------------------------

    @Override
    public void onEvent(Message message) {
        RoutedEvent routed;
        try {
            routed = AriEventTranslator.translate(message);
        } catch (RuntimeException e) {
            // a malformed event changes nothing; the sweep and the deadlines cover what it would have said
            eventsUntranslatable.incrementAndGet();
            LOG.warn("ARI event {} dropped: {}", ExternalText.forLog(message.getType()), ExternalText.forLog(firstLine(e.getMessage())));
            return;
        }
        onEvent(routed);
    }

    /**
     * A trigger straight off its frame: routed as its decoded event would be. One this registry would ignore
     * (a digit of two characters, say) is handed back, so it is counted and logged the ordinary way.
     */
    @Override
    public boolean onTrigger(TriggerFrame trigger) {
        RoutedEvent routed = AriEventTranslator.translate(trigger);
        if (routed.route() == RoutedEvent.Route.IGNORED) {
            return false;
        }
        onEvent(routed);
        return true;
    }

    /** The Asterisk server whose calls these are. */
    public String server() {
        return server;
    }

    /** True while the call is live here. */
    public boolean holds(UUID callId) {
        return calls.containsKey(callId);
    }

    /** Events that arrived but could not be made sense of (a field missing or malformed). */
    public long eventsUntranslatable() {
        return eventsUntranslatable.get();
    }

    void onEvent(RoutedEvent event) {
        switch (event.route()) {
            case NEW_CALL -> {
                CallSession existing = byChannel.get(event.channelId());
                if (existing != null) {
                    existing.deliver(event.event());
                } else {
                    startSession(event.channelId(), event.event());
                }
            }
            case CHANNEL -> {
                CallSession s = byChannel.get(event.channelId());
                if (s != null) {
                    s.deliver(event.event());
                } else {
                    LOG.debug("{} for a channel that is not (or no longer) ours", ExternalText.forLog(event.type()));
                }
            }
            case PEER -> {
                CallSession s = byChannel.get(event.channelId());
                if (s != null) {
                    s.context().runOnContext(v -> s.peerAnswered(event.peer()));
                }
            }
            case CALL -> {
                CallSession s = calls.get(event.callId());
                if (s != null) {
                    s.deliver(event.event());
                } else {
                    LOG.debug("{} for call {} that is not live here", ExternalText.forLog(event.type()), event.callId());
                }
            }
            default -> {
            }
        }
    }

    /** Every live call learns that ARI events stopped (recordings pause: see RecordingControl#onOutage). */
    @Override
    public void onDisconnected() {
        LOG.warn("event connection to Asterisk lost: pausing {} call(s)' live recordings until a resume", calls.size());
        calls.values().forEach(s -> s.deliver(new CallEvent.AriConnectivity(false)));
    }

    /**
     * This instance lost the server's lease: every call is let go without acting (the instance holding the server
     * takes them over), and pending API controls hear that the call is not live here.
     */
    public void relinquishAll(String why) {
        int n = calls.size();
        calls.values().forEach(s -> s.relinquish(why));
        if (n > 0) {
            LOG.warn("let go of {} call(s) without acting: {}", n, why);
        }
    }

    /** After every (re)connect: see {@link CallRecovery#resync}. */
    @Override
    public Future<Void> resync(AriClient client) {
        return recovery.resync(client);
    }

    /** The recovery of this registry's calls after a (re)connect, and the sweep of stray snoops. */
    public CallRecovery recovery() {
        return recovery;
    }

    /** Runs the sweep of stray snoop channels periodically: see {@link CallRecovery#scheduleSweep}. */
    public long scheduleSweep(Duration every, Supplier<Boolean> connected) {
        return recovery.scheduleSweep(every, connected);
    }

    // ---- registering ---------------------------------------------------------------------------

    /** A new caller channel: a new call, with fresh ids. */
    void startSession(String channelId, CallEvent started) {
        metrics.callStarted();
        CallState initial = CallState.initial(UUID.randomUUID(), UUID.randomUUID());
        register(new CallSession(vertx, shards.contextFor(channelId), core, commands, initial, channelId, ari,
                repository, this, clock, 0)).deliver(started);
    }

    /** A call taken over after a restart: its saved state, then the TakenOver event. */
    CallSession adopt(CallState saved, String channelId, long stateSeq, boolean pausedOnAsterisk) {
        CallSession s = register(new CallSession(vertx, shards.contextFor(channelId), core, commands, saved, channelId,
                ari, repository, this, clock, stateSeq));
        s.deliver(new CallEvent.TakenOver(pausedOnAsterisk));
        return s;
    }

    private CallSession register(CallSession s) {
        calls.put(s.callId(), s);
        byChannel.put(s.channelId(), s);
        return s;
    }

    /** Reports calls, decisions and recording changes to {@code metrics} from now on. */
    public void useMetrics(CallMetrics metrics) {
        this.metrics = java.util.Objects.requireNonNull(metrics);
    }

    CallMetrics metrics() {
        return metrics;
    }

    void release(CallSession s) {
        calls.remove(s.callId(), s);
        byChannel.remove(s.channelId(), s);
    }

    Collection<CallSession> sessions() {
        return calls.values();
    }

    CallSession session(UUID callId) {
        return calls.get(callId);
    }

    FinishedRecordings finishedRecordings() {
        return finishedRecordings;
    }

    public int liveCount() {
        return calls.size();
    }

    /** A consistent-enough listing for operators; each call's state is read on its own context. */
    public Future<List<LiveCall>> liveCalls() {
        List<Future<LiveCall>> parts = new ArrayList<>();
        for (CallSession s : calls.values()) {
            Promise<LiveCall> p = Promise.promise();
            s.context().runOnContext(v -> {
                CallState st = s.state();
                RecordingControl r = st.recording();
                p.complete(new LiveCall(st.callId(), s.channelId(), st.phase(), st.outcome(),
                        r != null && r.isLive(), r != null && r.isPaused(),
                        st.facts() == null ? null : st.facts().channel().name(), s.peers(), server));
            });
            parts.add(p.future());
        }
        return Future.all(parts).map(all -> all.<LiveCall>list());
    }

    // ---- control from the API ------------------------------------------------------------------

    /** Pause, resume or stop (operator stop, discarding) a live call's recording; completes when Asterisk has answered. */
    public Future<ControlResult> control(UUID callId, ControlAction action, String requestedBy) {
        CallSession s = calls.get(callId);
        if (s == null) {
            return Future.succeededFuture(ControlResult.notFound());
        }
        UUID requestId = UUID.randomUUID();
        Promise<ControlResult> promise = Promise.promise();
        pendingControls.put(requestId, promise);
        long timeout = settings.recording().pauseDeadline().toMillis() + 5000;
        vertx.setTimer(timeout, t -> {
            Promise<ControlResult> p = pendingControls.remove(requestId);
            if (p != null) {
                p.tryComplete(new ControlResult(ControlStatus.TIMEOUT, "no answer from Asterisk within " + timeout + " ms"));
            }
        });
        s.deliver(new CallEvent.ControlRequested(requestId, action, requestedBy));
        return promise.future();
    }

    void answerControl(UUID requestId, ControlStatus status, String detail) {
        Promise<ControlResult> p = pendingControls.remove(requestId);
        if (p != null) {
            p.tryComplete(new ControlResult(status, detail));
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
