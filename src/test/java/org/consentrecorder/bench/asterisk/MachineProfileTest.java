package org.consentrecorder.bench.asterisk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Asterisk benchmark's machine profile reads /proc as proc(5) says, and never mixes two processes. */
class MachineProfileTest {

    @Test
    void aProcessThatBurnsCpuShowsIt() {
        Map<String, Long> pids = Map.of("benchmark", ProcessHandle.current().pid());
        MachineProfile.Reading before = MachineProfile.read(pids);
        long until = System.nanoTime() + 300_000_000L;
        long x = 0;
        while (System.nanoTime() < until) {
            x += Long.numberOfTrailingZeros(x + System.nanoTime());
        }
        MachineProfile.Delta d = MachineProfile.between(before, MachineProfile.read(pids));
        double[] self = d.processes().get("benchmark");
        // 300 ms of one busy thread is 30 clock ticks; a few are enough to show the fields are the right ones
        assertTrue(self[0] > 5, "CPU percent of one core " + self[0] + " (" + x + ")");
        assertTrue(self[1] >= 0, "run-queue wait " + self[1]);
        assertTrue(d.machineBusyPercent() > 0 && d.machineBusyPercent() <= 100, "busy " + d.machineBusyPercent());
    }

    @Test
    void threadsThatEndDuringTheWatchKeepTheirCpuAndNeverMakeTheWaitNegative() throws Exception {
        Map<String, Long> pids = Map.of("benchmark", ProcessHandle.current().pid());
        MachineProfile.Delta d;
        try (MachineProfile.Watch watch = new MachineProfile.Watch(pids)) {
            for (int i = 0; i < 4; i++) {
                Thread t = new Thread(() -> {
                    long until = System.nanoTime() + 100_000_000L;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                });
                t.start();
                t.join();
            }
            d = watch.stop(pids);
        }
        double[] self = d.processes().get("benchmark");
        assertTrue(self[0] > 5, "CPU percent of one core " + self[0]);
        assertTrue(self[1] >= 0, "run-queue wait " + self[1]);
    }

    @Test
    void ratesArePerSecondOfTheSituation() {
        MachineProfile.Reading a = new MachineProfile.Reading(0, 100, 400, Map.of("asterisk", new long[] {50, 0, 7}));
        MachineProfile.Reading b = new MachineProfile.Reading(2_000_000_000L, 300, 800,
                Map.of("asterisk", new long[] {150, 40_000_000L, 7}));
        MachineProfile.Delta d = MachineProfile.between(a, b);
        assertEquals(2.0, d.seconds(), 1e-9);
        assertEquals(50.0, d.machineBusyPercent(), 1e-9);
        // 100 ticks in 2 s is half a core; 40 ms of waiting in 2 s is 20 ms/s
        assertEquals(50.0, d.processes().get("asterisk")[0], 1e-9);
        assertEquals(20.0, d.processes().get("asterisk")[1], 1e-9);
        assertTrue(d.markdownCells().contains("50% / 20 ms/s"), d.markdownCells());
    }

    @Test
    void aProcessRestartedMeanwhileHasNoDelta() {
        MachineProfile.Reading a = new MachineProfile.Reading(0, 0, 100, Map.of("subject", new long[] {500, 9_000_000L, 41}));
        MachineProfile.Reading b = new MachineProfile.Reading(1_000_000_000L, 50, 200, Map.of("subject", new long[] {20, 1_000_000L, 42}));
        MachineProfile.Delta d = MachineProfile.between(a, b);
        assertFalse(d.processes().containsKey("subject"));
        assertEquals("1 s | 50% | – | – | – | – |", d.markdownCells());
    }
    @Test
    void theRunQueueWaitIsTheSecondFieldOfSchedstat() {
        assertEquals(987654321L, MachineProfile.runQueueWait("123456789 987654321 42\n".getBytes()));
        assertEquals(0L, MachineProfile.runQueueWait("5 0 1".getBytes()));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> MachineProfile.runQueueWait("123456789".getBytes()));
        // and it reads this very thread's own line
        long ownWait = MachineProfile.runQueueWait(readOwn("schedstat"));
        assertTrue(ownWait >= 0);
    }

    @Test
    void aThreadsPolicyIsReadFromFields19To41OfItsStatLine() {
        // a real SCHED_RR line of Asterisk 22 with highpriority = yes (comm with a space and a parenthesis)
        String rr = "3624 (asterisk (x)) S 1 3624 3624 0 -1 4194624 1167 0 0 0 12 9 0 0 -11 0 42 0 1234 "
                + "300000000 5000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 10 2 0 0 0 0 0 0 0 0 0 0 0";
        assertEquals("SCHED_RR priority 10", MachineProfile.scheduling(rr));
        String other = rr.replace(" 17 1 10 2 0 ", " 17 1 0 0 0 ").replace(" -11 0 42 ", " 20 0 42 ");
        assertEquals("SCHED_OTHER nice 0", MachineProfile.scheduling(other));
        String niced = other.replace(" 20 0 42 ", " 39 19 42 ");
        assertEquals("SCHED_OTHER nice 19", MachineProfile.scheduling(niced));
        // this JVM's threads are ordinary ones
        String self = MachineProfile.schedulingOf(ProcessHandle.current().pid());
        assertTrue(self.startsWith("SCHED_OTHER nice "), self);
        assertTrue(self.contains(" threads"), self);
    }

    private static byte[] readOwn(String file) {
        try {
            return java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/thread-self", file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
