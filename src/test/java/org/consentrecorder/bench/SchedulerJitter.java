package org.consentrecorder.bench;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * How late the operating system wakes a thread that asked to sleep 1 ms, sampled all run long
 * (like cyclictest, in Java). When the machine has more runnable threads than cores, every
 * hand-over between threads (WebSocket reader, call shard, HTTP connection, the double) can wait
 * this long; it is the floor under any latency measured here, whatever the application does.
 */
final class SchedulerJitter implements AutoCloseable {
    private static final long PERIOD_NANOS = 1_000_000;
    private static final int CAPACITY = 400_000;

    private final long[] at = new long[CAPACITY];
    private final long[] late = new long[CAPACITY];
    private volatile int count;
    private volatile boolean running = true;
    private final Thread thread;

    SchedulerJitter() {
        thread = new Thread(this::loop, "bench-jitter");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        int n = 0;
        while (running && n < CAPACITY) {
            long before = System.nanoTime();
            LockSupport.parkNanos(PERIOD_NANOS);
            long after = System.nanoTime();
            at[n] = after;
            late[n] = Math.max(0, after - before - PERIOD_NANOS);
            count = ++n;
        }
    }

    /** Wake-up delays of the wake-ups between two nanoTime instants, sorted. */
    long[] between(long from, long to) {
        int n = count;
        int first = lowerBound(from, n);
        int last = lowerBound(to, n);
        long[] r = Arrays.copyOfRange(late, first, Math.max(first, last));
        Arrays.sort(r);
        return r;
    }

    /** The first index whose wake-up is at or after t (wake-ups are in time order). */
    private int lowerBound(long t, int n) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (at[mid] - t < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(1000);
    }
}
