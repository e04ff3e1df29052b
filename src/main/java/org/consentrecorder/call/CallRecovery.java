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
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.ari.Backoff;
import org.consentrecorder.call.CallRepository.ActiveCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * Puts the application's view of its calls right when it may have missed something: after every
 * (re)connect it compares what Asterisk reports (REST) with what it holds and what the database
 * says, feeds live calls what they missed, takes over recorded calls a restart left in the
 * dialplan (their saved state plus {@link CallEvent.TakenOver}), closes calls that ended unseen and
 * starts the dialogue for callers whose StasisStart was lost; periodically it hangs up snoop
 * channels no live call owns. Apart from {@link CallRegistry} because none of this is routing:
 * it is the one place that reasons about missed events.
 */
public final class CallRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(CallRecovery.class);
    /** A stop that fails is tried this many times in all before it is left to the sweep. */
    static final int STOP_ATTEMPTS = 6;

    private final Vertx vertx;
    private final CallRegistry registry;
    private final CallSettings settings;
    private final CallRepository repository;
    private final Supplier<AriClient> ari;
    private final Clock clock;
    private final String application;

    CallRecovery(Vertx vertx, CallRegistry registry, CallSettings settings, CallRepository repository,
                 Supplier<AriClient> ari, Clock clock, String application) {
        this.vertx = vertx;
        this.registry = registry;
        this.settings = settings;
        this.repository = repository;
        this.ari = ari;
        this.clock = clock;
        this.application = application;
    }

    /** After a (re)connect: new events wait until this completes (see AriConnection). */
    public Future<Void> resync(AriClient client) {
        registry.sessions().forEach(s -> s.deliver(new CallEvent.AriConnectivity(true)));
        return client.applicationChannelIds()
                .compose(ids -> repository.activeCalls().compose(rows -> reconcile(client, new HashSet<>(ids), rows)))
                .onSuccess(v -> LOG.info("resynchronized: {} live call(s)", registry.liveCount()));
    }

    private Future<Void> reconcile(AriClient client, Set<String> present, List<ActiveCall> rows) {
        List<Future<?>> work = new ArrayList<>();
        Set<String> handled = new HashSet<>();
        // 1. calls we hold: did anything happen to them while we were not listening?
        for (CallSession s : registry.sessions()) {
            handled.add(s.channelId());
            work.add(checkSession(client, s, present.contains(s.channelId())));
        }
        // 2. calls the database says are up but that nobody here holds (a restart)
        for (ActiveCall row : rows) {
            if (registry.session(row.callId()) != null) {
                continue;
            }
            handled.add(row.channelId());
            if (present.contains(row.channelId()) && row.recordingName() != null && row.consentId() != null
                    && (CallPhase.IN_DIALPLAN.wire().equals(row.phase()) || CallPhase.ENDING.wire().equals(row.phase()))) {
                work.add(adopt(client, row));
            } else if (present.contains(row.channelId())) {
                // it was mid-dialogue when we went away: its requests in flight are lost, so ask again from the start
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
                    LOG.info("channel {} is in Stasis but unknown here (its StasisStart was missed): starting its dialogue",
                            ExternalText.forLog(id));
                    registry.startSession(id, new CallEvent.Started(AriEventTranslator.snapshot(c), List.of(), null));
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
            Optional<RecordingControl> rec = Optional.ofNullable(s.state().recording()).filter(RecordingControl::isLive);
            Future<Void> channelCheck = channelListed ? Future.succeededFuture()
                    : client.channel(s.channelId()).map(ch -> {
                        if (ch.isEmpty()) {
                            s.deliver(new CallEvent.ChannelDestroyed());
                        } else if (!inOurStasis(ch.get())) {
                            // it left Stasis unseen: the core knows whether that was our continue
                            s.deliver(new CallEvent.StasisEnded());
                        }
                        return null;
                    });
            List<Future<?>> checks = new ArrayList<>();
            checks.add(channelCheck);
            // every leg of a stereo recording: a leg that ended unseen ends the other one too (CallEnding)
            rec.ifPresent(r -> r.legs().forEach(leg -> checks.add(client.liveRecording(r.recordingNameOf(leg)).map(live -> {
                if (live.isEmpty() || "done".equals(live.get().getState()) || "failed".equals(live.get().getState())) {
                    s.deliver(new CallEvent.RecordingFinished(r.recordingNameOf(leg), null));
                }
                return null;
            }))));
            Future.join(checks).<Void>mapEmpty().onComplete(done);
        });
        return done.future();
    }

    /**
     * A recorded call still in the dialplan after a restart: its saved state (or, for a row an
     * earlier version wrote, the state rebuilt from its columns and timeline) plus TakenOver.
     */
    private Future<Void> adopt(AriClient client, ActiveCall row) {
        return client.liveRecording(row.recordingName()).compose(live -> {
            if (live.isEmpty()) {
                return closeUnseen(client, row);
            }
            // Asterisk reports "paused" only for ARI pause; a mute is known from the saved state
            boolean pausedOnAsterisk = "paused".equals(live.get().getState());
            return repository.decision(row.consentId()).compose(decision -> {
                if (decision.isEmpty()) {
                    LOG.error("call {}: recording {} is live but its consent decision is missing; stopping it",
                            row.callId(), row.recordingName());
                    stopRetrying(client, row.callId(), row.recordingName());
                    return Future.succeededFuture();
                }
                return savedState(row, decision.get(), pausedOnAsterisk).compose(state -> {
                    if (state.recording() == null || !state.recording().stereo()) {
                        registry.adopt(state, row.channelId(), row.stateSeq(), pausedOnAsterisk);
                        LOG.info("call {}: taken over, recording {} is {}", row.callId(), row.recordingName(),
                                pausedOnAsterisk || row.paused() ? "paused" : "recording");
                        return Future.succeededFuture();
                    }
                    // stereo: paused when either leg is; a leg already gone ends the other (CallEnding)
                    String outName = state.recording().out().recordingName();
                    return client.liveRecording(outName).map(outLive -> {
                        boolean outGone = outLive.isEmpty() || "done".equals(outLive.get().getState())
                                || "failed".equals(outLive.get().getState());
                        boolean paused = pausedOnAsterisk || outLive.map(l -> "paused".equals(l.getState())).orElse(false);
                        CallSession session = registry.adopt(state, row.channelId(), row.stateSeq(), paused);
                        if (outGone) {
                            session.deliver(new CallEvent.RecordingFinished(outName, null));
                        }
                        LOG.info("call {}: taken over, stereo recording {} (+ {}) is {}", row.callId(),
                                row.recordingName(), outName, paused || row.paused() ? "paused" : "recording");
                        return null;
                    });
                });
            });
        });
    }

    private Future<CallState> savedState(ActiveCall row, ConsentEvidence decision, boolean pausedOnAsterisk) {
        if (row.coreState() != null) {
            try {
                return Future.succeededFuture(CallStateCodec.decode(row.coreState(), row, decision, settings));
            } catch (RuntimeException e) {
                LOG.error("call {}: its saved state cannot be read ({}); taking it over from its columns and timeline",
                        row.callId(), e.getClass().getSimpleName());
            }
        }
        return repository.recordingClock(row.callId()).map(timeline ->
                CallStateCodec.fromLegacyRow(row, decision, timeline, pausedOnAsterisk, clock.instant(), settings));
    }

    /** The call ended while nobody was listening: close its row and end anything it left running. */
    private Future<Void> closeUnseen(AriClient client, ActiveCall row) {
        // the second leg's name is asked for too: the row does not say whether the call was stereo
        Future<Void> stop = row.recordingName() == null ? Future.succeededFuture()
                : Future.join(stopIfLive(client, row.callId(), row.recordingName()),
                        stopIfLive(client, row.callId(), CallIds.outRecordingName(row.callId()))).mapEmpty();
        return stop.recover(e -> Future.succeededFuture())
                .compose(v -> repository.markEnded(row.callId(), "ended_unseen", clock.instant()))
                .onSuccess(v -> LOG.info("call {}: ended while not observed; closed", row.callId()));
    }

    private Future<Void> stopIfLive(AriClient client, java.util.UUID callId, String recordingName) {
        return client.liveRecording(recordingName).map(live -> {
            if (live.isPresent()) {
                stopRetrying(client, callId, recordingName);
            }
            return null;
        });
    }

    /**
     * Stops a recording nobody will control, retrying with backoff while Asterisk refuses; runs on
     * its own so that the resync (which holds new events back) does not wait for it. A recording
     * still live after the last attempt is ended by the sweep, which hangs up its snoop channel.
     */
    void stopRetrying(AriClient client, UUID callId, String recordingName) {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5),
                () -> ThreadLocalRandom.current().nextDouble());
        stopAttempt(client, callId, recordingName, backoff);
    }

    private void stopAttempt(AriClient client, UUID callId, String recordingName, Backoff backoff) {
        CallSession.ignoringNotFound(client.stopRecording(recordingName)).onComplete(ar -> {
            if (ar.succeeded()) {
                if (backoff.attempts() > 0) {
                    LOG.info("call {}: recording {} stopped after {} failed attempt(s)", callId, recordingName,
                            backoff.attempts());
                }
                return;
            }
            if (backoff.attempts() + 1 >= STOP_ATTEMPTS) {
                LOG.error("call {}: recording {} could not be stopped after {} attempts ({}); the sweep will hang up "
                        + "its snoop channel", callId, recordingName, STOP_ATTEMPTS, ExternalText.forLog(ar.cause().getMessage()));
                return;
            }
            Duration wait = backoff.next();
            LOG.warn("call {}: stopping recording {} failed ({}); trying again in {} ms", callId, recordingName,
                    ExternalText.forLog(ar.cause().getMessage()), wait.toMillis());
            vertx.setTimer(Math.max(1, wait.toMillis()), t -> stopAttempt(client, callId, recordingName, backoff));
        });
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
                CallSession owner = registry.session(callId);
                Promise<Boolean> expected = Promise.promise();
                if (owner == null) {
                    expected.complete(false);
                } else {
                    owner.context().runOnContext(v -> expected.complete(owner.state().snoopExpected()));
                }
                work.add(expected.future().compose(keep -> {
                    if (keep) {
                        return Future.succeededFuture(false);
                    }
                    LOG.warn("sweep: snoop channel {} has no live recording behind it; hanging it up", ExternalText.forLog(id));
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
                sweep(client).onFailure(e -> LOG.warn("sweep failed: {}", ExternalText.forLog(e.getMessage())));
            }
        });
    }
}
