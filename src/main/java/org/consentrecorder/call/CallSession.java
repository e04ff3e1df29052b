package org.consentrecorder.call;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.ari.AriFailure;
import org.consentrecorder.call.CallCommand.AppendTimeline;
import org.consentrecorder.call.CallCommand.RecordDecision;
import org.consentrecorder.call.CallEvent.CommandFailed;
import org.consentrecorder.call.CallEvent.CommandSucceeded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The imperative shell around one {@link CallFlow}: feeds it events on the call's own context
 * and carries out the commands it returns (ARI requests, database writes, timers). Commands are
 * started in the order the flow lists them and nothing waits in between, so a pause request goes
 * to Asterisk before any database write that follows it.
 */
final class CallSession {
    private static final Logger LOG = LoggerFactory.getLogger(CallSession.class);
    private static final int WRITE_ATTEMPTS = 3;
    /** MDC key of the call id in log lines. */
    static final String CALL_ID_MDC = "call_id";

    private final Vertx vertx;
    private final Context context;
    private final CallFlow flow;
    private final String channelId;
    private final Supplier<AriClient> ari;
    private final CallRepository repository;
    private final CallRegistry registry;
    private final java.time.Clock clock;
    private final Map<String, Long> timers = new HashMap<>();
    private long stateSeq;
    private boolean finished;

    CallSession(Vertx vertx, Context context, CallFlow flow, String channelId, Supplier<AriClient> ari,
                CallRepository repository, CallRegistry registry, java.time.Clock clock, long firstStateSeq) {
        this.vertx = vertx;
        this.context = context;
        this.flow = flow;
        this.channelId = channelId;
        this.ari = ari;
        this.repository = repository;
        this.registry = registry;
        this.clock = clock;
        this.stateSeq = firstStateSeq;
    }

    UUID callId() {
        return flow.callId();
    }

    String channelId() {
        return channelId;
    }

    Context context() {
        return context;
    }

    CallFlow flow() {
        return flow;
    }

