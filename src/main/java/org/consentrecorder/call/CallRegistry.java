package org.consentrecorder.call;

import ch.loway.oss.ari4java.generated.models.Channel;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import ch.loway.oss.ari4java.generated.models.Message;
import java.util.concurrent.atomic.AtomicLong;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.ari.AriConnection;
import org.consentrecorder.call.CallRepository.ActiveCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls this application holds. Routes each ARI event to its call's session (on the call's
 * own context), creates a session per new caller channel, answers API control requests, and
 * after every (re)connect rebuilds its view from Asterisk's REST state and the database: calls
 * that ended unseen are closed, calls still up are taken over, and strays are ended.
 */
public final class CallRegistry implements AriConnection.Listener {
    private final AtomicLong eventsUntranslatable = new AtomicLong();
    private static final Logger LOG = LoggerFactory.getLogger(CallRegistry.class);

    private final Vertx vertx;
    private final CallShards shards;
    private final CallSettings settings;
    private final CallRepository repository;
    private final Supplier<AriClient> ari;
    private final Clock clock;
    private final String application;
    private final FinishedRecordings finishedRecordings;
    private final Map<UUID, CallSession> calls = new ConcurrentHashMap<>();
    private final Map<String, CallSession> byChannel = new ConcurrentHashMap<>();
    private final Map<UUID, Promise<ControlResult>> pendingControls = new ConcurrentHashMap<>();
    private volatile CallMetrics metrics = CallMetrics.NOOP;

    /** What became of an API control request. */
    public record ControlResult(String status, String detail) {
        public static ControlResult notFound() {
            return new ControlResult("not_found", "no live call with this id");
        }
    }

    /** A live call as the admin API and the benchmark see it. */
    public record LiveCall(UUID callId, String channelId, String phase, String outcome, boolean recording, boolean paused) {
    }

