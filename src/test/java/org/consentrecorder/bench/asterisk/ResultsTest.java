package org.consentrecorder.bench.asterisk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Asterisk benchmark's results file says what its samples say: figures, ratios, the split, the machine. */
class ResultsTest {

    private static CallScript.Sample sample(double ms, double a, double b) {
        return new CallScript.Sample("user event", ms, 0, null, "cr-x", Instant.EPOCH, new CallScript.Steps(a, b, ms - a - b));
    }

    @Test
    void theSplitAndTheMachineAreWrittenBesideTheFigures(@TempDir Path dir) throws Exception {
        AsteriskBenchmark.Options o = AsteriskBenchmark.Options.parse(new String[] {"--label", "t"});
        Results r = new Results("22.10.1", o);
        List<CallScript.Sample> product = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            product.add(sample(i * 2.0, 0.5, i));
        }
        List<CallScript.Sample> reference = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            reference.add(sample(i * 1.0, -1.0, i * 0.5));
        }
        MachineProfile.Delta busy = new MachineProfile.Delta(10, 80, Map.of("asterisk", new double[] {60, 120}));
        r.add("reference", "20 concurrent calls", reference, busy);
        r.add("product", "20 concurrent calls", product, busy);
        String md = Files.readString(r.write(dir, LocalDate.of(2026, 11, 27)));

        assertTrue(md.contains("| 20 concurrent calls | user event | product | 10 | 10.0 | 20.0 | 20.0 | 0 | 0 |"), md);
        assertTrue(md.contains("| 20 concurrent calls | user event | 2.00 |"), md);
        // p50 / p99 of A, B and C, and the slowest pause's split adding up to its figure
        assertTrue(md.contains("| 20 concurrent calls | user event | product | 10 | 0.5 / 0.5 | 5.0 / 10.0 | 4.5 / 9.5 | 0.5 + 10.0 + 9.5 = 20.0 |"), md);
        assertTrue(md.contains("| 20 concurrent calls | product | 10 s | 80% | 60% / 120 ms/s | – | – | – |"), md);
        String csv = Files.readString(dir.resolve("asterisk-2026-11-27-t-samples.csv"));
        assertTrue(csv.contains("20 concurrent calls,product,user event,1970-01-01T00:00:00Z,cr-x,20.00,0.50,10.00,9.50,0,,,,,,,,,,,,,,\n"), csv);
        assertTrue(csv.lines().count() == 21, csv);
    }

    @Test
    void roundsOfOneSituationAreOneRowWeightedByDuration(@TempDir Path dir) throws Exception {
        Results r = new Results("22.10.1", AsteriskBenchmark.Options.parse(new String[] {}));
        r.add("product", "60 concurrent calls", List.of(sample(5, 1, 2)),
                new MachineProfile.Delta(10, 50, Map.of("subject", new double[] {40, 10})));
        r.add("product", "60 concurrent calls", List.of(sample(7, 1, 2)),
                new MachineProfile.Delta(30, 90, Map.of("subject", new double[] {80, 30})));
        String md = Files.readString(r.write(dir, LocalDate.of(2026, 11, 27)));
        assertTrue(md.contains("| 60 concurrent calls | product | 40 s | 80% | – | 70% / 25 ms/s | – | – |"), md);
    }
    @Test
    void theFirstCallsAreAlsoSetBesideAReferenceThatIsAFreshJvm(@TempDir Path dir) throws Exception {
        Results r = new Results("22.10.1", AsteriskBenchmark.Options.parse(new String[] {"--label", "f"}));
        r.add("reference", "first call after start (cold)", List.of(sample(2, 0.5, 1).withWire(new WireTimeline.Wire(1.0, 0.9, 0.1))));
        r.add(ReferenceSubject.OWN_JVM, "first call after start (cold)",
                List.of(sample(8, 0.5, 4).withWire(new WireTimeline.Wire(6.0, 5.9, 0.1))));
        r.add("product", "first call after start (cold)", List.of(sample(4, 0.5, 2).withWire(new WireTimeline.Wire(3.0, 2.9, 0.1))));
        r.witness(null, "a test's");
        String md = Files.readString(r.write(dir, LocalDate.of(2026, 11, 27)));

        // the goal against the warm reference: 4 against 2, missed
        assertTrue(md.contains("| first call after start (cold) | user event | 4.0 / 2.0 | 2.00 ✗ | 3.0 / 1.0 | 3.00 ✗ |"), md);
        // beside the fresh-JVM reference, in its own table, not the goal's
        String own = md.substring(md.indexOf("### Beside a reference that is a fresh JVM"));
        assertTrue(own.contains("| first call after start (cold) | user event | 4.0 / 8.0 | 0.50 | 3.0 / 6.0 | 0.50 |"), own);
        assertTrue(md.contains("| first call after start (cold) | user event | reference (own JVM) | 1 | 8.0 | 8.0 | 8.0 | 0 | 0 |"), md);
    }

    @Test
    void aSecondReferenceHasAGoalTableOfItsOwn_theFirstStaysTheGoals(@TempDir Path dir) throws Exception {
        AsteriskBenchmark.Options o = AsteriskBenchmark.Options.parse(new String[] {"--reference", "warm-process",
                "--second-reference", "in-jvm", "--label", "s"});
        Results r = new Results("22.10.1", o);
        String second = ReferenceSubject.secondName(AsteriskBenchmark.ReferenceMode.IN_JVM);
        r.add("reference", "60 concurrent calls", List.of(sample(4, 0.5, 2).withWire(new WireTimeline.Wire(3.0, 2.9, 0.1))));
        r.add(second, "60 concurrent calls", List.of(sample(2, 0.5, 1).withWire(new WireTimeline.Wire(1.5, 1.4, 0.1))));
        r.add("product", "60 concurrent calls", List.of(sample(5, 0.5, 2).withWire(new WireTimeline.Wire(4.0, 3.9, 0.1))));
        r.witness(null, "a test's");
        String md = Files.readString(r.write(dir, LocalDate.of(2026, 11, 27)));

        assertEquals("reference (in-jvm)", second);
        String goal = md.substring(md.indexOf("### The goal"), md.indexOf("### Beside the second reference"));
        assertTrue(goal.contains("| 60 concurrent calls | user event | 5.0 / 4.0 | 1.25 | 4.0 / 3.0 | 1.33 |"), goal);
        String beside = md.substring(md.indexOf("### Beside the second reference"));
        assertTrue(beside.contains("`--second-reference in-jvm`"), beside);
        assertTrue(beside.contains("| 60 concurrent calls | user event | 5.0 / 2.0 | 2.50 ✗ | 4.0 / 1.5 | 2.67 ✗ |"), beside);
        assertTrue(md.contains("warming itself before it is ready"), "the first reference's JVM is described");
    }

    @Test
    void theCallsAfterEachStartsFirstAreASituationOfTheirOwn() {
        assertEquals(2, AsteriskBenchmark.Options.parse(new String[0]).nextCalls);
        assertEquals(0, AsteriskBenchmark.Options.parse(new String[] {"--next", "0"}).nextCalls);
        assertEquals("calls 2-3 after start, one at a time", AsteriskBenchmark.nextCallsSituation(2));
        assertEquals("second call after start", AsteriskBenchmark.nextCallsSituation(1));
    }

    @Test
    void theFreshReferenceFollowsTheColdStartsUnlessAsked() {
        assertEquals(8, AsteriskBenchmark.Options.parse(new String[] {"--cold", "8"}).freshReferenceStarts);
        assertEquals(0, AsteriskBenchmark.Options.parse(new String[] {"--fresh-reference", "0"}).freshReferenceStarts);
        assertEquals(3, AsteriskBenchmark.Options.parse(new String[] {"--cold", "8", "--fresh-reference", "3"}).freshReferenceStarts);
        // with the reference already in a JVM of its own, a second one would measure the same thing
        assertEquals(0, AsteriskBenchmark.Options.parse(new String[] {"--reference", "process"}).freshReferenceStarts);
    }

    @Test
    void aSituationWithACommaStaysOneCsvField(@TempDir Path dir) throws Exception {
        Results r = new Results("22.10.1", AsteriskBenchmark.Options.parse(new String[] {"--label", "c"}));
        r.add("product", "one call at a time, warm", List.of(new CallScript.Sample("dtmf", 4, 0, "a \"quoted\", error")));
        r.write(dir, LocalDate.of(2026, 11, 27));
        List<String> lines = Files.readAllLines(dir.resolve("asterisk-2026-11-27-c-samples.csv"));
        assertEquals("\"one call at a time, warm\",product,dtmf,,,4.00,,,,0,\"a \"\"quoted\"\", error\",,,,,,,,,,,,,", lines.get(1));
        assertEquals("plain", Results.csvField("plain"));
    }

    /**
     * The wire witness's table and the goal on both figures: here the poll says the product misses the ratio
     * (its figure 30 ms against the reference's 10) while the wire says it meets it (3 against 2.5).
     */
    @Test
    void theWireIsWrittenBesideThePollWithTheGoalOnBoth(@TempDir Path dir) throws Exception {
        long t0 = 1_795_825_000_000_000_000L;
        List<Pcap.Segment> wire = new ArrayList<>();
        List<CallScript.Sample> reference = new ArrayList<>();
        List<CallScript.Sample> product = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            long base = t0 + i * 1_000_000_000L;
            String call = "bench-" + i + "-2";
            // the reference pauses 2.5 ms after the trigger on the wire, the product 3 ms
            for (String subject : List.of("reference", "product")) {
                long at = base + (subject.equals("product") ? 500_000_000L : 0);
                int port = 43000 + i * 4 + (subject.equals("product") ? 2 : 0);
                String rec = subject.substring(0, 3) + "-" + i;
                wire.add(new Pcap.Segment(at, port, 8088, ("POST /ari/events/user/PaymentStart?source=channel%3A" + call
                        + "&application=a HTTP/1.1\r\n\r\n").getBytes(), false));
                wire.add(new Pcap.Segment(at + 100_000, 8088, port, "HTTP/1.1 204 No Content\r\n\r\n".getBytes(), false));
                if (subject.equals("product")) {
                    // only the product's own frame of the event is in this capture: its part splits, the reference's not
                    wire.add(new Pcap.Segment(at + 300_000, 8088, 44000 + i, ("\u0081~\u0001\u0000{\"type\":\"ChannelUserevent\","
                            + "\"eventname\":\"PaymentStart\",\"channel\":{\"id\":\"" + call + "\"},\"application\":\"consent-recorder\"}")
                            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), false));
                }
                double pauseMs = subject.equals("product") ? 3.0 : 2.5;
                long pauseAt = at + 100_000 + (long) ((pauseMs - 0.1) * 1e6);
                wire.add(new Pcap.Segment(pauseAt, port + 1, 8088, ("POST /ari/recordings/live/" + rec
                        + "/pause HTTP/1.1\r\n\r\n").getBytes(), false));
                wire.add(new Pcap.Segment(pauseAt + 100_000, 8088, port + 1, "HTTP/1.1 204 No Content\r\n\r\n".getBytes(), false));
                long stamped = at + 1_100_000; // the benchmark's JVM saw the POST return 1 ms after the wire
                Instant t = Instant.ofEpochSecond(stamped / 1_000_000_000L, stamped % 1_000_000_000L);
                double poll = subject.equals("product") ? 30 : 10;
                (subject.equals("product") ? product : reference)
                        .add(new CallScript.Sample("user event", poll, 0, null, rec, t, null).onCall(call));
            }
        }
        // a pause the capture does not hold is counted, not guessed
        product.add(new CallScript.Sample("user event", 5, 0, null, "pro-9", Instant.ofEpochSecond(t0 / 1_000_000_000L), null)
                .onCall("bench-9-2"));
        Results r = new Results("22.10.1", AsteriskBenchmark.Options.parse(new String[] {"--label", "w"}));
        r.add("reference", "60 concurrent calls", reference);
        r.add("product", "60 concurrent calls", product);
        r.witness(WireTimeline.of(wire, 8088), "3 packets captured, 0 packets dropped by kernel");
        String md = Files.readString(r.write(dir, LocalDate.of(2026, 11, 28)));

        assertTrue(md.contains("Capture: 3 packets captured, 0 packets dropped by kernel."), md);
        assertTrue(md.contains("| 60 concurrent calls | user event | reference | 4 of 4 | 2.5 | 2.5 | 2.5 | 2.4 | 0.1 | 7.5 / 7.5 |"), md);
        assertTrue(md.contains("| 60 concurrent calls | user event | product | 4 of 5 | 3.0 | 3.0 | 3.0 | 2.9 | 0.1 | 27.0 / 27.0 |"), md);
        assertTrue(md.contains("| 60 concurrent calls | user event | 30.0 / 10.0 | 3.00 ✗ | 3.0 / 2.5 | 1.20 |"), md);
        // the product's 2.9 ms: 0.2 ms Asterisk's dispatch to it, 2.7 ms its own; the reference has no split row
        String split = md.substring(md.indexOf("### The subject's part, split"), md.indexOf("### The goal"));
        assertTrue(split.contains("| 60 concurrent calls | user event | product | 4 of 4 | 0.20 / 0.20 | 2.70 / 2.70 / 2.70 |"), split);
        assertFalse(split.contains("| reference |"), split);
        String csv = Files.readString(dir.resolve("asterisk-2026-11-28-w-samples.csv"));
        assertTrue(csv.contains(",pro-0,30.00,,,,0,,3.00,2.90,0.10,0.20,2.70,,,,,,,,\n"), csv);
        assertTrue(csv.contains(",ref-0,10.00,,,,0,,2.50,2.40,0.10,,,,,,,,,,\n"), csv);
    }

    /**
     * Pauses taken alone carry their threads' run-queue waits: the cell's typical longest wait, and the slowest
     * pause with the thread that waited most in it, the subject's and Asterisk's.
     */
    @Test
    void pausesTakenAloneShowWhoWaitedForACore(@TempDir Path dir) throws Exception {
        List<CallScript.Sample> product = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            ThreadWaits.Longest subject = new ThreadWaits.Longest("vert.x-eventloo", i == 3 ? 2.5 : 0.1 * i, 3.0, "C2 CompilerThre", 4.0);
            product.add(sample(i == 3 ? 3.2 : 1, 0.5, 0.2).withWaits(new ThreadWaits.Window(subject,
                    new ThreadWaits.Longest("httpd|x", 0.05, 0.2, "asterisk", 1.0), 6.5)));
        }
        // the reference ran in the benchmark's JVM: Asterisk's threads only
        List<CallScript.Sample> reference = List.of(sample(1.5, 0.5, 0.2)
                .withWaits(new ThreadWaits.Window(null, new ThreadWaits.Longest("ast_sip, one", 0.3, 0.4, "asterisk", 0.2), 4.0)));
        Results r = new Results("22.10.1", AsteriskBenchmark.Options.parse(new String[] {"--label", "q"}));
        r.add("product", "one call at a time, warm", product);
        r.add("reference", "one call at a time, warm", reference);
        r.add("product", "60 concurrent calls", List.of(sample(9, 0.5, 2)));
        String md = Files.readString(r.write(dir, LocalDate.of(2026, 11, 29)));

        String waits = md.substring(md.indexOf("## Waiting for a core"));
        assertTrue(waits.contains("| one call at a time, warm | user event | product | 4 | 0.20 / 2.50 | 3.20 | 6.5 | "
                + "2.50 (vert.x-eventloo); 4.00 (C2 CompilerThre) | 0.05 (httpd/x) |"), waits);
        assertTrue(waits.contains("| one call at a time, warm | user event | reference | 1 | – | 1.50 | 4.0 | – | 0.30 (ast_sip, one) |"), waits);
        assertFalse(waits.contains("60 concurrent calls"), "concurrent pauses carry no waits");
        List<String> csv = Files.readAllLines(dir.resolve("asterisk-2026-11-29-q-samples.csv"));
        assertTrue(csv.get(0).endsWith(",wait_window_ms,wait_subject_ms,wait_subject_thread,wait_subject_total_ms,ran_subject_ms,"
                + "ran_subject_thread,wait_asterisk_ms,wait_asterisk_thread"), csv.get(0));
        assertTrue(csv.stream().anyMatch(l -> l.endsWith(",0,,,,,,,6.50,2.50,vert.x-eventloo,3.00,4.00,C2 CompilerThre,0.05,httpd|x")),
                String.join("\n", csv));
        assertTrue(csv.stream().anyMatch(l -> l.endsWith(",0,,,,,,,4.00,,,,,,0.30,\"ast_sip, one\"")), String.join("\n", csv));
    }

    @Test
    void withoutACaptureTheResultsSayWhy(@TempDir Path dir) throws Exception {
        Results r = new Results("22.10.1", AsteriskBenchmark.Options.parse(new String[] {"--label", "n"}));
        r.add("product", "60 concurrent calls", List.of(sample(5, 1, 2)));
        r.witness(null, "none (--wire no)");
        String md = Files.readString(r.write(dir, LocalDate.of(2026, 11, 28)));
        assertTrue(md.contains("Capture: none (--wire no)."), md);
        assertTrue(md.contains("The product's JVM: as shipped, deploy/jvm.options (`-XX:+UseShenandoahGC "
                + "-XX:CompileThresholdScaling=0.1`), with the benchmark's fixed heap `-Xms512m -Xmx512m`."), md);
        Results defaults = new Results("22.10.1", AsteriskBenchmark.Options.parse(new String[] {"--shipped-jvm", "no",
                "--product-jvm", "-XX:+UseG1GC"}));
        assertEquals("the JVM's defaults (`--shipped-jvm no`: G1 and HotSpot's compile thresholds), with the benchmark's fixed heap "
                + "`-Xms512m -Xmx512m`, then `-XX:+UseG1GC`", defaults.productJvm());
        assertTrue(md.contains("No pause was found in the capture."), md);
    }
}
