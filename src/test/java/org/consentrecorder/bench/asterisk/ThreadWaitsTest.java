package org.consentrecorder.bench.asterisk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** A pause's window names the thread that waited longest for a core, from two readings of the kernel's counts. */
class ThreadWaitsTest {

    @Test
    void theLongestWaitInTheWindowIsNamedAndAllAreSummed() {
        ThreadWaits before = new ThreadWaits(Map.of("10", 5_000_000L, "11", 1_000_000L, "12", 9_000_000L),
                Map.of("10", "vert.x-eventloo", "11", "C2 CompilerThre", "12", "ended-thread"));
        // 10 waited 0.5 ms more, 11 2.5 ms more; 13 was born in the window (all its 0.75 ms count); 12 ended
        ThreadWaits after = new ThreadWaits(Map.of("10", 5_500_000L, "11", 3_500_000L, "13", 750_000L),
                Map.of("10", "vert.x-eventloo", "11", "C2 CompilerThre", "13", "new-worker"));
        ThreadWaits.Longest l = after.since(before);
        assertEquals("C2 CompilerThre", l.thread());
        assertEquals(2.5, l.ms(), 1e-9);
        assertEquals(3.75, l.totalMs(), 1e-9);
    }

    @Test
    void aProcessThatCannotBeReadHasNoFigureRatherThanZero() {
        ThreadWaits none = ThreadWaits.of(-1);
        assertTrue(none.isEmpty());
        assertTrue(ThreadWaits.of(java.util.OptionalLong.empty()).isEmpty());
        ThreadWaits self = ThreadWaits.of(ProcessHandle.current().pid());
        assertNull(self.since(none));
        assertNull(none.since(self));
        // a pid no process has (pid_max is at most 2^22)
        assertTrue(ThreadWaits.of(4_194_304L + 17).isEmpty());
    }

    @Test
    void readsThisProcesssThreadsByTheirNames() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        Thread probe = new Thread(() -> {
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "tw-probe-thread-long-name");
        probe.start();
        try {
            ThreadWaits before = ThreadWaits.of(ProcessHandle.current().pid());
            // Linux keeps 15 bytes of a thread's name
            assertTrue(before.threadNames().contains("tw-probe-thread"), before.threadNames().toString());
            long spin = System.nanoTime() + 20_000_000L;
            while (System.nanoTime() < spin) {
                Thread.onSpinWait();
            }
            ThreadWaits.Longest l = ThreadWaits.of(ProcessHandle.current().pid()).since(before);
            assertTrue(l.ms() >= 0 && l.totalMs() >= l.ms(), l.toString());
        } finally {
            done.countDown();
            probe.join();
        }
    }
}
