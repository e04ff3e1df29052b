package org.consentrecorder.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar as an operator starts it, with CR_LOG_FORMAT=json: every line it writes is a
 * JSON object (the shaded jar finds logback-format-json.xml and the encoder), /metrics answers
 * loopback with Vert.x's and the application's metrics; a misspelt format stops it with exit 2.
 */
class PackagedJarObservabilityIT {
    private static final Path JAR = Path.of(System.getProperty("packaged.jar", "target/consent-recorder-0.1.0-SNAPSHOT.jar"));

    private static Process start(Map<String, String> env, Path output) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toAbsolutePath().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile());
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
    void jsonLogsAndMetricsFromThePackagedJar(@TempDir Path dir) throws Exception {
        int ariPort = freePort();
        int httpPort = freePort();
        Path out = dir.resolve("app.log");
        try (FakeAsterisk asterisk = FakeAsterisk.start(ariPort)) {
            Process app = start(Map.of(
                    "CR_ARI_URL", "http://" + FakeAsterisk.USER + ":" + FakeAsterisk.PASSWORD + "@127.0.0.1:" + ariPort,
                    "CR_DB_EMBEDDED_DIR", dir.resolve("pg").toString(),
                    "CR_KEYSTORE_DIR", dir.resolve("keys").toString(),
                    "CR_KEYRING", org.consentrecorder.testing.AppHarness.TEST_KEYRING,
                    "CR_HTTP_HOST", "127.0.0.1",
                    "CR_HTTP_PORT", String.valueOf(httpPort),
                    "CR_ADMIN_PASSWORD", "Packaged-jar-admin-1",
                    "CR_LOG_FORMAT", "json"), out);
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                Scrape scrape = null;
                while (System.nanoTime() < deadline && app.isAlive()) {
                    try {
                        HttpResponse<String> r = Http.get(httpPort, "/metrics", null);
                        if (r.statusCode() == 200 && Scrape.parse(r.body()).value("consent_recorder_ari_connected") == 1) {
                            scrape = Scrape.parse(r.body());
                            break;
                        }
                    } catch (IllegalStateException notYet) {
                        // not listening yet
                    }
                    Thread.sleep(250);
                }
                assertTrue(scrape != null, "connected and scraped; output:\n" + Files.readString(out));
                assertTrue(scrape.names().contains("jvm_memory_used_bytes"), "JVM metrics");
                assertTrue(scrape.names().contains("vertx_pool_in_use"), "Vert.x pool metrics");
                assertEquals(0, scrape.value("consent_recorder_calls_started_total"));
            } finally {
                app.destroy();
                assertTrue(app.waitFor(60, TimeUnit.SECONDS), "stops on SIGTERM");
            }
        }
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        assertTrue(lines.size() >= 5, String.join("\n", lines));
        for (String line : lines) {
            JsonObject json;
            try {
                json = new JsonObject(line);
            } catch (RuntimeException e) {
                throw new AssertionError("not a JSON object: " + line, e);
            }
            for (String key : List.of("time", "level", "logger", "message")) {
                assertTrue(json.containsKey(key), key + " missing: " + line);
            }
        }
    }

    @Test
    void aMisspeltLogFormatStopsTheStartWithItsKey(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.txt");
        Process p = start(Map.of("CR_LOG_FORMAT", "JSON", "CR_ARI_PASSWORD", "x", "CR_ADMIN_PASSWORD", "Packaged-jar-admin-1",
                "CR_DB_EMBEDDED_DIR", dir.resolve("pg").toString()), out);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String output = Files.readString(out);
        assertEquals(2, p.exitValue(), output);
        assertTrue(output.contains("CR_LOG_FORMAT: 'JSON' is not one of text, json"), output);
    }
}
