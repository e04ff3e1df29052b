package org.consentrecorder.app;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Waits, without blocking a thread, until the JIT compilers have stopped finishing work: the total compilation
 * time the JVM reports has not moved for {@code quietReadings} readings in a row, or {@code limit} has passed.
 *
 * <p>Why: the warm-up hands the compilers the pause path's methods (issue 14), and they compile in the
 * background. A call that arrives while they are still at it runs the
 * interpreter's or the profiling tier's code. On a real Asterisk, with compile thresholds lowered and no such
 * wait, the first pause after a start took 7 ms from its frame to its request against 0.7 ms for the next
 * ones (temporary probes, 2026-11-28, README Performance). With the wait, four starts' first pauses took
 * 2.2–10.6 ms: most of that cost is the call's own first-time work on its event loop, which no wait removes,
 * and so few samples do not show how much the wait saves. It costs 2–5 s of start-up on a 2-core machine.
 * The limit keeps a busy machine from holding the start back: past it the application subscribes anyway.
 */
final class CompilerQuiet {
    /** The JVM's total compilation time in ms, or null when this JVM does not report one. */
    static LongSupplier jvmCompilationMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit == null || !jit.isCompilationTimeMonitoringSupported() ? null : jit::getTotalCompilationTime;
    }

    private CompilerQuiet() {
    }

    /** Completes with the time waited; at once when {@code compilationMillis} is null. */
    static Future<Duration> await(Vertx vertx, LongSupplier compilationMillis, Duration period, int quietReadings,
                                  Duration limit) {
        if (compilationMillis == null) {
            return Future.succeededFuture(Duration.ZERO);
        }
        long started = System.nanoTime();
        Promise<Duration> done = Promise.promise();
        long[] last = {compilationMillis.getAsLong()};
        int[] quiet = {0};
        vertx.setPeriodic(period.toMillis(), id -> {
            long now = compilationMillis.getAsLong();
            quiet[0] = now == last[0] ? quiet[0] + 1 : 0;
            last[0] = now;
            Duration waited = Duration.ofNanos(System.nanoTime() - started);
            if (quiet[0] >= quietReadings || waited.compareTo(limit) >= 0) {
                vertx.cancelTimer(id);
                done.tryComplete(waited);
            }
        });
        return done.future();
    }
}
