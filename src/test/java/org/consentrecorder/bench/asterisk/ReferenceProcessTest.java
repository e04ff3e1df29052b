package org.consentrecorder.bench.asterisk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.consentrecorder.simulator.SimulatedAsterisk;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's reference app in a JVM of its own, against the ARI double: a call is recorded, a
 * user event pauses it, and the pause's stamps cross the process boundary; a restart is a new JVM
 * and a stop leaves no process and no WebSocket behind.
 */
class ReferenceProcessTest {

    @Test
    void aStampLineReadsBackAsItsPause() {
        CallScript.PauseStamps stamp = new CallScript.PauseStamps("user event",
                Instant.parse("2026-11-28T07:00:00.123456Z"), Instant.parse("2026-11-28T07:00:00.124987Z"));
        String line = ReferenceMain.line("ref-1.2", stamp);

        ReferenceMain.Stamped read = ReferenceMain.parse(line).orElseThrow();

        assertEquals("ref-1.2", read.recording());
        assertEquals(stamp, read.stamp());
        assertTrue(ReferenceMain.parse("Exception in thread \"main\" java.lang.IllegalStateException").isEmpty());
        assertTrue(ReferenceMain.parse("stamp\tref-1\tdtmf\tnot-a-time\t2026-11-28T07:00:00Z").isEmpty());
    }

    @Test
    void theCommandLineCarriesNoPassword() {
        AsteriskBenchmark.Options o = AsteriskBenchmark.Options.parse(new String[] {"--password", "s3cret-pw",
                "--reference", "process", "--reference-jvm", "-XX:+UseSerialGC"});

        assertEquals(AsteriskBenchmark.ReferenceMode.PROCESS, o.reference);

        List<String> cmd = ReferenceSubject.command(o, o.reference, "classes");

        assertFalse(String.join(" ", cmd).contains("s3cret-pw"), cmd.toString());
        assertTrue(cmd.contains("-XX:+UseSerialGC"), cmd.toString());
        assertEquals(ReferenceMain.class.getName(), cmd.get(cmd.indexOf("classes") + 1));
    }

    @Test
    void theReferenceRunsInsideTheBenchmarkUnlessAsked() {
        assertEquals(AsteriskBenchmark.ReferenceMode.IN_JVM, AsteriskBenchmark.Options.parse(new String[0]).reference);
        assertEquals(AsteriskBenchmark.ReferenceMode.IN_JVM,
                AsteriskBenchmark.Options.parse(new String[] {"--reference", "in-jvm"}).reference);
        assertEquals(AsteriskBenchmark.ReferenceMode.WARM_PROCESS,
                AsteriskBenchmark.Options.parse(new String[] {"--reference", "warm-process"}).reference);
        assertThrows(IllegalArgumentException.class,
                () -> AsteriskBenchmark.Options.parse(new String[] {"--reference", "elsewhere"}));
    }

