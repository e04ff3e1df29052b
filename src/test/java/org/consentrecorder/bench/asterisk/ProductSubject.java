package org.consentrecorder.bench.asterisk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.store.DatabaseServer;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.TempDirs;
import org.consentrecorder.testing.TestDatabase;

/**
 * The product as an operator runs it: {@code Main run} in a JVM of its own with the production
 * logging configuration, against the lab Asterisk, with its database outside the process (so that
 * a SIGKILL leaves the database as a crash would leave an external server). Recordings are read
 * back decrypted through the admin API, as a supervisor, with a reason.
 */
final class ProductSubject implements AsteriskBenchmark.Subject {
    private static final String ADMIN_PASSWORD = "Bench-admin-" + UUID.randomUUID();
    private static final String SUPERVISOR_PASSWORD = "Bench-supervisor-" + UUID.randomUUID();

    private final AsteriskBenchmark.Options o;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Path work = TempDirs.create("bench-asterisk");
    private DatabaseServer db;
    private volatile Process process;
    private int port;
    private String token;

    ProductSubject(AsteriskBenchmark.Options o) {
        this.o = o;
    }

    @Override
    public String name() {
        return "product";
    }

    @Override
    public boolean canRestart() {
        return true;
    }

    @Override
    public boolean asksForConsent() {
        return true;
    }

    @Override
    public void start() throws Exception {
        db = TestDatabase.freshOneLogin();
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        launch();
        token = login("admin", ADMIN_PASSWORD);
        // a supervisor as the command line's break-glass "admin create" makes one: through the API a data role
        // needs a second admin's approval
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.ownerUser(), db.ownerPassword());
             java.sql.PreparedStatement st = c.prepareStatement("insert into operator_account (id, username, "
                     + "password_hash, role, disabled, created_at, created_by, password_changed_at, updated_at) values "
                     + "(gen_random_uuid(), 'bench-supervisor', ?, 'supervisor', false, now(), 'cli', now(), now())")) {
            st.setString(1, new org.consentrecorder.admin.PasswordHasher().hash(SUPERVISOR_PASSWORD));
            st.executeUpdate();
        }
        token = login("bench-supervisor", SUPERVISOR_PASSWORD);
    }

    private boolean hookAdded;

    private void launch() throws Exception {
        var opts = db.connectOptions();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CR_ARI_URL", o.ari.toString());
        env.put("CR_ARI_USER", o.user);
        env.put("CR_ARI_PASSWORD", o.password);
        env.put("CR_CONTINUE_TARGET", o.continueTarget + ",s,1");
        env.put("CR_HTTP_HOST", "127.0.0.1");
        env.put("CR_HTTP_PORT", String.valueOf(port));
        env.put("CR_DB_URL", "postgresql://" + opts.getHost() + ":" + opts.getPort() + "/" + opts.getDatabase());
        env.put("CR_DB_USER", db.user());
        env.put("CR_DB_PASSWORD", db.password() == null ? "" : db.password());
        env.put("CR_KEYRING", AppHarness.TEST_KEYRING);
        env.put("CR_KEYSTORE_DIR", work.resolve("keys").toString());
        env.put("CR_ADMIN_USER", "admin");
        // the leak is counted in what Asterisk recorded: kept as WAV, not decoded back from Opus (codec delay)
        env.put("CR_ARCHIVE_CODEC", "wav");
        // the benchmark signs in with a password only, as the test harness does; production keeps the default
        env.put("CR_MFA_REQUIRED_ROLES", "none");
        env.put("CR_ADMIN_PASSWORD", ADMIN_PASSWORD);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms512m", "-Xmx512m", "-Dlogback.configurationFile=logback.xml"));
        cmd.addAll(o.productJvm.stream().filter(a -> !a.isBlank()).toList());
        cmd.addAll(List.of("-cp", classPath(), "org.consentrecorder.app.Main", "run"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("product.log").toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("CR_"));
        pb.environment().putAll(env);
        process = pb.start();
        if (!hookAdded) {
            hookAdded = true;
            // an interrupted run must not leave a product behind on the Asterisk (see AsteriskBenchmark's check)
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (process != null && process.isAlive()) {
                    process.destroyForcibly();
                }
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the product exited with " + process.exitValue() + "; see " + work.resolve("product.log"));
            }
            try {
                if (http.send(HttpRequest.newBuilder(uri("/health/ready")).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the product was not ready within 60 s; see " + work.resolve("product.log"));
    }

    @Override
    public void crashAndRestart() throws Exception {
        keepMetrics("before-crash");
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        launch();
    }

    @Override
    public byte[] recordingAudio(String recordingName) throws Exception {
        String callId = recordingName.substring("cr-".length());
        for (int i = 0; i < 200; i++) {
            JsonNode page = RawAri.JSON.readTree(get("/api/v1/recordings?call_id=" + callId).body());
            JsonNode item = page.path("items").path(0);
            if (!item.isMissingNode() && (item.path("state").asText().equals("archived") || item.path("state").asText().equals("verified"))) {
                HttpResponse<byte[]> audio = get("/api/v1/recordings/" + item.path("id").asText() + "/audio?reason=benchmark");
                if (audio.statusCode() == 200) {
                    return audio.body();
                }
                throw new IllegalStateException("playback answered HTTP " + audio.statusCode());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("recording of call " + callId + " was not archived within 20 s");
    }

    @Override
    public void stop() throws Exception {
        if (process != null && process.isAlive()) {
            keepMetrics("end");
        }
        if (process != null) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        if (db != null) {
            db.close();
        }
        // kept for a diagnosis after the run; the working directory itself is removed
        Path kept = Path.of("target", "bench-asterisk", "product-" + ProcessHandle.current().pid() + ".log");
        java.nio.file.Files.createDirectories(kept.getParent());
        java.nio.file.Files.copy(work.resolve("product.log"), kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.out.println("bench-asterisk: the product's log is kept in " + kept.toAbsolutePath());
    }

    /**
     * The product's own view of the run (event-loop delay, GC, ARI request latency by operation), kept beside the
     * benchmark's figures for a diagnosis; /metrics answers loopback without a token by default.
     */
    private void keepMetrics(String when) throws Exception {
        try {
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(uri("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Path kept = Path.of("target", "bench-asterisk", "product-" + ProcessHandle.current().pid() + "-" + when + ".metrics");
            java.nio.file.Files.createDirectories(kept.getParent());
            java.nio.file.Files.writeString(kept, metrics.body());
            System.out.println("bench-asterisk: the product's /metrics (" + when + ") is kept in " + kept.toAbsolutePath());
        } catch (IOException e) {
            System.out.println("bench-asterisk: could not read the product's /metrics: " + e);
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<String> post(String path, String json, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("content-type", "application/json")
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(json));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("POST " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r;
    }

    private String login(String user, String password) throws Exception {
        HttpResponse<String> r = post("/api/v1/auth/login", "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}", null);
        return RawAri.JSON.readTree(r.body()).path("token").asText();
    }

    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
