package org.consentrecorder.bench.asterisk;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        assertTrue(csv.contains("20 concurrent calls,product,user event,1970-01-01T00:00:00Z,cr-x,20.00,0.50,10.00,9.50,0,\n"), csv);
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
    void aSituationWithACommaStaysOneCsvField(@TempDir Path dir) throws Exception {
        Results r = new Results("22.10.1", AsteriskBenchmark.Options.parse(new String[] {"--label", "c"}));
        r.add("product", "one call at a time, warm", List.of(new CallScript.Sample("dtmf", 4, 0, "a \"quoted\", error")));
        r.write(dir, LocalDate.of(2026, 11, 27));
        List<String> lines = Files.readAllLines(dir.resolve("asterisk-2026-11-27-c-samples.csv"));
        assertEquals("\"one call at a time, warm\",product,dtmf,,,4.00,,,,0,\"a \"\"quoted\"\", error\"", lines.get(1));
        assertEquals("plain", Results.csvField("plain"));
    }
}
