package org.consentrecorder.call;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.ari.AriFailure;
import org.consentrecorder.call.CallEvent.CommandFailed;
import org.consentrecorder.call.CallEvent.CommandSucceeded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.store.StaleLeaseException;
import org.slf4j.MDC;
import org.consentrecorder.config.ExternalText;

/**
 * The imperative shell around one call: holds its current {@link CallState}, feeds events to the
 * core on the call's own context, and carries out the commands the core returns (ARI requests,
 * database writes, timers; see {@link ShellCommands}). Commands are started in the order the core
 * lists them and nothing waits in between, so a pause request goes to Asterisk before any database
 * write that follows it.
 *
 * <p>It fails closed: when the core throws, or returns a command the shell has no handler for,
 * the call's recording is stopped and its snoop channel hung up (the requests a failed pause
 * sends), the failure is logged once with the call id, and the call is released. Its state is
 * not trusted any further.
 */
final class CallSession {
    private static final Logger LOG = LoggerFactory.getLogger(CallSession.class);
    /** MDC key of the call id in log lines. */
    static final String CALL_ID_MDC = "call_id";
    private static final int WRITE_ATTEMPTS = 3;
    /**
     * How long the shell waits for the database on a call's behalf when the core waits for the
     * answer (the caller's preference, the consent evidence). PostgreSQL has no client-side query
     * timeout here and a stopped (SIGSTOP) server keeps its sockets open, so without this a hung
     * database would leave the caller on hold forever; past it the read or write counts as failed,
     * the answer the core already handles (see README, "Database down").
     */
    static final Duration DATABASE_DEADLINE = Duration.ofSeconds(3);
    /** Writes nobody waits for (call state, pause timeline) are tried again this often while the database is away. */
    private static final long BACKGROUND_RETRY_MIN_MS = 1_000;
    private static final long BACKGROUND_RETRY_MAX_MS = 5_000;

    private final Vertx vertx;
    private final Context context;
    private final CallLogic core;
    private final ShellCommands commands;
    private final String channelId;
    private final Supplier<AriClient> ari;
    private final CallRepository repository;
    private final CallRegistry registry;
    private final Clock clock;
    private final Map<TimerKey, Long> timers = new HashMap<>();
    private CallState state;
    private long stateSeq;
    /** The newest state a write could not store, written again in the background (see saveState). */
    private CallStateSnapshot unsaved;
    private long unsavedSeq;
    private boolean resaveScheduled;
    /** The last pause-timeline write: the next one starts after it (see appendTimeline). */
    private Future<Void> timelineTail = Future.succeededFuture();
    private boolean finished;
    /** Given up without acting: another instance holds the server (see relinquish). */
    private volatile boolean relinquished;

    CallSession(Vertx vertx, Context context, CallLogic core, ShellCommands commands, CallState initial, String channelId,
                Supplier<AriClient> ari, CallRepository repository, CallRegistry registry, Clock clock,
                long firstStateSeq) {
        this.vertx = vertx;
        this.context = context;
        this.core = core;
        this.commands = commands;
        this.state = initial;
        this.channelId = channelId;
        this.ari = ari;
        this.repository = repository;
        this.registry = registry;
        this.clock = clock;
        this.stateSeq = firstStateSeq;
    }

    UUID callId() {
        return state.callId();
    }

    /** A transfer chain longer than this is not a call center's; the first ones say whose call it is. */
    private static final int MAX_PEERS = 16;
    private final java.util.Set<String> peers = new java.util.LinkedHashSet<>();

    String channelId() {
        return channelId;
    }

    Context context() {
        return context;
    }

    /** The call's state now; read it on {@link #context()}. */
    CallState state() {
        return state;
    }

    /**
     * Channels that answered the caller (ARI Dial ANSWER), for the admin API's agent scope; read and
     * written on {@link #context()}. Not part of the saved state: after a restart the call shows
     * only to roles that see every call until a new Dial (an agent's scope fails closed).
     */
    java.util.Set<String> peers() {
        return java.util.Set.copyOf(peers);
    }

    void peerAnswered(String name) {
        if (peers.size() < MAX_PEERS) {
            peers.add(name);
        }
    }

