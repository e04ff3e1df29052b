package org.consentrecorder.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar started with {@code demo}, as a newcomer starts it: within a minute of its
 * banner the API shows calls of every outcome, a recording with a payment pause that plays with a
 * reason (and the audit trail has the reason), daily statistics and an intact audit chain. Then the
 * demo's and a real run's data directories refuse each other.
 */
class DemoJarIT {
    private static final Path JAR = Path.of(System.getProperty("packaged.jar", "target/consent-recorder-0.1.0-SNAPSHOT.jar"));
    private static final Pattern COMPLIANCE = Pattern.compile("compliance\\s+user (\\S+)\\s+password (\\S+)");
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration PICTURE = Duration.ofSeconds(60);
    private static final Set<String> OUTCOMES = Set.of("granted", "declined", "no_response", "abandoned", "do_not_record");
    private static final String REASON = "demo test: playback with a reason";

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void theDemoShowsEveryOutcomeAPausedRecordingPlayedWithAReasonAndAnIntactAuditChain() throws Exception {
        assertTrue(Files.exists(JAR), JAR + " is built by mvn package");
        Path demoDir = tmp.resolve("demo");
        int port = freePort();
        Path log = tmp.resolve("demo.log");
        Running demo = Running.start(log, Map.of(), "demo", "--data-dir", demoDir.toString(), "--http-port",
                String.valueOf(port), "--call-interval", "700ms", "--talk-time", "1500ms");
        try {
            Matcher banner = awaitLog(log, COMPLIANCE, START);
            String base = "http://127.0.0.1:" + port;
            String output = Files.readString(log);
            assertTrue(output.contains("NOTHING HERE IS FOR PRODUCTION"), output);
            assertTrue(output.contains(base + "/console"), "prints the console URL:\n" + output);
            assertTrue(output.contains(base + "/api/v1"), "prints the API URL:\n" + output);
            assertTrue(output.contains("admin       user demo-admin"), output);
            assertEquals(1, count(output, "NOTHING HERE IS FOR PRODUCTION"), "the banner is printed once");
            String token = login(base, banner.group(1), banner.group(2));

            long deadline = System.nanoTime() + PICTURE.toNanos();
            Set<String> seen = new HashSet<>();
            boolean withdrawn = false;
            Optional<String> pausedRecording = Optional.empty();
            while (System.nanoTime() < deadline && !(seen.containsAll(OUTCOMES) && withdrawn && pausedRecording.isPresent())) {
                JsonArray calls = getJson(base, "/api/v1/calls?limit=200", token).getJsonArray("items");
                for (int i = 0; i < calls.size(); i++) {
                    JsonObject call = calls.getJsonObject(i);
                    if (call.getString("outcome") != null) {
                        seen.add(call.getString("outcome"));
                    }
                    if (!withdrawn && "discarded".equals(call.getString("recording_state"))) {
                        withdrawn = evidence(base, token, call.getString("id")).contains("withdrawn");
                    }
                    if (pausedRecording.isEmpty() && call.getBoolean("has_recording")) {
                        pausedRecording = pausedRecordingOf(base, token, call.getString("id"));
                    }
                }
                Thread.sleep(1000);
            }
            assertTrue(seen.containsAll(OUTCOMES), "outcomes within " + PICTURE + ": " + seen + "\n" + tail(log));
            assertTrue(withdrawn, "a call whose caller withdrew consent mid-call\n" + tail(log));
            assertTrue(pausedRecording.isPresent(), "an archived recording with a pause in its timeline\n" + tail(log));

            HttpResponse<byte[]> audio = http.send(request(base + "/api/v1/recordings/" + pausedRecording.get()
                    + "/audio?reason=" + URLEncoder.encode(REASON, StandardCharsets.UTF_8), token).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertTrue(audio.statusCode() == 200 || audio.statusCode() == 206, "playback: HTTP " + audio.statusCode());
            // stored as Ogg Opus, the default CR_ARCHIVE_CODEC (docs/audio-codecs.md)
            assertEquals("audio/ogg", audio.headers().firstValue("content-type").orElse(""), audio.headers().toString());
            assertTrue(audio.body().length > 1000, "audio beyond the Ogg headers: " + audio.body().length + " bytes");
            assertEquals("OggS", new String(audio.body(), 0, 4, StandardCharsets.US_ASCII));

            JsonArray plays = getJson(base, "/api/v1/audit?action=recordings.play", token).getJsonArray("items");
            boolean reasoned = false;
            for (int i = 0; i < plays.size(); i++) {
                JsonObject row = plays.getJsonObject(i);
                reasoned |= REASON.equals(row.getString("reason")) && pausedRecording.get().equals(row.getString("target_id"));
            }
            assertTrue(reasoned, "the audit trail has the playback with its reason: " + plays.encodePrettily());

            JsonArray days = getJson(base, "/api/v1/statistics/daily", token).getJsonArray("items");
            assertFalse(days.isEmpty(), "daily statistics from the first minute");
            assertTrue(days.getJsonObject(0).getInteger("calls") > 0, days.encodePrettily());

            JsonObject verify = getJson(base, "/api/v1/audit/verify", token);
            assertEquals(Boolean.TRUE, verify.getBoolean("intact"), verify.encodePrettily());
            assertTrue(verify.getInteger("rows_checked") > 0, verify.encodePrettily());

            // the browser console is another engineer's; where it is not in the build yet, the API is what counts
            int console = http.send(HttpRequest.newBuilder(URI.create(base + "/console")).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            assertTrue(console < 500, "/console answered " + console);
        } finally {
            demo.stop();
        }
        assertFalse(demo.process.isAlive());

        // a real run refuses the demo's directory, before it starts anything
        Path runLog = tmp.resolve("run-on-demo.log");
        Running run = Running.start(runLog, Map.of(
                "CR_DB_EMBEDDED_DIR", demoDir.resolve("postgres").toString(),
                "CR_KEYSTORE_DIR", demoDir.resolve("keys").toString(),
                "CR_KEYRING", org.consentrecorder.testing.AppHarness.TEST_KEYRING,
                "CR_ARI_URL", "http://consent-recorder:some-ari-secret-1@127.0.0.1:" + freePort(),
                "CR_HTTP_HOST", "127.0.0.1", "CR_HTTP_PORT", String.valueOf(freePort()),
                "CR_ADMIN_PASSWORD", "Demo-jar-admin-secret-1"), "run");
        int exit = run.awaitExit(Duration.ofSeconds(60));
        String refused = Files.readString(runLog);
        assertEquals(2, exit, refused);
        assertTrue(refused.contains("is a demo data directory") && refused.contains(demoDir.toString()), refused);
        assertFalse(Files.exists(demoDir.resolve("keys").resolve(DataDirectoryMarkers.RUN)), "nothing marked");
    }

    @Test
    void theDemoRefusesADirectoryThatARealRunUsed() throws Exception {
        Path data = tmp.resolve("data");
        int httpPort = freePort();
        Running run = Running.start(tmp.resolve("run.log"), Map.of(
                "CR_DB_EMBEDDED_DIR", data.resolve("postgres").toString(),
                "CR_KEYSTORE_DIR", data.resolve("keys").toString(),
                "CR_KEYRING", org.consentrecorder.testing.AppHarness.TEST_KEYRING,
                "CR_ARI_URL", "http://consent-recorder:some-ari-secret-1@127.0.0.1:" + freePort(),
                "CR_ARI_RECONNECT_MAX", "500ms",
                "CR_HTTP_HOST", "127.0.0.1", "CR_HTTP_PORT", String.valueOf(httpPort),
                "CR_ADMIN_PASSWORD", "Demo-jar-admin-secret-1"), "run");
        try {
            awaitStatus("http://127.0.0.1:" + httpPort + "/health/live", 200, run.log);
            assertTrue(Files.exists(data.resolve("keys").resolve(DataDirectoryMarkers.RUN)), "run marked its data");
        } finally {
            run.stop();
        }
        Path demoLog = tmp.resolve("demo-on-run.log");
        Running demo = Running.start(demoLog, Map.of(), "demo", "--data-dir", data.toString(), "--http-port", "0");
        int exit = demo.awaitExit(Duration.ofSeconds(60));
        String refused = Files.readString(demoLog);
        assertEquals(2, exit, refused);
        assertTrue(refused.contains("a real 'run' has used it") && refused.contains(data.toString()), refused);
        assertFalse(Files.exists(data.resolve(DataDirectoryMarkers.DEMO)), "nothing marked");
    }

    // ---- the process -------------------------------------------------------------------------

    /** The jar as a process, its output copied to a file; stopped (and its database with it) whatever happens. */
    private static final class Running {
        final Process process;
        final Path log;
        final Thread pump;

        private Running(Process process, Path log, Thread pump) {
            this.process = process;
            this.log = log;
            this.pump = pump;
        }

        static Running start(Path log, Map<String, String> env, String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", JAR.toAbsolutePath().toString()));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().keySet().removeIf(k -> k.startsWith("CR_"));
            pb.environment().putAll(env);
            Process p = pb.start();
            Thread pump = new Thread(() -> {
                try {
                    Files.copy(p.getInputStream(), log);
                } catch (IOException ignored) {
                    // the process went away
                }
            }, "demo-it-output");
            pump.start();
            return new Running(p, log, pump);
        }

        int awaitExit(Duration timeout) throws Exception {
            try {
                assertTrue(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS), "exits within " + timeout);
                pump.join(5000);
                return process.exitValue();
            } finally {
                stop();
            }
        }

        /**
         * SIGTERM (the application stops its embedded PostgreSQL itself), else SIGKILL; then the
         * processes the JVM had started (PostgreSQL outlives a killed JVM) are stopped too.
         */
        void stop() throws Exception {
            if (process.isAlive()) {
                List<ProcessHandle> children = process.descendants().toList();
                process.destroy();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                for (ProcessHandle child : children) {
                    child.destroy();
                    child.onExit().orTimeout(20, TimeUnit.SECONDS).exceptionally(e -> null).join();
                    child.destroyForcibly();
                }
            }
            pump.join(5000);
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static Matcher awaitLog(Path log, Pattern pattern, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                Matcher m = pattern.matcher(Files.readString(log));
                if (m.find()) {
                    return m;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no " + pattern + " in the output within " + timeout + ":\n" + tail(log));
    }

    private void awaitStatus(String url, int wanted, Path log) throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            try {
                last = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                last = -1;
            }
            if (last == wanted) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(url + " answered " + last + "\n" + tail(log));
    }

    private String login(String base, String user, String password) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/auth/login"))
                .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("username", user).put("password", password)
                        .encode())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return new JsonObject(r.body()).getString("token");
    }

    private static HttpRequest.Builder request(String url, String token) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token);
    }

    private JsonObject getJson(String base, String path, String token) throws Exception {
        HttpResponse<String> r = http.send(request(base + path, token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return new JsonObject(r.body());
    }

    /** The outcomes of a call's consent evidence (a withdrawal is a row of its own). */
    private Set<String> evidence(String base, String token, String callId) throws Exception {
        JsonArray rows = getJson(base, "/api/v1/calls/" + callId, token).getJsonArray("consent_evidence");
        Set<String> outcomes = new HashSet<>();
        for (int i = 0; i < rows.size(); i++) {
            outcomes.add(rows.getJsonObject(i).getString("outcome"));
        }
        return outcomes;
    }

    private Optional<String> pausedRecordingOf(String base, String token, String callId) throws Exception {
        JsonObject call = getJson(base, "/api/v1/calls/" + callId, token);
        JsonArray timeline = call.getJsonArray("timeline");
        JsonObject recording = call.getJsonObject("recording");
        for (int i = 0; i < timeline.size(); i++) {
            if ("paused".equals(timeline.getJsonObject(i).getString("change")) && recording != null
                    && "archived".equals(recording.getString("state"))) {
                return Optional.of(recording.getString("id"));
            }
        }
        return Optional.empty();
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static String tail(Path log) {
        try {
            String s = Files.exists(log) ? Files.readString(log) : "(no output)";
            return s.length() > 6000 ? "…" + s.substring(s.length() - 6000) : s;
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