    public CallRegistry(Vertx vertx, CallShards shards, CallSettings settings, CallRepository repository,
                        Supplier<AriClient> ari, Clock clock, String application, FinishedRecordings finishedRecordings) {
        this.finishedRecordings = finishedRecordings;
        this.vertx = vertx;
        this.shards = shards;
        this.settings = settings;
        this.repository = repository;
        this.ari = ari;
        this.clock = clock;
        this.application = application;
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
            LOG.warn("ARI event {} dropped: {}", message.getType(), firstLine(e.getMessage()));
            return;
        }
        onEvent(routed);
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
                    LOG.debug("{} for a channel that is not (or no longer) ours", event.type());
                }
            }
            case CALL -> {
                CallSession s = calls.get(event.callId());
                if (s != null) {
                    s.deliver(event.event());
                } else {
                    LOG.debug("{} for call {} that is not live here", event.type(), event.callId());
                }
            }
            default -> {
            }
        }
    }

    private void startSession(String channelId, CallEvent started) {
        metrics.callStarted();
        UUID callId = UUID.randomUUID();
        CallFlow flow = new CallFlow(settings, callId, UUID.randomUUID());
        register(new CallSession(vertx, shards.contextFor(channelId), flow, channelId, ari, repository, this, clock, 0))
                .deliver(started);
    }

    private CallSession register(CallSession s) {
        calls.put(s.callId(), s);
        byChannel.put(s.channelId(), s);
        return s;
    }

    FinishedRecordings finishedRecordings() {
        return finishedRecordings;
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

    public int liveCount() {
        return calls.size();
    }

    /** A consistent-enough listing for operators; each call's state is read on its own context. */
    public Future<List<LiveCall>> liveCalls() {
        List<Future<LiveCall>> parts = new ArrayList<>();
        for (CallSession s : calls.values()) {
            Promise<LiveCall> p = Promise.promise();
            s.context().runOnContext(v -> {
                CallFlow f = s.flow();
                p.complete(new LiveCall(f.callId(), s.channelId(), f.phase().name().toLowerCase(),
                        f.outcome().map(Outcome::wire).orElse(null),
                        f.recording().map(RecordingControl::isLive).orElse(false),
                        f.recording().map(RecordingControl::isPaused).orElse(false)));
            });
            parts.add(p.future());
        }
        return Future.all(parts).map(all -> all.<LiveCall>list());
    }

    // ---- control from the API ------------------------------------------------------------------

    /** Pause, resume or withdraw a live call's recording; completes when Asterisk has answered. */
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
                p.tryComplete(new ControlResult("timeout", "no answer from Asterisk within " + timeout + " ms"));
            }
        });
        s.deliver(new CallEvent.ControlRequested(requestId, action, requestedBy));
        return promise.future();
    }

    void answerControl(UUID requestId, String status, String detail) {
        Promise<ControlResult> p = pendingControls.remove(requestId);
        if (p != null) {
            p.tryComplete(new ControlResult(status, detail));
        }
    }

    // ---- resynchronization ---------------------------------------------------------------------

    /** Every live call learns that ARI events stopped (recordings pause: see RecordingControl#onOutage). */
    @Override
    public void onDisconnected() {
        LOG.warn("event connection to Asterisk lost: pausing {} call(s)' live recordings until a resume", calls.size());
        calls.values().forEach(s -> s.deliver(new CallEvent.AriConnectivity(false)));
    }

    @Override
    public Future<Void> resync(AriClient client) {
        calls.values().forEach(s -> s.deliver(new CallEvent.AriConnectivity(true)));
        return client.applicationChannelIds()
                .compose(ids -> repository.activeCalls().compose(rows -> reconcile(client, new HashSet<>(ids), rows)))
                .onSuccess(v -> LOG.info("resynchronized: {} live call(s)", calls.size()));
    }

    private Future<Void> reconcile(AriClient client, Set<String> present, List<ActiveCall> rows) {
        List<Future<?>> work = new ArrayList<>();
        Set<String> handled = new HashSet<>();
        // 1. calls we hold: did anything happen to them while we were not listening?
        for (CallSession s : calls.values()) {
            handled.add(s.channelId());
            work.add(checkSession(client, s, present.contains(s.channelId())));
        }
        // 2. calls the database says are up but that nobody here holds (a restart)
        for (ActiveCall row : rows) {
            if (calls.containsKey(row.callId())) {
                continue;
            }
            handled.add(row.channelId());
            if (present.contains(row.channelId()) && row.recordingName() != null && row.consentId() != null
                    && ("in_dialplan".equals(row.phase()) || "ending".equals(row.phase()))) {
                work.add(adopt(client, row));
            } else if (present.contains(row.channelId())) {
                // it was mid-IVR when we went away: the IVR state is lost, so ask again from the start
                handled.remove(row.channelId());
                work.add(repository.markEnded(row.callId(), "superseded", clock.instant()));
            } else {
                work.add(closeUnseen(client, row));
            }
        }
        // 3. caller channels in Stasis that we never saw enter (StasisStart lost while disconnected)
        for (String id : present) {
            if (handled.contains(id) || CallIds.isSnoop(id)) {
                continue;
            }
            work.add(client.channel(id).map(ch -> {
                ch.filter(this::inOurStasis).ifPresent(c -> {
                    LOG.info("channel {} is in Stasis but unknown here (its StasisStart was missed): starting its IVR", id);
                    startSession(id, new CallEvent.Started(AriEventTranslator.snapshot(c), List.of(), null));
                });
                return null;
            }));
        }
        return Future.join(work).mapEmpty();
    }

    private boolean inOurStasis(Channel ch) {
        return ch.getDialplan() != null && "Stasis".equalsIgnoreCase(ch.getDialplan().getApp_name())
                && ch.getDialplan().getApp_data() != null
                && (ch.getDialplan().getApp_data().equals(application)
                || ch.getDialplan().getApp_data().startsWith(application + ","));
    }

    /** Runs on the session's context: feeds it what it missed. */
    private Future<Void> checkSession(AriClient client, CallSession s, boolean channelListed) {
        Promise<Void> done = Promise.promise();
        s.context().runOnContext(v -> {
            Optional<RecordingControl> rec = s.flow().recording().filter(RecordingControl::isLive);
            Future<Void> channelCheck = channelListed ? Future.succeededFuture()
                    : client.channel(s.channelId()).map(ch -> {
                        if (ch.isEmpty()) {
                            s.deliver(new CallEvent.ChannelDestroyed());
                        } else if (!inOurStasis(ch.get())) {
                            // it left Stasis unseen: the flow knows whether that was our continue
                            s.deliver(new CallEvent.StasisEnded());
                        }
                        return null;
                    });
            Future<Void> recordingCheck = rec.isEmpty() ? Future.succeededFuture()
                    : client.liveRecording(rec.get().recordingName()).map(live -> {
                        if (live.isEmpty() || "done".equals(live.get().getState()) || "failed".equals(live.get().getState())) {
                            s.deliver(new CallEvent.RecordingFinished(rec.get().recordingName(), null));
                        }
                        return null;
                    });
            Future.join(channelCheck, recordingCheck).<Void>mapEmpty().onComplete(done);
        });
        return done.future();
    }

    /** A recorded call still in the dialplan after a restart: take it over, paused or not. */
    private Future<Void> adopt(AriClient client, ActiveCall row) {
        return client.liveRecording(row.recordingName()).compose(live -> {
            if (live.isEmpty()) {
                return closeUnseen(client, row);
            }
            boolean pausedNow = "paused".equals(live.get().getState()) || row.paused();
            return repository.decision(row.consentId()).compose(decision -> repository.recordingClock(row.callId())
                    .map(clockInfo -> {
                        if (decision.isEmpty()) {
                            LOG.error("call {}: recording {} is live but its consent decision is missing; stopping it",
                                    row.callId(), row.recordingName());
                            client.stopRecording(row.recordingName());
                            return null;
                        }
                        java.time.Instant started = clockInfo.startedAt() != null ? clockInfo.startedAt() : row.startedAt();
                        java.time.Instant pausedSince = pausedNow
                                ? (clockInfo.pausedSince() != null ? clockInfo.pausedSince() : clock.instant()) : null;
                        // Asterisk reports "paused" only for ARI pause; a mute is known from the timeline
                        PauseStyle pausedStyle = "paused".equals(live.get().getState())
                                ? PauseStyle.SKIP : clockInfo.pausedStyle();
                        RecordingControl control = RecordingControl.restore(settings.recording(), row.recordingName(),
                                row.snoopId(), started, clockInfo.cutMillis(), pausedSince, pausedStyle);
                        CallFlow flow = CallFlow.adopt(settings, decision.get(), row.channelName(), row.asteriskId(),
                                row.startedAt(), control, row.snoopId());
                        register(new CallSession(vertx, shards.contextFor(row.channelId()), flow, row.channelId(), ari,
                                repository, this, clock, row.stateSeq())).deliver(new CallEvent.TakenOver());
                        LOG.info("call {}: taken over, recording {} is {}", row.callId(), row.recordingName(),
                                pausedNow ? "paused" : "recording");
                        return null;
                    }));
        });
    }

    /** The call ended while nobody was listening: close its row and end anything it left running. */
    private Future<Void> closeUnseen(AriClient client, ActiveCall row) {
        Future<Void> stopRecording = row.recordingName() == null ? Future.succeededFuture()
                : client.liveRecording(row.recordingName()).compose(live -> live.isPresent()
                        ? client.stopRecording(row.recordingName()).recover(e -> Future.succeededFuture())
                        : Future.succeededFuture());
        return stopRecording.compose(v -> repository.markEnded(row.callId(), "ended_unseen", clock.instant()))
                .onSuccess(v -> LOG.info("call {}: ended while not observed; closed", row.callId()));
    }

    // ---- sweep ---------------------------------------------------------------------------------

    /** Ends snoop channels that no live call owns (missed events, failed hangups, a crash). */
    public Future<Integer> sweep(AriClient client) {
        return client.applicationChannelIds().compose(ids -> {
            List<Future<Boolean>> work = new ArrayList<>();
            for (String id : ids) {
                if (!CallIds.isSnoop(id)) {
                    continue;
                }
                UUID callId = CallIds.callIdOf(id).orElseThrow();
                CallSession owner = calls.get(callId);
                Promise<Boolean> expected = Promise.promise();
                if (owner == null) {
                    expected.complete(false);
                } else {
                    owner.context().runOnContext(v -> expected.complete(owner.flow().snoopExpected()));
                }
                work.add(expected.future().compose(keep -> {
                    if (keep) {
                        return Future.succeededFuture(false);
                    }
                    LOG.warn("sweep: snoop channel {} has no live recording behind it; hanging it up", id);
                    return client.hangup(id).map(true).recover(e -> Future.succeededFuture(false));
                }));
            }
            return Future.join(work).map(all -> {
                int ended = 0;
                for (int i = 0; i < all.size(); i++) {
                    if (Boolean.TRUE.equals(all.resultAt(i))) {
                        ended++;
                    }
                }
                return ended;
            });
        });
    }

    /** Runs {@link #sweep} periodically on the caller's context. */
    public long scheduleSweep(Duration every, Supplier<Boolean> connected) {
        return vertx.setPeriodic(every.toMillis(), t -> {
            AriClient client = ari.get();
            if (client != null && connected.get()) {
                sweep(client).onFailure(e -> LOG.warn("sweep failed: {}", e.getMessage()));
            }
        });
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
