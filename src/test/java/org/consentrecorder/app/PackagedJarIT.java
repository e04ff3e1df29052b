package org.consentrecorder.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one runnable jar that {@code mvn package} builds, run as a process the way an operator
 * would: --version, --help, check, and run with nothing configured but an ARI URL (it creates its
 * embedded PostgreSQL and reports not-ready until ARI answers).
 */
class PackagedJarIT {
    private static final Path JAR = Path.of(System.getProperty("packaged.jar", "target/consent-recorder-0.1.0-SNAPSHOT.jar"));

    private record Result(int exit, String output) {
    }

    private static Result run(Map<String, String> env, String... args) throws Exception {
        Process p = start(env, args);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    private static Process start(Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("CR_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void versionAndHelp() throws Exception {
        assertTrue(Files.exists(JAR), JAR + " is built by mvn package");
        Result version = run(Map.of(), "--version");
        assertEquals(0, version.exit());
        assertTrue(version.output().contains("consent-recorder 0.1.0-SNAPSHOT"), version.output());
        Result help = run(Map.of(), "--help");
        assertEquals(0, help.exit());
        for (String command : List.of("run", "check", "keys", "admin", "audit", "migrate")) {
            assertTrue(help.output().contains(command), command + " in " + help.output());
        }
    }

    @Test
    void checkNamesEveryBadKeyAndExitsNonZero() throws Exception {
        Result r = run(Map.of("CR_HTTP_PORT", "eighty", "CR_PAUSE_STYLE", "mute", "CR_ARI_PASSWORD", "secret-value-123"),
                "check");
        assertEquals(2, r.exit(), r.output());
        assertTrue(r.output().contains("CR_HTTP_PORT: 'eighty' is not a whole number"), r.output());
        assertTrue(r.output().contains("CR_PAUSE_STYLE"), r.output());
        assertFalse(r.output().contains("secret-value-123"), "no secret in the output");
    }

    @Test
    void checkTriesAriAndSaysWhatIsWrong(@TempDir Path dir) throws Exception {
        try (FakeAsterisk asterisk = FakeAsterisk.start()) {
            Map<String, String> env = new HashMap<>(Map.of(
                    "CR_ARI_URL", asterisk.url(), "CR_ARI_USER", FakeAsterisk.USER, "CR_ARI_PASSWORD", FakeAsterisk.PASSWORD,
                    "CR_KEYSTORE_DIR", dir.resolve("keys").toString(), "CR_ADMIN_PASSWORD", "Packaged-jar-admin-1",
                    "CR_KEYRING", org.consentrecorder.testing.AppHarness.TEST_KEYRING));
            Result ok = run(env, "check");
            assertEquals(0, ok.exit(), ok.output());
            assertTrue(ok.output().contains("ok   ARI"), ok.output());
            env.put("CR_ARI_PASSWORD", "wrong-password-1");
            Result refused = run(env, "check");
            assertEquals(1, refused.exit(), refused.output());
            assertTrue(refused.output().contains("credentials refused (HTTP 401)"), refused.output());
        }
    }

    @Test
    void runWithOnlyAnAriUrlCreatesItsDatabaseAndIsReadyOnceAriAnswers(@TempDir Path dir) throws Exception {
        int ariPort = freePort();
        int httpPort = freePort();
        Map<String, String> env = Map.of(
                "CR_ARI_URL", "http://" + FakeAsterisk.USER + ":" + FakeAsterisk.PASSWORD + "@127.0.0.1:" + ariPort,
                "CR_DB_EMBEDDED_DIR", dir.resolve("pg").toString(),
                "CR_KEYSTORE_DIR", dir.resolve("keys").toString(),
                "CR_KEYRING", org.consentrecorder.testing.AppHarness.TEST_KEYRING,
                "CR_HTTP_HOST", "127.0.0.1",
                "CR_HTTP_PORT", String.valueOf(httpPort),
                "CR_ARI_RECONNECT_MAX", "500ms",
                "CR_ADMIN_PASSWORD", "Packaged-jar-admin-1");
        Process app = start(env);
        Path log = dir.resolve("app.log");
        Thread pump = new Thread(() -> {
            try {
                Files.copy(app.getInputStream(), log);
            } catch (IOException ignored) {
                // the process went away
            }
        });
        pump.start();
        HttpClient http = HttpClient.newHttpClient();
        try {
            assertEquals(200, awaitStatus(http, httpPort, "/health/live", 200, log));
            assertEquals(503, status(http, httpPort, "/health/ready"), "not ready while ARI does not answer");
            assertTrue(Files.exists(dir.resolve("pg").resolve("PG_VERSION")), "embedded PostgreSQL created");
            try (FakeAsterisk asterisk = FakeAsterisk.start(ariPort)) {
                assertEquals(200, awaitStatus(http, httpPort, "/health/ready", 200, log));
            }
        } finally {
            app.destroy();
            boolean stopped = app.waitFor(60, TimeUnit.SECONDS);
            pump.join(5000);
            assertTrue(stopped, "stops on SIGTERM; log:\n" + (Files.exists(log) ? Files.readString(log) : ""));
        }
    }

    private static int status(HttpClient http, int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static int awaitStatus(HttpClient http, int port, String path, int wanted, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            last = status(http, port, path);
            if (last == wanted) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(path + " answered " + last + "; log:\n"
                + (Files.exists(log) ? Files.readString(log) : "(none)"));
    }
}
