package org.consentrecorder.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How late work runs on the event loops: on each loop a timer asks to run after a fixed delay
 * and records how much later it actually ran. Anything that blocks a loop (and delays every call
 * on it, pause requests included) shows up here. One histogram for all loops: a loop's index is a
 * number, and numbers make no labels.
 */
final class EventLoopDelayProbe {
    static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1)};

    private final Vertx vertx;
    private final Timer delay;
    private final long everyMillis;
    private volatile boolean stopped;

    EventLoopDelayProbe(Vertx vertx, MeterRegistry registry, Duration every) {
        this.vertx = vertx;
        this.everyMillis = Math.max(1, every.toMillis());
        this.delay = Timer.builder("consent_recorder.event.loop.delay")
                .description("How much later than asked a timer ran on an event loop")
                .serviceLevelObjectives(BUCKETS).register(registry);
    }

    /** A context per event loop: contexts created from outside Vert.x go to the loops in turn. */
    void start(int eventLoops) {
        for (int i = 0; i < eventLoops; i++) {
            Context c = vertx.getOrCreateContext();
            c.runOnContext(v -> schedule());
        }
    }

    void stop() {
        stopped = true;
    }

    private void schedule() {
        if (stopped) {
            return;
        }
        long asked = System.nanoTime();
        vertx.setTimer(everyMillis, t -> {
            long late = System.nanoTime() - asked - TimeUnit.MILLISECONDS.toNanos(everyMillis);
            delay.record(Math.max(0, late), TimeUnit.NANOSECONDS);
            schedule();
        });
    }
}
