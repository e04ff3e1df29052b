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
    private int launches;
    private Path jfr;
    /** Situations measured while the current process ran, for its JFR digest. */
    private final List<String> situations = new ArrayList<>();
    private final List<org.consentrecorder.bench.JfrDigest.Window> windows = new ArrayList<>();
    /** The slowest pauses of each concurrent situation, explained from the JFR recording. */
    private static final int SLOWEST = 5;
    private final List<org.consentrecorder.bench.JfrDigest.Slow> slowest = new ArrayList<>();
    /** Digests of the product processes' JFR recordings, by process, in order. */
    private final List<String> profiles = new ArrayList<>();

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
        // the product as shipped: the image's JVM options (deploy/jvm.options), then the benchmark's fixed heap
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (o.shippedJvm) {
            cmd.add("@" + shippedJvmOptions());
        }
        cmd.addAll(List.of("-Xms512m", "-Xmx512m", "-Dlogback.configurationFile=logback.xml"));
        cmd.addAll(o.productJvm.stream().filter(a -> !a.isBlank()).toList());
        if (o.jfr) {
            // one file per process: a crash restart or a cold restart starts a new one, dumped before it is stopped
            jfr = work.resolve("product-" + (++launches) + ".jfr");
            cmd.add("-XX:StartFlightRecording=name=bench,filename=" + jfr + ",settings=profile,dumponexit=true");
        }
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
                    niceBackground();
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the product was not ready within 60 s; see " + work.resolve("product.log"));
    }

    /** See Options.niceBackground: renice the database's processes and the product's compiler threads. */
    private void niceBackground() throws Exception {
        if (o.niceBackground == 0) {
            return;
        }
        List<String> ids = new ArrayList<>();
        long database = MachineProfile.databasePid();
        if (database > 0) {
            ids.add(String.valueOf(database));
            ProcessHandle.of(database).ifPresent(h -> h.descendants().forEach(d -> ids.add(String.valueOf(d.pid()))));
        }
        try (java.util.stream.Stream<Path> tasks = java.nio.file.Files.list(Path.of("/proc", String.valueOf(process.pid()), "task"))) {
            for (Path t : tasks.toList()) {
                String name = java.nio.file.Files.readString(t.resolve("comm")).trim();
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    ids.add(t.getFileName().toString());
                }
            }
        }
        List<String> cmd = new ArrayList<>(List.of("renice", "-n", String.valueOf(o.niceBackground), "-p"));
        cmd.addAll(ids);
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                .waitFor(10, TimeUnit.SECONDS);
        System.out.println("bench-asterisk: reniced to " + o.niceBackground + ": the database (" + (database > 0 ? "pid " + database
                + " and its backends" : "not found") + ") and the product's JIT compiler threads (" + ids.size() + " ids in all)");
    }

    @Override
    public void crashAndRestart() throws Exception {
        keepMetrics("before-crash");
        dumpJfr();
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        digestJfr();
        launch();
    }

    @Override
    public void restart() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        digestJfr();
        launch();
    }

    @Override
    public java.util.OptionalLong pid() {
        Process p = process;
        return p == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(p.pid());
    }

    @Override
    public void situation(String name, java.time.Instant from, java.time.Instant to, List<CallScript.Sample> samples) {
        // the concurrent situations are the ones a profile explains; a window spanning a restart is left out
        if (o.jfr && name.contains("concurrent")) {
            situations.add(name);
            windows.add(new org.consentrecorder.bench.JfrDigest.Window(from, to));
            samples.stream().filter(s -> s.triggeredAt() != null && s.latencyMs() >= 0)
                    .sorted(java.util.Comparator.comparingDouble(CallScript.Sample::latencyMs).reversed()).limit(SLOWEST)
                    .forEach(s -> slowest.add(new org.consentrecorder.bench.JfrDigest.Slow(String.format(java.util.Locale.ROOT,
                            "%s, %s, %.1f ms (A %s)", name, s.trigger(), s.latencyMs(), s.steps() == null ? "?"
                                    : String.format(java.util.Locale.ROOT, "%.1f, B %.1f, C %.1f", s.steps().toHandledMs(),
                                    s.steps().toAnsweredMs(), s.steps().toSeenMs())),
                            new org.consentrecorder.bench.JfrDigest.Window(s.triggeredAt(),
                                    s.triggeredAt().plusNanos((long) (s.latencyMs() * 1e6))))));
        }
    }

    /** Digests of the JFR recordings of the product processes that ran a concurrent situation. */
    List<String> profiles() {
        return List.copyOf(profiles);
    }

    /** A SIGKILL leaves no recording behind: dump it first (jcmd, from this JDK). */
    private void dumpJfr() throws Exception {
        if (jfr == null || !process.isAlive()) {
            return;
        }
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(process.pid()), "JFR.dump", "name=bench", "filename=" + jfr)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        jcmd.waitFor(60, TimeUnit.SECONDS);
    }

    private void digestJfr() {
        if (jfr != null && !windows.isEmpty() && java.nio.file.Files.exists(jfr)) {
            try {
                // kept for a closer look (jfr print, JDK Mission Control); the working directory is removed
                Path kept = Path.of("target", "bench-asterisk", "product-" + process.pid() + ".jfr");
                java.nio.file.Files.createDirectories(kept.getParent());
                java.nio.file.Files.copy(jfr, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                System.out.println("bench-asterisk: could not keep " + jfr + ": " + e);
            }
            profiles.add("## Profile of the product during " + String.join(", ", new java.util.LinkedHashSet<>(situations))
                    + " (JFR, pid " + process.pid() + ")\n\n" + org.consentrecorder.bench.JfrDigest.markdown(jfr, windows)
                    + "\n" + org.consentrecorder.bench.JfrDigest.slowest(jfr, slowest));
        }
        situations.clear();
        windows.clear();
        slowest.clear();
    }

    @Override
    public List<org.consentrecorder.bench.asterisk.CallScript.PauseStamps> pauseStamps(String recordingName) throws Exception {
        // the pause timeline, as the product wrote it: requested_at when it handled the trigger, accepted_at at Asterisk's 2xx
        List<CallScript.PauseStamps> out = new ArrayList<>();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.ownerUser(), db.ownerPassword());
             java.sql.PreparedStatement st = c.prepareStatement("select trigger_kind, requested_at, accepted_at from "
                     + "recording_timeline where recording_name = ? and change = 'paused' order by id")) {
            st.setString(1, recordingName);
            try (java.sql.ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    String kind = rs.getString(1);
                    String trigger = "user_event".equals(kind) ? "user event" : "dtmf_sequence".equals(kind) ? "dtmf" : kind;
                    java.sql.Timestamp handled = rs.getTimestamp(2);
                    java.sql.Timestamp answered = rs.getTimestamp(3);
                    out.add(new CallScript.PauseStamps(trigger, handled == null ? null : handled.toInstant(),
                            answered == null ? null : answered.toInstant()));
                }
            }
        }
        return out;
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
            digestJfr();
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

    /** The JVM options the product ships with (deploy/jvm.options), for a java command's @-file. */
    static Path shippedJvmOptions() {
        Path shipped = Path.of("deploy", "jvm.options").toAbsolutePath();
        if (!java.nio.file.Files.isRegularFile(shipped)) {
            throw new IllegalStateException("the product's JVM options are missing: " + shipped + " (run from the repository root)");
        }
        return shipped;
    }

    static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
