package org.consentrecorder.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load benchmark, small: 100 calls through the whole flow, the application in its own JVM as
 * in the real command. No timing assertions (CI machines vary); it asserts that every call
 * completed every step with no error of any kind, and that the results files can be written.
 */
class LoadBenchmarkSmokeTest {

    @Test
    void hundredCalls_everyStepCompletesWithoutAnyError(@TempDir Path out) throws Exception {
        LoadOptions o = LoadOptions.parse(new String[] {
                "--calls=100", "--rate=50", "--warmup=0", "--segments=2", "--prompt=200ms", "--think=100ms",
                "--payment=300ms", "--app-jvm=-Xmx256m", "--jfr=false", "--out=" + out});
        LoadResult r = LoadBenchmark.run(o);
        System.out.println(r.summary());

        assertEquals(List.of(), r.errors(), "errors of the run");
        assertEquals(100, r.stasisToAnswer().count(), "every call answered");
        assertEquals(100, r.keyToDecision().count(), "every call decided");
        assertEquals(100, r.keyToContinue().count(), "every call recorded and continued");
        assertEquals(200, r.triggerToPause().count(), "every payment pause reached the double");
        assertEquals(200, r.triggerToResume().count(), "every resume reached the double");
        assertEquals(100, r.run().appLiveAtPlateau, "all calls live at the plateau");
        assertTrue(r.bytesPerCall() > 0, "heap per call measured: " + r.bytesPerCall());

        List<Path> files = LoadReport.write(r, out);
        for (Path f : files) {
            assertTrue(Files.size(f) > 0, f + " written");
        }
        // 100 calls x (answer, decision, continue) + 200 x (pause, resume) + the header
        assertEquals(1 + 300 + 400, Files.readAllLines(files.get(1)).size());
    }
}