    @Test
    void aPauseInTheReferencesOwnJvmReachesTheBenchmark() throws Exception {
        SimulatedAsterisk asterisk = SimulatedAsterisk.start("ari", "ari-secret", 0);
        AsteriskBenchmark.Options o = AsteriskBenchmark.Options.parse(new String[] {"--reference", "process"});
        o.ari = URI.create(asterisk.url());
        ReferenceSubject reference = new ReferenceSubject(o);
        try {
            reference.start();
            long first = reference.pid().orElseThrow();
            assertNotEquals(ProcessHandle.current().pid(), first);
            assertTrue(asterisk.connected(ReferenceSubject.APPLICATION));

            String recording = pauseOneCall(asterisk, reference);

            CallScript.PauseStamps stamp = reference.pauseStamps(recording).get(0);
            assertEquals("user event", stamp.trigger());
            assertFalse(stamp.answered().isBefore(stamp.handled()), stamp.toString());

            reference.restart();
            long second = reference.pid().orElseThrow();
            assertNotEquals(first, second);
            assertFalse(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false), "the first JVM is gone");

            reference.stop();
            assertFalse(ProcessHandle.of(second).map(ProcessHandle::isAlive).orElse(false), "the second JVM is gone");
            await(() -> !asterisk.connected(ReferenceSubject.APPLICATION), "its WebSocket is closed");
        } finally {
            reference.stop();
            asterisk.close();
        }
    }

    @Test
    void theWarmReferenceStartsWithTheProductsJvmOptionsAndWarmsItself() {
        AsteriskBenchmark.Options o = AsteriskBenchmark.Options.parse(new String[] {"--reference", "warm-process"});

        List<String> cmd = ReferenceSubject.command(o, o.reference, "classes");

        assertTrue(cmd.contains("@" + ProductSubject.shippedJvmOptions()), cmd.toString());
        assertEquals(ReferenceMain.WARM, cmd.get(cmd.size() - 1));
        assertFalse(ReferenceSubject.command(o, AsteriskBenchmark.ReferenceMode.PROCESS, "classes").contains(ReferenceMain.WARM));
    }

    @Test
    void theWarmUpsFramesAreThePausePathsTriggers() throws Exception {
        List<String> frames = ReferenceWarmup.frames();
        List<String> types = new java.util.ArrayList<>();
        List<String> digits = new java.util.ArrayList<>();
        List<String> events = new java.util.ArrayList<>();
        for (String frame : frames) {
            var e = RawAri.JSON.readTree(frame);
            types.add(e.path("type").asText());
            if (e.has("digit")) {
                digits.add(e.path("digit").asText());
            }
            if (e.has("eventname")) {
                events.add(e.path("eventname").asText());
            }
        }

        assertFalse(types.contains("StasisStart"), types.toString());
        assertEquals(List.of("*", "7", "*", "8"), digits);
        assertEquals(List.of("PaymentStart", "PaymentEnd"), events);
        assertEquals("warmup.1", ReferenceWarmup.channelOf(frames));
    }

    @Test
    void theWarmReferenceWarmsOnTheRealPathAndReportsNoneOfItsWarmUpPauses() throws Exception {
        SimulatedAsterisk asterisk = SimulatedAsterisk.start("ari", "ari-secret", 0);
        AsteriskBenchmark.Options o = AsteriskBenchmark.Options.parse(new String[] {"--reference", "warm-process"});
        o.ari = URI.create(asterisk.url());
        ReferenceSubject reference = new ReferenceSubject(o);
        try {
            reference.start();
            java.nio.file.Path log = reference.log();
            String warmed = java.nio.file.Files.readAllLines(log).stream().filter(l -> l.startsWith("reference warmed in"))
                    .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no warm-up line in " + log));
            int rounds = ReferenceWarmup.ROUNDS;
            assertTrue(warmed.contains(" " + 2 * rounds + " pause requests answered"), warmed);
            assertTrue(warmed.contains(" " + rounds + " of its own frames received"), warmed);
            assertTrue(reference.pauseStamps(ReferenceWarmup.RECORDING).isEmpty(), "the warm-up's pauses are not reported");

            pauseOneCall(asterisk, reference);
        } finally {
            reference.stop();
            asterisk.close();
        }
    }

    /** A call recorded by the reference and paused by a user event, its stamps back in the benchmark; its recording. */
    private static String pauseOneCall(SimulatedAsterisk asterisk, ReferenceSubject reference) throws InterruptedException {
        String caller = asterisk.placeCall(ReferenceSubject.APPLICATION, "100", "bench", "100", "en");
        String recording = "ref-" + caller;
        await(() -> asterisk.liveRecordings().contains(recording), "the reference records the call");
        asterisk.userEvent(caller, "PaymentStart");
        await(() -> "paused".equals(asterisk.liveState(recording)), "the user event pauses the recording");
        await(() -> !reference.pauseStamps(recording).isEmpty(), "the pause's stamps reach the benchmark");
        return recording;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(20);
        }
    }
}
