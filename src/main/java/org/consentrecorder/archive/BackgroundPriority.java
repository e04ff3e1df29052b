package org.consentrecorder.archive;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;

/**
 * The archive's CPU work (encoding, encrypting, verifying, decrypting for playback) runs at the lowest Java thread
 * priority, below the event loops.
 *
 * <p>Why: it shares the cores with the event loops that carry the calls, and a pause waits until its loop gets a core
 * (issue 14: with Asterisk on the same two cores, a pause's tail was time its loop spent ready to run, not running).
 * Archiving a recording a few hundred milliseconds later costs nothing; a pause late by one audio frame records card
 * digits. Under the shipped JVM options (deploy/jvm.options: {@code ThreadPriorityPolicy=1} and
 * {@code JavaPriority1_To_OSPriority=10}) the lowest Java priority is nice 10 on Linux: an event loop (nice 0) that
 * wakes up takes the core from it, while the archive still gets every core nobody else wants. Without those options
 * Java priorities are hints the JVM does not pass to Linux, and this changes nothing.
 *
 * <p>Limit: a thread stays lowered after its task, so only executors whose threads belong to the archive alone (a
 * named Vert.x worker pool of its own) may be wrapped.
 */
final class BackgroundPriority {
    private BackgroundPriority() {
    }

    /** {@code pool}, with every task run at {@link Thread#MIN_PRIORITY}. */
    static WorkerExecutor lowered(WorkerExecutor pool) {
        return new WorkerExecutor() {
            @Override
            public <T> Future<T> executeBlocking(Callable<T> work, boolean ordered) {
                return pool.executeBlocking(() -> {
                    lowerCurrentThread();
                    return work.call();
                }, ordered);
            }

            @Override
            public Future<Void> close() {
                return pool.close();
            }

            @Override
            public boolean isMetricsEnabled() {
                return pool.isMetricsEnabled();
            }
        };
    }

    static void lowerCurrentThread() {
        Thread current = Thread.currentThread();
        if (current.getPriority() != Thread.MIN_PRIORITY) {
            current.setPriority(Thread.MIN_PRIORITY);
        }
    }
}
