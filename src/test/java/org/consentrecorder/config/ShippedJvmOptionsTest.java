package org.consentrecorder.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/jvm.options is what the image starts the product with (a low-pause collector, early compilation; issue 14):
 * this JVM accepts the file as an argument file and ends up with exactly those flags, and the image uses it.
 */
class ShippedJvmOptionsTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path OPTIONS = ROOT.resolve("deploy/jvm.options");

    @Test
    void aJava17JvmTakesTheFileAndSetsWhatItSays() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "@" + OPTIONS, "-XX:+PrintFlagsFinal", "-version")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        Map<String, String> flags = finalFlags(out);
        assertEquals("true", flags.get("UseShenandoahGC"), "the collector");
        assertEquals("false", flags.get("UseG1GC"));
        // no thread niced below the event loops: a thread the kernel does not schedule holds up every safepoint
        assertEquals("0", flags.get("ThreadPriorityPolicy"));
        assertEquals("-1", flags.get("CompilerThreadPriority"));
        assertEquals(0.1, Double.parseDouble(flags.get("CompileThresholdScaling")), 1e-9);
        // nothing but comments and those two flags: a stray option would change the product unseen
        List<String> options = Files.readAllLines(OPTIONS).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertEquals(List.of("-XX:+UseShenandoahGC", "-XX:CompileThresholdScaling=0.1"), options);
    }

    @Test
    void theImageStartsTheProductWithIt() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertTrue(dockerfile.contains("COPY --chown=root:root deploy/jvm.options /app/jvm.options"), dockerfile);
        assertTrue(dockerfile.contains("ENTRYPOINT [\"java\", \"@/app/jvm.options\", \"-jar\", \"/app/consent-recorder.jar\"]"),
                dockerfile);
        // the build context must carry the file into the image
        List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore")).stream().map(String::strip)
                .filter(l -> !l.startsWith("#") && !l.isEmpty()).toList();
        assertTrue(ignored.stream().noneMatch(l -> l.equals("deploy/") || l.equals("deploy") || l.equals("deploy/jvm.options")),
                String.valueOf(ignored));
    }

    private static Map<String, String> finalFlags(String printFlagsFinal) {
        Pattern line = Pattern.compile("^\\s*\\S+\\s+(\\w+)\\s+=\\s+(\\S+)", Pattern.MULTILINE);
        Matcher m = line.matcher(printFlagsFinal);
        Map<String, String> flags = new java.util.HashMap<>();
        while (m.find()) {
            flags.put(m.group(1), m.group(2));
        }
        return flags;
    }
}