    /** Runs the event through the core on this call's context, then carries out its commands. */
    void deliver(CallEvent event) {
        if (Vertx.currentContext() != context) {
            context.runOnContext(v -> deliver(event));
            return;
        }
        if (finished) {
            return;
        }
        // the call id on every log line written while this call's event is handled (CR_LOG_FORMAT=json);
        // deliver can nest (a request that fails at once reports back synchronously), hence the restore
        String outerCallId = MDC.get(CALL_ID_MDC);
        MDC.put(CALL_ID_MDC, callId().toString());
        try {
            handle(event);
        } finally {
            if (outerCallId == null) {
                MDC.remove(CALL_ID_MDC);
            } else {
                MDC.put(CALL_ID_MDC, outerCallId);
            }
        }
    }

    private void handle(CallEvent event) {
        CallCore.Next next;
        try {
            next = core.next(state, event, clock.instant());
        } catch (RuntimeException e) {
            failClosed("the call core failed on " + event.getClass().getSimpleName(), e, event);
            return;
        }
        state = next.state();
        for (CallCommand command : next.commands()) {
            if (finished) {
                return;
            }
            boolean known;
            try {
                known = commands.run(this, command);
            } catch (RuntimeException e) {
                // carrying a command out failed (a database write could not even be started, say):
                // what depends on its answer has its own deadline
                LOG.error("call {}: {} failed: {}", callId(), command.getClass().getSimpleName(),
                        ExternalText.forLog(e.toString()));
                continue;
            }
            if (!known) {
                failClosed("the shell has no handler for " + command.getClass().getSimpleName(), null, event);
                return;
            }
        }
    }

    /**
     * Stops the recording and hangs up the snoop channel whatever the state says (both are
     * harmless when there is none: a 404 is ignored), then lets the call go.
     */
    private void failClosed(String why, RuntimeException cause, CallEvent during) {
        finished = true;
        UUID callId = callId();
        // the exception's type and where it was thrown, never its message: a message may quote state
        LOG.error("call {}: failing closed, {}{}: stopping its recording and hanging up its snoop channel",
                callId, why, cause == null ? "" : " (" + cause.getClass().getName() + where(cause) + ")");
        cancelAllTimers();
        // both legs of a stereo call; a mono call's state says mono (a restart keeps each call's own choice)
        for (Leg leg : state.stereo() ? List.of(Leg.IN, Leg.OUT) : List.of(Leg.IN)) {
            stopRecording(CommandKey.RecordingEnd.FAIL_CLOSED_STOP, CallIds.recordingName(callId, leg));
            hangupSnoop(CommandKey.RecordingEnd.FAIL_CLOSED_SNOOP, CallIds.snoopId(callId, leg));
        }
        // API requests waiting for this call hear that it stopped, instead of timing out
        String detail = "the recording was stopped after an internal error";
        if (during instanceof CallEvent.ControlRequested c) {
            registry.answerControl(c.requestId(), ControlStatus.NOT_RECORDING, detail);
        }
        if (state.recording() != null) {
            state.recording().pendingRequests().forEach(p -> registry.answerControl(p.requestId(),
                    p.action() == ControlAction.PAUSE ? ControlStatus.PAUSE_FAILED_RECORDING_STOPPED
                            : ControlStatus.NOT_RECORDING, detail));
        }
        retrying(() -> repository.markEnded(callId, "failed_closed", clock.instant()))
                .onFailure(e -> LOG.error("call {}: could not mark the call ended: {}", callId, ExternalText.forLog(e.getMessage())));
        registry.release(this);
    }

    private static String where(Throwable e) {
        StackTraceElement[] trace = e.getStackTrace();
        return trace.length == 0 ? "" : " at " + trace[0];
    }

    // ---- what the commands are made of (used by ShellCommands) ---------------------------------

    AriClient client() {
        AriClient client = ari.get();
        if (client == null) {
            throw new IllegalStateException("ARI is not connected");
        }
        return client;
    }

    CallRepository repository() {
        return repository;
    }

    CallRegistry registry() {
        return registry;
    }

