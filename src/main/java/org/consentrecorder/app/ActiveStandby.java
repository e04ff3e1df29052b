package org.consentrecorder.app;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.consentrecorder.store.Fence;
import org.consentrecorder.store.LeaseSettings;
import org.consentrecorder.store.ServerLease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds or waits for the lease on one Asterisk server (store.ServerLease) and says whether this instance may act on
 * that server now. There is one per configured server: an instance may hold some servers and stand by for others. The holder renews every {@code ttl / 6}; a standby tries to take the lease as often.
 *
 * <p>The holder trusts its lease only until {@code ttl} minus a fifth after it last <em>sent</em> a successful renewal,
 * by its own monotonic clock: the database extended the lease to at least {@code ttl} after that moment, so the holder
 * stops acting before anyone else may start. A holder that cannot renew in time (database cut off, process frozen by
 * GC or SIGSTOP) steps down: it lets its calls go without acting and drops its ARI connection. Its ARI client is
 * withheld from the moment its own deadline passes, and its database writes carry its generation and are refused
 * once another instance has taken over.
 *
 * <p>Runs on its own context; the callbacks run there too.
 */
final class ActiveStandby implements Fence {
    private static final Logger LOG = LoggerFactory.getLogger(ActiveStandby.class);

    private final Vertx vertx;
    private final ServerLease lease;
    private final Duration ttl;
    private final Duration interval;
    private final LongFunction<Future<Void>> onAcquired;
    private final Consumer<String> onLost;
    private final Runnable onFirstStandby;
    private Context context;
    private long timer = -1;
    private boolean inFlight;
    private volatile boolean stopped;
    private volatile long generation;
    private volatile long trustedUntilNanos;
    private volatile boolean triedOnce;
    private boolean loggedStandby;
    private boolean ranFirstStandby;

    ActiveStandby(Vertx vertx, ServerLease lease, LeaseSettings settings, LongFunction<Future<Void>> onAcquired,
                  Consumer<String> onLost, Runnable onFirstStandby) {
        this.vertx = vertx;
        this.lease = lease;
        this.ttl = settings.ttl();
        this.interval = settings.interval();
        this.onAcquired = onAcquired;
        this.onLost = onLost;
        this.onFirstStandby = onFirstStandby;
    }

    /** Starts trying on {@code context}: at once, then every interval. */
    void start(Context context) {
        this.context = context;
        context.runOnContext(v -> {
            tick();
            timer = vertx.setPeriodic(interval.toMillis(), t -> tick());
        });
    }

    @Override
    public String server() {
        return lease.server();
    }

    /** The generation held now, 0 if none: what this instance's per-server writes carry. */
    @Override
    public long generation() {
        return generation;
    }

    /** True while this instance holds the lease and its own deadline has not passed. */
    boolean mayAct() {
        return generation > 0 && System.nanoTime() - trustedUntilNanos < 0;
    }

    boolean holding() {
        return generation > 0;
    }

    /** True once a first try found the lease held by another instance, and this one still holds none. */
    boolean standingBy() {
        return triedOnce && generation == 0 && !stopped;
    }

    private void tick() {
        if (stopped) {
            return;
        }
        if (generation > 0 && !mayAct()) {
            stepDown("no renewal of the lease within " + ttl.toMillis() + " ms (database unreachable, or this "
                    + "process was paused)");
            return;
        }
        if (inFlight) {
            return;
        }
        inFlight = true;
        long sent = System.nanoTime();
        if (generation > 0) {
            long held = generation;
            lease.renew(held, ttl).onComplete(ar -> {
                inFlight = false;
                if (stopped || generation != held) {
                    return;
                }
                if (ar.failed()) {
                    LOG.warn("cannot renew the lease of ARI server '{}' (generation {}): {}", lease.server(), held,
                            ar.cause().getMessage());
                } else if (ar.result()) {
                    trust(sent);
                } else {
                    stepDown("the lease was taken over by another instance");
                }
            });
        } else {
            lease.tryAcquire(ttl).onComplete(ar -> {
                inFlight = false;
                if (stopped) {
                    if (ar.succeeded() && ar.result().isPresent()) {
                        lease.release(ar.result().get());
                    }
                    return;
                }
                triedOnce = true;
                if (ar.failed()) {
                    LOG.debug("cannot try the lease of ARI server '{}': {}", lease.server(), ar.cause().getMessage());
                    return;
                }
                if (ar.result().isEmpty() && !loggedStandby) {
                    loggedStandby = true;
                    if (!ranFirstStandby) {
                        ranFirstStandby = true;
                        onFirstStandby.run();
                    }
                    LOG.info("ARI server '{}' is held by another instance: instance {} stands by", lease.server(),
                            lease.holder());
                }
                ar.result().ifPresent(g -> {
                    loggedStandby = false;
                    generation = g;
                    trust(sent);
                    LOG.info("holding ARI server '{}' as instance {} (lease generation {}): taking its calls over",
                            lease.server(), lease.holder(), g);
                    onAcquired.apply(g).onFailure(e -> LOG.error("taking ARI server '{}' over failed: {}",
                            lease.server(), e.getMessage()));
                });
            });
        }
    }

    private void trust(long sentNanos) {
        trustedUntilNanos = sentNanos + ttl.toNanos() - ttl.toNanos() / 5;
    }

    private void stepDown(String why) {
        long was = generation;
        generation = 0;
        LOG.warn("standing down from ARI server '{}' (lease generation {}): {}; letting its calls go and dropping "
                + "the ARI connection", lease.server(), was, why);
        onLost.accept(why);
    }

    /** Stops trying and gives the lease up (an orderly stop: a standby takes over without waiting for expiry). */
    Future<Void> stop() {
        if (context == null) {
            return Future.succeededFuture();
        }
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            stopped = true;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            long held = generation;
            generation = 0;
            if (held > 0) {
                lease.release(held).onComplete(ar -> done.complete());
            } else {
                done.complete();
            }
        });
        return done.future();
    }
}
