package org.consentrecorder.bench.asterisk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's instrument runs at SCHED_RR where the machine allows it, and what it starts (the product
 * after a crash, SIPp) does not inherit that: the subjects must be measured at normal priority.
 */
class InstrumentPriorityTest {

    @AfterEach
    void reset() {
        InstrumentPriority.use(0);
    }

    @Test
    void anInstrumentThreadRunsAtTheGivenPriority_andAProcessItStartsAtNormalPriority() throws Exception {
        boolean allowed = new ProcessBuilder("chrt", "-r", "5", "true").start().waitFor() == 0;
        InstrumentPriority.use(5);
        String described = InstrumentPriority.check();
        if (!allowed) {
            assertTrue(described.startsWith("normal priority (SCHED_RR refused here"), described);
            assertEquals(0, InstrumentPriority.priority(), "refused: the run goes on at normal priority");
            return;
        }
        assertTrue(described.startsWith("SCHED_RR priority 5"), described);
        String[] seen = InstrumentPriority.onInstrumentThread(() -> {
            String self = InstrumentPriority.schedulingOf(InstrumentPriority.currentThread());
            Process child = new ProcessBuilder("sh", "-c", "awk '{print $41, $40}' /proc/$$/stat").start();
            String childPolicy = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            child.waitFor();
            return new String[] {self, childPolicy};
        });
        assertEquals("SCHED_RR priority 5", seen[0]);
        assertEquals("0 0", seen[1], "SCHED_RESET_ON_FORK: a started process is at SCHED_OTHER, real-time priority 0");
        // and the thread that asked stays as it was
        assertTrue(InstrumentPriority.schedulingOf(InstrumentPriority.currentThread()).startsWith("SCHED_OTHER"));
    }

    @Test
    void zeroLeavesEveryThreadAlone() throws Exception {
        InstrumentPriority.use(0);
        assertEquals("normal priority (--instrument-rt 0)", InstrumentPriority.check());
        String self = InstrumentPriority.onInstrumentThread(() -> InstrumentPriority.schedulingOf(InstrumentPriority.currentThread()));
        assertTrue(self.startsWith("SCHED_OTHER"), self);
    }
}