    /** Sends a request and reports its answer to the core under the key. */
    void track(CommandKey key, Supplier<Future<?>> request) {
        Future<?> future;
        try {
            future = request.get();
        } catch (RuntimeException e) {
            future = Future.failedFuture(e);
        }
        future.onComplete(ar -> {
            if (ar.succeeded()) {
                deliver(new CommandSucceeded(key));
                return;
            }
            int status = ar.cause() instanceof AriFailure f ? f.status() : 0;
            if (status == 404) {
                LOG.debug("call {}: {} -> 404 {}", callId(), key, ExternalText.forLog(ar.cause().getMessage()));
            } else {
                LOG.warn("call {}: {} failed: {}{}", callId(), key, status == 0 ? "" : "HTTP " + status + " ",
                        ExternalText.forLog(ar.cause().getMessage()));
            }
            // Asterisk's words, bounded and cleaned like every string from it (AriEventTranslator)
            deliver(new CommandFailed(key, status, ExternalText.bounded(ar.cause().getMessage(), 256)));
        });
    }

    void stopRecording(CommandKey key, String recordingName) {
        LOG.warn("call {}: stopping recording {}", callId(), recordingName);
        track(key, () -> ignoringNotFound(client().stopRecording(recordingName)));
    }

    void hangupSnoop(CommandKey key, String snoopId) {
        track(key, () -> ignoringNotFound(client().hangup(snoopId)));
    }

    void startTimer(TimerKey key, long millis) {
        cancelTimer(key);
        long id = vertx.setTimer(Math.max(1, millis), t -> {
            timers.remove(key);
            deliver(new CallEvent.TimerFired(key));
        });
        timers.put(key, id);
    }

    void cancelTimer(TimerKey key) {
        Long id = timers.remove(key);
        if (id != null) {
            vertx.cancelTimer(id);
        }
    }

    /**
     * Writes the state without anyone waiting for it (a hung database holds nothing up). When the
     * write fails for good, the newest unsaved state is written again later, with backoff, until the
     * database takes it, even after the call has ended: once the database is back, the call row
     * says how the call ended.
     */
    void saveState(CallStateSnapshot snapshot) {
        long seq = ++stateSeq;
        retrying(() -> repository.saveState(snapshot, seq)).onComplete(ar -> onContext(() -> {
            if (ar.succeeded()) {
                if (unsaved != null && seq >= unsavedSeq) {
                    unsaved = null;
                }
                return;
            }
            LOG.error("call {}: could not save the call state ({}); trying again in the background",
                    callId(), ExternalText.forLog(ar.cause().getMessage()));
            if (unsaved == null || seq > unsavedSeq) {
                unsaved = snapshot;
                unsavedSeq = seq;
            }
            if (!resaveScheduled && !relinquished) {
                resaveLater(BACKGROUND_RETRY_MIN_MS);
            }
        }));
    }

    private void resaveLater(long delayMs) {
        resaveScheduled = true;
        vertx.setTimer(delayMs, t -> {
            CallStateSnapshot snapshot = unsaved;
            long seq = unsavedSeq;
            if (snapshot == null || relinquished) {
                resaveScheduled = false;
                return;
            }
            repository.saveState(snapshot, seq).onComplete(ar -> onContext(() -> {
                if (ar.succeeded()) {
                    if (unsavedSeq == seq) {
                        unsaved = null;
                        LOG.info("call {}: call state saved after the database came back", callId());
                    }
                    resaveScheduled = false;
                    if (unsaved != null) {
                        resaveLater(BACKGROUND_RETRY_MIN_MS);
                    }
                } else {
                    resaveLater(Math.min(delayMs * 2, BACKGROUND_RETRY_MAX_MS));
                }
            }));
        });
    }

    /**
     * Appends a pause-timeline row in order after the ones before it (the recording clock is read
     * back in insertion order), trying until the database takes it; nothing waits for it.
     */
    void appendTimeline(TimelineEntry entry) {
        timelineTail = timelineTail.transform(ignored -> untilStored(
                () -> repository.appendTimeline(callId(), entry), BACKGROUND_RETRY_MIN_MS, true));
    }

    private Future<Void> untilStored(Supplier<Future<Void>> write, long delayMs, boolean first) {
        return retrying(write).recover(e -> {
            if (relinquished) {
                return Future.failedFuture(e);
            }
            if (first) {
                LOG.error("call {}: a pause-timeline row could not be stored ({}); trying again in the background",
                        callId(), ExternalText.forLog(e.getMessage()));
            }
            Promise<Void> later = Promise.promise();
            vertx.setTimer(delayMs, t -> untilStored(write, Math.min(delayMs * 2, BACKGROUND_RETRY_MAX_MS), false)
                    .onComplete(later));
            return later.future();
        });
    }

