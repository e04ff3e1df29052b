package org.consentrecorder.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.consentrecorder.store.DatabaseServer;
import org.consentrecorder.testing.TestDatabase;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.ari.FakeAsterisk;

/**
 * Load benchmark (issue 8): the real application, driven through the ARI double over real HTTP
 * and WebSocket, with a real PostgreSQL. See {@link LoadOptions#USAGE} and README "Performance".
 *
 * <pre>mvn -B -Pbench test-compile exec:exec                       # 500 calls, the committed figures
 * mvn -B -Pbench test-compile exec:exec -Dbench.args="--calls=100"   # any options</pre>
 */
public final class LoadBenchmark {
    private LoadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        LoadResult result = run(options);
        System.out.println();
        System.out.println(result.summary());
        if (options.write()) {
            List<Path> files = LoadReport.write(result, options.out());
            files.forEach(f -> System.out.println("wrote " + f));
        }
        System.exit(result.errors().isEmpty() ? 0 : 1);
    }

    /** Runs the benchmark; never throws for a failed run (the errors are in the result), only for set-up. */
    static LoadResult run(LoadOptions o) throws Exception {
        Instant started = Instant.now();
        Path work = Path.of("target", "bench");
        Files.createDirectories(work);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));

        Db db = database(o);
        String dbSettings = prepareDatabase(db, o);
        FakeAsterisk asterisk = FakeAsterisk.start()
                .keepHistory(false)
                .synthesizeRecordingAudio(false)
                .playbackDuration(o.prompt());
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CR_ARI_URL", asterisk.url());
        env.put("CR_ARI_USER", FakeAsterisk.USER);
        env.put("CR_ARI_PASSWORD", FakeAsterisk.PASSWORD);
        env.put("CR_HTTP_HOST", "127.0.0.1");
        // signs in with a password only (the second factor has tests of its own: MfaApiTest)
        env.put("CR_MFA_REQUIRED_ROLES", "none");
        env.put("CR_HTTP_PORT", "0");
        env.put("CR_DB_URL", db.url);
        env.put("CR_DB_USER", db.user);
        env.put("CR_DB_PASSWORD", db.password);
        env.put("CR_PAUSE_STYLE", o.pauseStyle());
        // the archive's keys and the first admin: fixed test values, in a directory of this run
        env.put("CR_KEYRING", AppHarness.TEST_KEYRING);
        env.put("CR_KEYSTORE_DIR", org.consentrecorder.testing.TempDirs.create("bench-keys").toString());
        env.put("CR_ADMIN_USER", AppHarness.ADMIN_USER);
        env.put("CR_ADMIN_PASSWORD", AppHarness.ADMIN_PASSWORD);
        env.putAll(o.appEnv());

        List<String> jvm = new ArrayList<>(o.appJvmArgs());
        Path jfr = null;
        if (o.jfr() && o.fork()) {
            jfr = work.resolve("app-" + stamp + ".jfr").toAbsolutePath();
            jvm.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,dumponexit=true");
        }
        Path appLog = work.resolve("app-" + stamp + ".log").toAbsolutePath();
        long t = System.nanoTime();
        List<String> shown = new ArrayList<>(o.appJvmArgs());
        if (jfr != null) {
            shown.add("+ JFR");
        }
        AppUnderTest app = o.fork() ? new ForkedApp(env, jvm, shown, appLog) : new InlineApp(env);
        System.out.printf("[bench] application started in %d ms (%s)%n", (System.nanoTime() - t) / 1_000_000, app.describe());
        LoadRun run = new LoadRun(o, asterisk, app, SystemCpu.postmasterPid(db.port));
        List<String> errors = new ArrayList<>();
        List<String> appProblems = List.of();
        Map<String, Long> dbCounts = Map.of();
        String failure = null;
        try {
            awaitConnected(app, asterisk);
            run.run();
        } catch (Exception e) {
            failure = e.getMessage();
            errors.add("run aborted: " + e.getMessage());
        } finally {
            try {
                appProblems = app.problems();
                AppMonitor.Stats s = app.stats();
                if (s.warnings() + s.errors() > 0) {
                    errors.add("the application logged " + s.warnings() + " WARN and " + s.errors() + " ERROR line(s)");
                }
            } catch (Exception e) {
                errors.add("could not read the application's problems: " + e);
            }
            if (failure == null) {
                dbCounts = checkDatabase(db, started, o, run, errors);
            }
            errors.addAll(0, run.errors);
            run.failedRequests().forEach((k, v) -> errors.add(v + " x " + k));
            List<String> lost = asterisk.lostEvents();
            if (!lost.isEmpty()) {
                errors.add(lost.size() + " event(s) the double could not deliver (no WebSocket): " + lost.subList(0, Math.min(5, lost.size())));
            }
            app.close();
            asterisk.close();
        }
        String profile = null;
        if (jfr != null && Files.exists(jfr)) {
            List<JfrDigest.Window> windows = new ArrayList<>();
            LoadRun.Mark[] m = run.marks.toArray(new LoadRun.Mark[0]);
            for (int i = 0; i + 1 < m.length; i++) {
                if (m[i].phase() == LoadRun.Phase.RAMP || m[i].phase() == LoadRun.Phase.WIND_DOWN) {
                    windows.add(new JfrDigest.Window(m[i].wall(), m[i + 1].wall()));
                }
            }
            profile = JfrDigest.markdown(jfr, windows);
        }
        return new LoadResult(o, started, Duration.between(started, Instant.now()), run, errors, appProblems,
                dbCounts, app.describe(), db.describe + "; " + dbSettings, o.fork() ? appLog : null, jfr, profile);
    }

    private static void awaitConnected(AppUnderTest app, FakeAsterisk asterisk) throws Exception {
        asterisk.await("the application to connect", () -> asterisk.connected(FakeAsterisk.USER), Duration.ofSeconds(30));
        // the connection resynchronizes before it handles events; give it a moment
        Thread.sleep(500);
    }

    /** The PostgreSQL of the run. */
    private record Db(String url, String user, String password, String jdbc, int port, String describe) {
    }

    private static Db database(LoadOptions o) {
        if (!o.dbUrl().isBlank()) {
            java.net.URI uri = java.net.URI.create(o.dbUrl().replaceFirst("^jdbc:", ""));
            String user = "postgres";
            String password = "";
            if (uri.getUserInfo() != null) {
                String[] up = uri.getUserInfo().split(":", 2);
                user = up[0];
                password = up.length > 1 ? up[1] : "";
            }
            String jdbc = "jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort() + uri.getPath();
            return new Db("postgresql://" + uri.getHost() + ":" + uri.getPort() + uri.getPath(), user, password, jdbc,
                    uri.getPort(), "PostgreSQL at " + uri.getHost() + ":" + uri.getPort());
        }
        DatabaseServer d = TestDatabase.freshOneLogin();
        var opts = d.connectOptions();
        return new Db("postgresql://" + opts.getHost() + ":" + opts.getPort() + "/" + opts.getDatabase(), d.user(),
                d.password() == null ? "" : d.password(), d.jdbcUrl(), opts.getPort(), TestDatabase.kind());
    }

    /**
     * The embedded test server runs with synchronous_commit=off (zonky's default); a production
     * server commits to disk. Unless told otherwise the benchmark's database commits like production.
     * Returns the settings that matter, for the results file.
     */
    private static String prepareDatabase(Db db, LoadOptions o) {
        try (Connection c = DriverManager.getConnection(db.jdbc, db.user, db.password)) {
            if (!o.dbSyncCommit().isBlank()) {
                try (Statement s = c.createStatement()) {
                    s.execute("alter database \"" + c.getCatalog() + "\" set synchronous_commit = " + o.dbSyncCommit());
                }
            }
            // a new session sees the database's settings
            try (Connection fresh = DriverManager.getConnection(db.jdbc, db.user, db.password);
                 Statement s = fresh.createStatement()) {
                List<String> out = new ArrayList<>();
                for (String name : List.of("server_version", "synchronous_commit", "fsync", "shared_buffers")) {
                    try (ResultSet rs = s.executeQuery("show " + name)) {
                        rs.next();
                        out.add(name + "=" + rs.getString(1));
                    }
                }
                return String.join(", ", out);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot prepare the benchmark database: " + e.getMessage(), e);
        }
    }

    /** What the application wrote: one granted decision, one call row and its timeline per call. */
    private static Map<String, Long> checkDatabase(Db db, Instant since, LoadOptions o, LoadRun run, List<String> errors) {
        Map<String, Long> counts = new LinkedHashMap<>();
        long calls = run.measuredCalls().size() + run.warmupCalls().size();
        long segments = 0;
        for (List<LoadRun.Call> list : List.of(run.measuredCalls(), run.warmupCalls())) {
            for (LoadRun.Call c : list) {
                segments += c.segments.stream().filter(s -> s.resumeArrived != 0).count();
            }
        }
        try (Connection c = DriverManager.getConnection(db.jdbc, db.user, db.password)) {
            Timestamp from = Timestamp.from(since);
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            Map<String, Long> got;
            Map<String, Long> want = new LinkedHashMap<>();
            want.put("consent decisions granted", calls);
            want.put("consent decisions other", 0L);
            want.put("call rows", calls);
            want.put("call rows not ended", 0L);
            want.put("timeline started", calls);
            want.put("timeline paused", segments);
            want.put("timeline resumed", segments);
            want.put("timeline ended", calls);
            want.put("timeline other", 0L);
            do {
                got = new LinkedHashMap<>();
                got.put("consent decisions granted", one(c, from, "select count(*) from consent_decision where outcome = 'granted' and decided_at >= ?"));
                got.put("consent decisions other", one(c, from, "select count(*) from consent_decision where outcome <> 'granted' and decided_at >= ?"));
                got.put("call rows", one(c, from, "select count(*) from call where started_at >= ?"));
                got.put("call rows not ended", one(c, from, "select count(*) from call where ended_at is null and started_at >= ?"));
                Map<String, Long> timeline = new HashMap<>();
                try (PreparedStatement q = c.prepareStatement(
                        "select change, count(*) from recording_timeline where requested_at >= ? group by change")) {
                    q.setTimestamp(1, from);
                    ResultSet rs = q.executeQuery();
                    while (rs.next()) {
                        timeline.put(rs.getString(1), rs.getLong(2));
                    }
                }
                for (String change : List.of("started", "paused", "resumed", "ended")) {
                    got.put("timeline " + change, timeline.getOrDefault(change, 0L));
                    timeline.remove(change);
                }
                got.put("timeline other", timeline.values().stream().mapToLong(Long::longValue).sum());
                if (got.equals(want)) {
                    break;
                }
                Thread.sleep(200);
            } while (System.nanoTime() < deadline);
            for (Map.Entry<String, Long> e : want.entrySet()) {
                if (!e.getValue().equals(got.get(e.getKey()))) {
                    errors.add("database: " + e.getKey() + " = " + got.get(e.getKey()) + ", expected " + e.getValue());
                }
            }
            counts = got;
        } catch (Exception e) {
            errors.add("database check failed: " + e);
        }
        return counts;
    }

    private static long one(Connection c, Timestamp from, String sql) throws Exception {
        try (PreparedStatement q = c.prepareStatement(sql)) {
            q.setTimestamp(1, from);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
