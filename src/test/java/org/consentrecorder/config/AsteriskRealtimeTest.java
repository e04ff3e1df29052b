package org.consentrecorder.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The Asterisk image runs Asterisk at SCHED_RR priority 10 (asterisk-config/realtime.sh), which the
 * real-Asterisk benchmark showed keeps a payment pause from waiting behind the app and PostgreSQL on a
 * shared machine: the script's three answers to ASTERISK_REALTIME, run for real, and the compose file
 * that gives the unprivileged asterisk user the right to it.
 */
class AsteriskRealtimeTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path SCRIPT = ROOT.resolve("asterisk-config/realtime.sh");
    /** Prints the policy (field 41 of proc(5)'s stat) and the real-time priority (field 40) of the process it runs in. */
    private static final List<String> SHOW_POLICY = List.of("sh", "-c", "awk '{print \"policy\", $41, \"priority\", $40}' /proc/$$/stat");

    record Run(int exit, String out, String err) {
    }

    @Test
    void yesRunsTheCommandAtSchedRr10WhereTheMachineAllowsIt_andSaysWhichItGot() throws Exception {
        boolean allowed = new ProcessBuilder("chrt", "-r", "10", "true").start().waitFor() == 0;
        Run r = run(Map.of("ASTERISK_REALTIME", "yes"), null);
        assertEquals(0, r.exit(), r.err());
        if (allowed) {
            assertEquals("policy 2 priority 10", r.out().trim(), "SCHED_RR is policy 2");
            assertTrue(r.err().contains("SCHED_RR priority 10"), r.err());
        } else {
            assertEquals("policy 0 priority 0", r.out().trim());
            assertTrue(r.err().contains("WARNING") && r.err().contains("rtprio"), r.err());
        }
    }

    @Test
    void yesIsTheDefault() throws Exception {
        Run unset = run(Map.of(), null);
        Run yes = run(Map.of("ASTERISK_REALTIME", "yes"), null);
        assertEquals(yes.out(), unset.out());
        assertEquals(yes.err(), unset.err());
    }

    @Test
    void whenRealTimeIsRefused_asteriskStillStartsAtNormalPriority_withAWarningThatSaysWhatIsMissing(@TempDir Path bin)
            throws Exception {
        // a chrt that is refused, as it is for the asterisk user without the rtprio ulimit or CAP_SYS_NICE
        Path chrt = bin.resolve("chrt");
        Files.writeString(chrt, "#!/bin/sh\necho 'chrt: failed to set pid 0 policy: Operation not permitted' >&2\nexit 1\n");
        assertTrue(chrt.toFile().setExecutable(true));
        Run r = run(Map.of("ASTERISK_REALTIME", "yes"), bin);
        assertEquals(0, r.exit(), r.err());
        assertEquals("policy 0 priority 0", r.out().trim());
        assertTrue(r.err().contains("WARNING: cannot use SCHED_RR priority 10"), r.err());
        assertTrue(r.err().contains("ulimits: rtprio: 10"), r.err());
        assertFalse(r.err().contains("Operation not permitted"), "chrt's own complaint is replaced by one that says what to do");
    }

    @Test
    void noRunsTheCommandAsItIs() throws Exception {
        Run r = run(Map.of("ASTERISK_REALTIME", "no"), null);
        assertEquals(0, r.exit(), r.err());
        assertEquals("policy 0 priority 0", r.out().trim());
        assertEquals("", r.err());
    }

    @Test
    void anyOtherValueIsRefusedByName_andNothingRuns() throws Exception {
        Run r = run(Map.of("ASTERISK_REALTIME", "true"), null);
        assertEquals(64, r.exit());
        assertEquals("", r.out(), "the command must not have run");
        assertTrue(r.err().contains("ASTERISK_REALTIME must be yes or no, not \"true\""), r.err());
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeLetsTheAsteriskUserTakeExactlyPriority10_andTheImageStartsAsteriskThroughTheScript() throws Exception {
        Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        Map<String, Object> asterisk = (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get("asterisk");
        assertEquals(Map.of("rtprio", 10), asterisk.get("ulimits"));
        assertEquals("${ASTERISK_REALTIME:-yes}", ((Map<String, Object>) asterisk.get("environment")).get("ASTERISK_REALTIME"));

        String dockerfile = Files.readString(ROOT.resolve("asterisk-config/Dockerfile"));
        assertTrue(dockerfile.contains("COPY realtime.sh /usr/local/bin/asterisk-realtime"), "the image installs the script");
        assertTrue(dockerfile.contains("USER asterisk"), "the rtprio ulimit is what an unprivileged Asterisk needs");
        String entrypoint = Files.readString(ROOT.resolve("asterisk-config/docker-entrypoint.sh"));
        assertTrue(entrypoint.contains("exec /usr/local/bin/asterisk-realtime \"$@\""), "the entrypoint starts Asterisk through it");

        java.util.Properties dotenv = new java.util.Properties();
        dotenv.load(Files.newBufferedReader(ROOT.resolve(".env.example")));
        assertEquals("yes", dotenv.getProperty("ASTERISK_REALTIME"));
    }

    private static Run run(Map<String, String> env, Path pathFirst) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("sh", SCRIPT.toString()));
        command.addAll(SHOW_POLICY);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("ASTERISK_REALTIME");
        pb.environment().putAll(env);
        if (pathFirst != null) {
            pb.environment().put("PATH", pathFirst + ":" + pb.environment().get("PATH"));
        }
        Process p = pb.start();
        p.getOutputStream().close();
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the script did not end");
        return new Run(p.exitValue(), out, err.get(30, TimeUnit.SECONDS));
    }
}
