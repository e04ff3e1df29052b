package org.consentrecorder.bench.asterisk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** A pause's window names the thread that waited longest for a core, from two readings of the kernel's counts. */
class ThreadWaitsTest {

    @Test
    void theLongestWaitAndTheLongestRunInTheWindowAreNamedAndTheWaitsSummed() {
        ThreadWaits before = new ThreadWaits(Map.of("10", new long[] {40_000_000L, 5_000_000L},
                "11", new long[] {90_000_000L, 1_000_000L}, "12", new long[] {1L, 9_000_000L}),
                Map.of("10", "vert.x-eventloo", "11", "C2 CompilerThre", "12", "ended-thread"));
        // 10 ran 1.2 ms and waited 0.5 ms more, 11 ran 0.3 ms and waited 2.5 ms more; 13 was born in the window (all
        // its 0.75 ms of wait count); 12 ended
        ThreadWaits after = new ThreadWaits(Map.of("10", new long[] {41_200_000L, 5_500_000L},
                "11", new long[] {90_300_000L, 3_500_000L}, "13", new long[] {100_000L, 750_000L}),
                Map.of("10", "vert.x-eventloo", "11", "C2 CompilerThre", "13", "new-worker"));
        ThreadWaits.Longest l = after.since(before);
        assertEquals("C2 CompilerThre", l.thread());
        assertEquals(2.5, l.ms(), 1e-9);
        assertEquals(3.75, l.totalMs(), 1e-9);
        assertEquals("vert.x-eventloo", l.ranLongest());
        assertEquals(1.2, l.ranMs(), 1e-9);
    }

    @Test
    void readsTheKernelsSchedstatLine() {
        long[] t = ThreadWaits.parse("1027045 293039 3\n");
        assertEquals(1027045L, t[0]);
        assertEquals(293039L, t[1]);
        assertThrows(IllegalArgumentException.class, () -> ThreadWaits.parse("12\n"));
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
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread probe = new Thread(() -> {
            running.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "tw-probe-thread-long-name");
        probe.start();
        // HotSpot names the native thread from the thread itself as it starts, before run(): wait until it runs
        running.await();
        try {
            ThreadWaits before = ThreadWaits.of(ProcessHandle.current().pid());
            // Linux keeps 15 bytes of a thread's name
            assertTrue(before.threadNames().contains("tw-probe-thread"), before.threadNames().toString());
            // 20 ms of this thread's own CPU time, however busy the machine
            java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
            long spin = cpu.getCurrentThreadCpuTime() + 20_000_000L;
            while (cpu.getCurrentThreadCpuTime() < spin) {
                Thread.onSpinWait();
            }
            ThreadWaits.Longest l = ThreadWaits.of(ProcessHandle.current().pid()).since(before);
            assertTrue(l.ms() >= 0 && l.totalMs() >= l.ms(), l.toString());
            // this thread spun for 20 ms in the window: some thread ran at least that long (the kernel's count)
            assertTrue(l.ranMs() >= 15, l.toString());
        } finally {
            done.countDown();
            probe.join();
        }
    }
}