    private void onContext(Runnable r) {
        if (Vertx.currentContext() == context) {
            r.run();
        } else {
            context.runOnContext(v -> r.run());
        }
    }

    /**
     * Lets the call go without a word to Asterisk or the database: this instance lost the server's lease and the
     * instance that holds it now has taken the call over (call.CallRecovery). Unlike failing closed, nothing is
     * stopped, paused or written: it is no longer ours to act on.
     */
    void relinquish(String why) {
        onContext(() -> {
            if (relinquished) {
                return;
            }
            relinquished = true;
            finished = true;
            unsaved = null;
            cancelAllTimers();
            LOG.warn("call {}: let go without acting ({})", callId(), why);
            registry.release(this);
        });
    }

    /** Nothing more will happen for this call. */
    void finish(Outcome outcome) {
        finished = true;
        registry.metrics().callEnded(outcome);
        cancelAllTimers();
        LOG.info("call {}: ended (outcome {})", callId(), outcome == null ? "none" : outcome.wire());
        registry.release(this);
    }

    private void cancelAllTimers() {
        timers.values().forEach(vertx::cancelTimer);
        timers.clear();
    }

    static Future<Void> ignoringNotFound(Future<Void> f) {
        return f.recover(e -> AriClient.notFound(e) ? Future.succeededFuture() : Future.failedFuture(e));
    }

    /** Database writes are retried a few times with a short pause: evidence must not be lost to a blip. */
    <T> Future<T> retrying(Supplier<Future<T>> write) {
        return retrying(write, () -> true, WRITE_ATTEMPTS);
    }

    /** As {@link #retrying(Supplier)}, with no new attempt once the answer is no longer wanted. */
    <T> Future<T> retrying(Supplier<Future<T>> write, BooleanSupplier wanted) {
        return retrying(write, wanted, WRITE_ATTEMPTS);
    }

    private <T> Future<T> retrying(Supplier<Future<T>> write, BooleanSupplier wanted, int attempts) {
        return write.get().recover(e -> {
            if (e instanceof StaleLeaseException) {
                // another instance holds the server now: this call is its business, nothing of ours may land
                relinquish("the database refused a write: " + e.getMessage());
                return Future.failedFuture(e);
            }
            if (attempts <= 1 || !wanted.getAsBoolean()) {
                return Future.failedFuture(e);
            }
            Promise<T> later = Promise.promise();
            vertx.setTimer(200L * (WRITE_ATTEMPTS - attempts + 1),
                    t -> retrying(write, wanted, attempts - 1).onComplete(later));
            return later.future();
        });
    }

    /**
     * Database work the core waits for, bounded by {@link #DATABASE_DEADLINE}: the returned future
     * fails with a {@link TimeoutException} when the database has not answered by then. The work is
     * given a flag that turns false at the deadline, so a write can roll back instead of committing
     * after the call already went on without it (see {@link CallRepository#recordDecision}).
     */
    <T> Future<T> withinDeadline(String what, boolean write, Function<BooleanSupplier, Future<T>> work) {
        AtomicBoolean wanted = new AtomicBoolean(true);
        Promise<T> answer = Promise.promise();
        long ms = DATABASE_DEADLINE.toMillis();
        long timer = vertx.setTimer(ms, t -> {
            wanted.set(false);
            answer.tryFail(new TimeoutException("no answer from the database within " + ms + " ms"));
        });
        Future<T> f;
        try {
            f = work.apply(wanted::get);
        } catch (RuntimeException e) {
            f = Future.failedFuture(e);
        }
        f.onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.succeeded() ? answer.tryComplete(ar.result()) : answer.tryFail(ar.cause())) {
                return;
            }
            if (ar.succeeded() && write) {
                // only a commit the server had already been sent before the deadline can get here
                LOG.error("call {}: {} succeeded after its deadline; the call had already gone on without it",
                        callId(), what);
            } else if (ar.succeeded()) {
                LOG.info("call {}: {} answered after its deadline; the call had already gone on without it",
                        callId(), what);
            }
        });
        return answer.future();
    }
}