    /** Runs the event through the flow on this call's context. */
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
            List<CallCommand> commands;
            try {
                commands = flow.on(event, clock.instant());
            } catch (RuntimeException e) {
                LOG.error("call {}: the call flow failed on {}", callId(), event.getClass().getSimpleName(), e);
                return;
            }
            for (CallCommand command : commands) {
                try {
                    execute(command);
                } catch (RuntimeException e) {
                    LOG.error("call {}: {} failed", callId(), command.getClass().getSimpleName(), e);
                }
            }
        } finally {
            if (outerCallId == null) {
                MDC.remove(CALL_ID_MDC);
            } else {
                MDC.put(CALL_ID_MDC, outerCallId);
            }
        }
    }

    private void execute(CallCommand command) {
        if (command instanceof CallCommand.Answer c) {
            track(c.tag(), () -> client().answer(channelId));
        } else if (command instanceof CallCommand.LoadPreference c) {
            repository.doNotRecord(c.subject()).onComplete(ar -> {
                if (ar.failed()) {
                    LOG.warn("call {}: could not read the caller's preference ({}); asking as usual",
                            callId(), ar.cause().getMessage());
                }
                deliver(new CallEvent.PreferenceLoaded(ar.succeeded() && ar.result()));
            });
        } else if (command instanceof CallCommand.Play c) {
            track(c.tag(), () -> client().play(channelId, c.playbackId(), c.mediaUri(), c.language()));
        } else if (command instanceof CallCommand.StopPlayback c) {
            track(c.tag(), () -> client().stopPlayback(c.playbackId()));
        } else if (command instanceof CallCommand.StartTimer c) {
            cancelTimer(c.key());
            long id = vertx.setTimer(Math.max(1, c.after().toMillis()), t -> {
                timers.remove(c.key());
                deliver(new CallEvent.TimerFired(c.key()));
            });
            timers.put(c.key(), id);
        } else if (command instanceof CallCommand.CancelTimer c) {
            cancelTimer(c.key());
        } else if (command instanceof RecordDecision c) {
            recordDecision(c);
        } else if (command instanceof CallCommand.SaveState c) {
            long seq = ++stateSeq;
            retrying(() -> repository.saveState(c.snapshot(), seq), WRITE_ATTEMPTS)
                    .onFailure(e -> LOG.error("call {}: could not save the call state: {}", callId(), e.getMessage()));
        } else if (command instanceof CallCommand.SetVariable c) {
            track(c.tag(), () -> client().setVariable(channelId, c.name(), c.value()));
        } else if (command instanceof CallCommand.Continue c) {
            LOG.info("call {}: continuing in the dialplan at {}", callId(), c.target());
            track(c.tag(), () -> client().continueInDialplan(channelId, c.target()));
        } else if (command instanceof CallCommand.Subscribe c) {
            track(c.tag(), () -> client().subscribeToChannel(channelId));
        } else if (command instanceof CallCommand.CreateSnoop c) {
            track(c.tag(), () -> client().snoop(channelId, c.snoopId(), c.spy()));
        } else if (command instanceof CallCommand.StartRecording c) {
            track(c.tag(), () -> client().record(c.snoopId(), c.recordingName(), c.format()));
        } else if (command instanceof CallCommand.HangupSnoop c) {
            track(c.tag(), () -> ignoringNotFound(client().hangup(c.snoopId())));
        } else if (command instanceof CallCommand.PauseRecording c) {
            track(c.tag(), () -> c.style() == PauseStyle.SKIP
                    ? client().pauseRecording(c.recordingName()) : client().muteRecording(c.recordingName()));
        } else if (command instanceof CallCommand.ResumeRecording c) {
            track(c.tag(), () -> c.style() == PauseStyle.SKIP
                    ? client().unpauseRecording(c.recordingName()) : client().unmuteRecording(c.recordingName()));
        } else if (command instanceof CallCommand.StopRecording c) {
            LOG.warn("call {}: stopping recording {}", callId(), c.recordingName());
            track(c.tag(), () -> ignoringNotFound(client().stopRecording(c.recordingName())));
        } else if (command instanceof CallCommand.DiscardRecording c) {
            LOG.info("call {}: consent withdrawn, discarding recording {}", callId(), c.recordingName());
            track(c.tag(), () -> {
                AriClient client = client();
                return ignoringNotFound(client.cancelRecording(c.recordingName()))
                        .compose(v -> ignoringNotFound(client.deleteStoredRecording(c.recordingName())));
            });
        } else if (command instanceof AppendTimeline c) {
            registry.metrics().recordingChanged(c.entry());
            LOG.info("call {}: recording {} {} (trigger {}, offset {} ms)", callId(), c.entry().recordingName(),
                    c.entry().change().wire(), c.entry().trigger() == null ? "-" : c.entry().trigger().wire(),
                    c.entry().offsetMs());
            retrying(() -> repository.appendTimeline(callId(), c.entry()), WRITE_ATTEMPTS)
                    .onFailure(e -> LOG.error("call {}: a pause-timeline row could not be stored: {}",
                            callId(), e.getMessage()));
        } else if (command instanceof CallCommand.ArchiveRecording c) {
            // if this fails for good, the archive's reconciliation finds the file on Asterisk later
            retrying(() -> registry.finishedRecordings().recordingFinished(callId(), c.recordingName(), c.consentId(),
                    c.subject(), c.durationSeconds()).mapEmpty(), WRITE_ATTEMPTS)
                    .onFailure(e -> LOG.error("call {}: recording {} could not be handed to the archive: {}",
                            callId(), c.recordingName(), e.getMessage()));
        } else if (command instanceof CallCommand.ControlAnswered c) {
            registry.answerControl(c.requestId(), c.status(), c.detail());
        } else if (command instanceof CallCommand.Finished c) {
            finished = true;
            registry.metrics().callEnded(c.outcome());
            timers.values().forEach(vertx::cancelTimer);
            timers.clear();
            LOG.info("call {}: ended (outcome {})", callId(), c.outcome() == null ? "none" : c.outcome().wire());
            registry.release(this);
        }
    }

    private void recordDecision(RecordDecision c) {
        ConsentEvidence e = c.evidence();
        LOG.info("call {}: consent {} = {} (basis {}, notice {} {}, attempts {})", callId(), e.id(),
                e.outcome().wire(), e.lawfulBasis().wire(), e.noticeSetId(), e.noticeVersion(), e.attempts());
        registry.metrics().decisionRecorded(e.outcome(), e.lawfulBasis());
        track(c.tag(), () -> retrying(() -> repository.recordDecision(e), WRITE_ATTEMPTS)
                .onFailure(err -> LOG.error("call {}: consent evidence {} could not be stored: {}",
                        callId(), e.id(), err.getMessage()))
                .onFailure(err -> registry.metrics().evidenceWriteFailed()));
    }

    private AriClient client() {
        AriClient client = ari.get();
        if (client == null) {
            throw new IllegalStateException("ARI is not connected");
        }
        return client;
    }

    private void track(String tag, Supplier<Future<?>> request) {
        Future<?> future;
        try {
            future = request.get();
        } catch (RuntimeException e) {
            future = Future.failedFuture(e);
        }
        future.onComplete(ar -> {
            if (ar.succeeded()) {
                deliver(new CommandSucceeded(tag));
            } else {
                int status = ar.cause() instanceof AriFailure f ? f.status() : 0;
                if (status == 404) {
                    LOG.debug("call {}: {} -> 404 {}", callId(), tag, ar.cause().getMessage());
                } else {
                    LOG.warn("call {}: {} failed: {}{}", callId(), tag,
                            status == 0 ? "" : "HTTP " + status + " ", ar.cause().getMessage());
                }
                deliver(new CommandFailed(tag, status, ar.cause().getMessage()));
            }
        });
    }

    private static Future<Void> ignoringNotFound(Future<Void> f) {
        return f.recover(e -> AriClient.notFound(e) ? Future.succeededFuture() : Future.failedFuture(e));
    }

    /** Database writes are retried a few times with a short pause: evidence must not be lost to a blip. */
    private <T> Future<T> retrying(Supplier<Future<T>> write, int attempts) {
        return write.get().recover(e -> {
            if (attempts <= 1) {
                return Future.failedFuture(e);
            }
            io.vertx.core.Promise<T> later = io.vertx.core.Promise.promise();
            vertx.setTimer(200L * (WRITE_ATTEMPTS - attempts + 1), t -> retrying(write, attempts - 1).onComplete(later));
            return later.future();
        });
    }

    private void cancelTimer(String key) {
        Long id = timers.remove(key);
        if (id != null) {
            vertx.cancelTimer(id);
        }
    }
}
