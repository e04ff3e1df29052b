package org.consentrecorder.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The archive's work runs below the event loops as the kernel schedules it, in a JVM started with the shipped
 * options (deploy/jvm.options), and the options are what does it: without them the JVM leaves every thread at nice 0.
 */
class BackgroundPriorityTest {
    private static final Path OPTIONS = Path.of("deploy/jvm.options").toAbsolutePath();

    @Test
    void underTheShippedOptionsArchiveWorkIsNice10AndTheEventLoopsAsStarted() throws Exception {
        int started = startedAt();
        String seen = probe(true);
        // a thread of normal priority is set to nice 0, which only root may do from a nicer start
        assertTrue(seen.equals("loop=0 background=10") || seen.equals("loop=" + started + " background=10"), seen);
    }

    @Test
    void withoutThemJavaPrioritiesDoNotReachTheKernel() throws Exception {
        int started = startedAt();
        assertEquals("loop=" + started + " background=" + started, probe(false));
    }

    /** The nice value the probe inherits (0 unless the build itself was started nicer). */
    private static int startedAt() throws java.io.IOException {
        int nice = BackgroundPriorityProbe.niceOfThisThread();
        assertTrue(nice < 10, "the tests run at nice " + nice + "; this one needs less than 10 to see the archive's 10");
        return nice;
    }

    private static String probe(boolean shippedOptions) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (shippedOptions) {
            cmd.add("@" + OPTIONS);
        }
        cmd.addAll(List.of("-Xmx64m", "-cp", classPath(), BackgroundPriorityProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> l.startsWith("loop=")).findFirst().orElse("no probe line in: " + out);
    }

    /** Surefire may hand the test JVM a manifest-only jar; its real class path is then in this property. */
    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
