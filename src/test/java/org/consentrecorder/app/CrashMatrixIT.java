package org.consentrecorder.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.consentrecorder.testing.Postmasters;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault matrix on the real process: the packaged jar with its embedded PostgreSQL, against the
 * ARI double, killed with SIGKILL while every crash point is in flight at once, then started again
 * on the same data directory with {@code java -jar} and nothing else:
 *
 * <pre>
 *   (a) a caller in the consent prompt          (e) a recording half-way through its chunks
 *   (b) a call being recorded                   (f) a recording verified, Asterisk's copy not yet deleted
 *   (c) a call paused for a payment             (g) an erasure: redaction committed, subject key not yet destroyed
 *   (d) a recording finished, its copy not begun (h) a retention run: one batch committed, the rest not done
 * </pre>
 *
 * The crash points inside the archive and the privacy lifecycle are reached exactly: the crashed
 * process is the same jar run with {@link CrashPointMain} (test classes behind it), which prints a
 * marker at an armed checkpoint and stops that step there, and the test kills it once every marker
 * is seen. The half-written recording (e) is made by the double, whose download of that file stops
 * half-way. The restart is checked from outside only (HTTP API, ARI double, database, log), so the
 * test holds across refactorings of the code behind it. At the end the stopped instance's data
 * directory, key directory and keyring are copied elsewhere and a recording is played from the copy
 * (docs/operations.md, backup and restore).
 *
 * <p>One crash of one process covers all points: they touch different calls and subjects, and what a
 * restart must do for each is independent of the others. Starting the jar once per point would
 * multiply the run time by eight without checking anything more.
 */
class CrashMatrixIT {
    private static final Duration READY_WITHIN = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ADMIN_PASSWORD = "Crash-matrix-admin-1";
    private static final String COMPLIANCE_PASSWORD = "Crash-matrix-compliance-1";

    @TempDir
    Path base;
    private FakeAsterisk asterisk;
    private final List<AppProcess> apps = new ArrayList<>();
    /** What the database said about a recording at the moment Asterisk was asked to delete its copy. */
    private final Map<String, List<String>> stateAtDelete = new ConcurrentHashMap<>();
    private volatile Path liveData;

    private record Call(String channel, UUID callId, String recording) {
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AppProcess app : apps) {
            app.children().forEach(ProcessHandle::destroyForcibly);
            app.close();
        }
        Postmasters.stopAny(base.resolve("data/postgres"));
        Postmasters.stopAny(base.resolve("restored/postgres"));
        if (asterisk != null) {
            asterisk.close();
        }
    }

    private Map<String, String> env(Path data) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("CR_ARI_URL", asterisk.url());
        env.put("CR_ARI_USER", FakeAsterisk.USER);
        env.put("CR_ARI_PASSWORD", FakeAsterisk.PASSWORD);
        env.put("CR_ARI_RECONNECT_MIN", "50ms");
        env.put("CR_ARI_RECONNECT_MAX", "300ms");
        env.put("CR_HTTP_HOST", "127.0.0.1");
        env.put("CR_HTTP_PORT", String.valueOf(AppProcess.freePort()));
        // nothing but directories: the embedded database, and a keyring generated beside the key store
        env.put("CR_DB_EMBEDDED_DIR", data.resolve("postgres").toString());
        env.put("CR_KEYSTORE_DIR", data.resolve("keys").toString());
        env.put("CR_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.put("CR_IVR_TIMEOUT", "2s");
        env.put("CR_IVR_REGRANT_WINDOW", "300ms");
        env.put("CR_TEARDOWN_TIMEOUT", "2s");
        env.put("CR_ARCHIVE_POLL", "100ms");
        env.put("CR_ARCHIVE_RETRY_MIN", "50ms");
        env.put("CR_ARCHIVE_RETRY_MAX", "500ms");
        env.put("CR_ARCHIVE_LEASE", "2s");
        // one chunk row per 4 KiB segment: a short test recording is many chunks
        env.put("CR_ARCHIVE_SEGMENT_SIZE", "4096");
        env.put("CR_ARCHIVE_SEGMENTS_PER_CHUNK", "1");
        // (d), (e) and (f) each hold a slot while stopped
        env.put("CR_ARCHIVE_CONCURRENCY", "4");
        env.put("CR_RETENTION_INTERVAL", "0");
        env.put("CR_RETENTION_BATCH", "1");
        return env;
    }

    @Test
    void killedAtEveryCrashPointTheRestartedJarFinishesEverythingWithoutHelp() throws Exception {
        long t0 = System.nanoTime();
        asterisk = FakeAsterisk.start().playbackDuration(Duration.ofMillis(200));
        asterisk.probe(new FakeAsterisk.Probe() {
            @Override
            public void requestArrived(String method, String path, Map<String, String> query, long atNanos) {
                Matcher m = Pattern.compile("/ari/recordings/stored/([^/]+)").matcher(path);
                if (method.equals("DELETE") && m.matches()) {
                    stateAtDelete.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(stateNow(m.group(1)));
                }
            }
        });
        Path data = base.resolve("data");
        liveData = data;
        Map<String, String> env = env(data);

        // ---- the process that will crash ----
        AppProcess crashing = AppProcess.withCrashPoints(base.resolve("crashing.log"), env, "");
        apps.add(crashing);
        crashing.awaitReady(Duration.ofSeconds(120));
        int port = crashing.httpPort();
        AdminApiClient admin = AdminApiClient.login(port, "admin", ADMIN_PASSWORD);
        assertEquals(201, admin.post("/accounts", new JsonObject().put("username", "carol")
                .put("password", COMPLIANCE_PASSWORD).put("role", "compliance")).status());
        AdminApiClient compliance = AdminApiClient.login(port, "carol", COMPLIANCE_PASSWORD);
        System.out.printf("[crash matrix] first start ready after %d ms%n", ms(t0));

        // recordings for the erasure (g) and the retention run (h), archived before the crash
        Call g = consentedCall("+15550100001");
        Call h1 = consentedCall("+15550100002");
        Call h2 = consentedCall("+15550100003");
        Thread.sleep(400);
        for (Call c : List.of(g, h1, h2)) {
            asterisk.callerHangsUp(c.channel());
        }
        for (Call c : List.of(g, h1, h2)) {
            awaitState(c.recording(), "archived");
        }
        Map<String, String> keyOf = new HashMap<>();
        for (Call c : List.of(g, h1, h2)) {
            keyOf.put(c.recording(), (String) row("select subject_key_id from recording where name = ?", c.recording())
                    .get("subject_key_id"));
            assertTrue(Files.exists(keyFile(data, keyOf.get(c.recording()))), "a subject key for " + c.recording());
        }
        sql("update recording set finished_at = now() - interval '101 days' where name = ?", h1.recording());
        sql("update recording set finished_at = now() - interval '100 days' where name = ?", h2.recording());

        // (g) an erasure stopped after its redaction committed, before the subject key is destroyed
        crashing.arm("privacy:ERASURE_REDACTED");
        JsonObject request = compliance.post("/privacy/requests", new JsonObject().put("kind", "erasure")
                .put("caller", "+15550100001")).json();
        String requestId = request.getString("id");
        compliance.postAsync("/privacy/requests/" + requestId + "/erase", new JsonObject());
        crashing.awaitLog(marker("privacy:ERASURE_REDACTED " + requestId), WAIT);

        // (h) a retention run stopped after its first batch (one expired recording) committed
        crashing.arm("privacy:RETENTION_BATCH_COMMITTED");
        admin.postAsync("/retention/runs", new JsonObject());
        crashing.awaitLog(marker("privacy:RETENTION_BATCH_COMMITTED \\S+"), WAIT);

        // (b) recording, (c) paused for a payment
        Call b = consentedCall("+15550100004");
        Call c = consentedCall("+15550100005");
        asterisk.userEvent(c.channel(), "PaymentStart");
        asterisk.await("(c) paused", () -> "paused".equals(asterisk.liveState(c.recording())), WAIT);

        // (d) finished, copy not begun; (f) verified, Asterisk's copy still there; (e) half of its chunks written
        Call d = consentedCall("+15550100006");
        Call e = consentedCall("+15550100007");
        Call f = consentedCall("+15550100008");
        Thread.sleep(1500);
        crashing.arm("archive:FETCH_STARTED");
        asterisk.callerHangsUp(d.channel());
        crashing.awaitLog(marker("archive:FETCH_STARTED " + recordingId(d)), WAIT);
        crashing.arm("archive:VERIFIED");
        asterisk.callerHangsUp(f.channel());
        crashing.awaitLog(marker("archive:VERIFIED " + recordingId(f)), WAIT);
        asterisk.stallDownload(e.recording(), 20_000);
        asterisk.callerHangsUp(e.channel());
        awaitTrue("(e) some chunks written", () -> count("select count(*) from recording_chunk c join recording r "
                + "on r.id = c.recording_id where r.name = ? and r.state = 'finished'", e.recording()) >= 2);

        // the durable state each point left behind
        assertEquals("erased", state(g.recording()));
        assertTrue(Files.exists(keyFile(data, keyOf.get(g.recording()))), "(g) the key is not destroyed yet");
        assertEquals("expired", state(h1.recording()));
        assertEquals("archived", state(h2.recording()));
        assertEquals("finished", state(d.recording()));
        assertEquals(0, count("select count(*) from recording_chunk where recording_id = ?", recordingId(d)));
        assertEquals("finished", state(e.recording()));
        assertEquals("verified", state(f.recording()));
        for (Call x : List.of(d, e, f)) {
            assertTrue(asterisk.storedRecordings().contains(x.recording()), "Asterisk keeps " + x.recording());
        }
        // (a) a new caller in the middle of the recording notice (Asterisk queues a channel's playbacks, so
        //     after the restart the new notice follows what is left of this one)
        asterisk.playbackDuration(Duration.ofSeconds(8));
        String a = asterisk.placeCall(FakeAsterisk.USER, "+15550100009", "Caller A", "100", "en");
        asterisk.await("(a) in the notice", () -> plays(a) == 1, WAIT);
        System.out.printf("[crash matrix] every crash point in flight after %d ms; SIGKILL%n", ms(t0));
        crashing.kill();
        asterisk.await("the dead application's WebSocket closed", () -> !asterisk.connected(FakeAsterisk.USER), WAIT);

        // ---- the restart: java -jar on the same directories, nothing else ----
        asterisk.playbackDuration(Duration.ofMillis(200));
        long restartedAt = System.nanoTime();
        AppProcess restarted = AppProcess.jar(base.resolve("restarted.log"), env);
        apps.add(restarted);
        // the moment the new process listens, the paused call's caller ends the payment: the pause on file
        // must be re-asserted before that event is acted on
        asterisk.await("the restarted application's WebSocket", () -> asterisk.connected(FakeAsterisk.USER),
                Duration.ofSeconds(60));
        asterisk.userEvent(c.channel(), "PaymentEnd");
        Duration ready = restarted.awaitReady(READY_WITHIN);
        System.out.printf("[crash matrix] restarted jar ready in %d ms%n", ready.toMillis());
        assertTrue(ready.compareTo(READY_WITHIN) <= 0, "ready within 30 s: " + ready);

        // (c) taken over, pause re-asserted first, then the new event
        String cPause = "/ari/recordings/live/" + c.recording() + "/pause";
        asterisk.await("(c) resumed by the event after the re-assertion",
                () -> "recording".equals(asterisk.liveState(c.recording())), WAIT);
        List<FakeAsterisk.Request> cRequests = asterisk.requests().stream()
                .filter(r -> r.atNanos() > restartedAt && r.path().equals(cPause)).toList();
        assertEquals("POST", cRequests.get(0).method(), "the pause is re-asserted first: " + cRequests);
        assertTrue(cRequests.stream().anyMatch(r -> r.method().equals("DELETE")), cRequests.toString());
        // (b) and (c): a trigger after the restart pauses the recording
        for (Call x : List.of(b, c)) {
            asterisk.userEvent(x.channel(), "PaymentStart");
            asterisk.await("paused after the restart: " + x.recording(),
                    () -> "paused".equals(asterisk.liveState(x.recording())), WAIT);
        }
        firstPauseLatency(b, restartedAt).ifPresent(ms -> System.out.printf(
                "[crash matrix] first payment pause after the restart: %.1f ms from the event to the pause request%n", ms));

        // (a) the prompt starts again from the beginning, and the answer counts
        asterisk.await("(a) asked again", () -> plays(a) >= 3, WAIT);
        asterisk.pressDtmf(a, '1');
        asterisk.await("(a) in the dialplan", () -> asterisk.location(a).startsWith("dialplan:"), WAIT);
        assertEquals("granted", asterisk.variables(a).get("CONSENT_OUTCOME"));
        Call aCall = callOf(a);

        // (g) the erasure, run again, finishes: key destroyed, verification clean
        AdminApiClient admin2 = AdminApiClient.login(restarted.httpPort(), "admin", ADMIN_PASSWORD);
        AdminApiClient compliance2 = AdminApiClient.login(restarted.httpPort(), "carol", COMPLIANCE_PASSWORD);
        AdminApiClient.Reply erased = compliance2.post("/privacy/requests/" + requestId + "/erase", new JsonObject());
        assertEquals(200, erased.status(), erased.body());
        assertEquals("completed", erased.json().getString("status"), erased.body());
        assertTrue(erased.json().getJsonObject("verification").getBoolean("clean"), erased.body());
        assertFalse(Files.exists(keyFile(data, keyOf.get(g.recording()))), "(g) the subject key is destroyed");

        // (h) the next retention run finishes what the interrupted one began, keys included
        AdminApiClient.Reply retention = admin2.post("/retention/runs", new JsonObject());
        assertEquals(200, retention.status(), retention.body());
        assertEquals("completed", retention.json().getString("status"), retention.body());
        assertEquals("expired", state(h2.recording()));
        for (Call x : List.of(h1, h2)) {
            assertFalse(Files.exists(keyFile(data, keyOf.get(x.recording()))),
                    "(h) the subject key of " + x.recording() + " is destroyed once its last audio expired");
            assertEquals(0, count("select count(*) from recording_chunk where recording_id = ?", recordingId(x)));
        }

        // every recording archived once, from the bytes Asterisk had, and deleted there only once verified
        for (Call x : List.of(aCall, b, c)) {
            asterisk.callerHangsUp(x.channel());
        }
        List<Call> archived = List.of(aCall, b, c, d, e, f);
        for (Call x : archived) {
            awaitState(x.recording(), "archived");
        }
        for (Call x : archived) {
            assertEquals(1, count("select count(*) from recording where name = ?", x.recording()));
            assertEquals(count("select chunk_count from recording where name = ?", x.recording()),
                    count("select count(*) from recording_chunk where recording_id = ?", recordingId(x)),
                    "exactly the chunks of one copy: " + x.recording());
            byte[] original = asterisk.deletedBytes(x.recording());
            assertNotNull(original, "Asterisk's copy deleted: " + x.recording());
            assertArrayEquals(original, compliance2.audio(recordingId(x), "crash matrix check"), x.recording());
        }
        stateAtDelete.forEach((name, states) -> assertTrue(states.stream().allMatch("verified"::equals),
                "Asterisk's copy of " + name + " deleted in state " + states));
        assertTrue(stateAtDelete.keySet().containsAll(archived.stream().map(Call::recording).toList()));
        assertEquals(0, count("select count(*) from incident"), "no recording lost");
        AdminApiClient.Reply audit = compliance2.get("/audit/verify");
        assertTrue(audit.json().getBoolean("intact"), audit.body());
        System.out.printf("[crash matrix] all points finished after the restart, %d ms in all%n", ms(t0));

        // ---- backup and restore: a copy of the stopped instance, on another path, plays its recordings ----
        long stoppedServer = Postmasters.pid(data.resolve("postgres")).orElseThrow();
        assertTrue(restarted.stop(Duration.ofSeconds(60)), "stops on SIGTERM");
        assertTrue(Postmasters.awaitGone(stoppedServer, 10_000));
        // what docs/operations.md tells an operator to copy, copied the way it says (cp -a keeps permissions)
        Path restored = Files.createDirectory(base.resolve("restored"));
        for (String part : List.of("postgres", "keys", "keyring.json")) {
            Process cp = new ProcessBuilder("cp", "-a", data.resolve(part).toString(), restored.resolve(part).toString())
                    .inheritIO().start();
            assertTrue(cp.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && cp.exitValue() == 0, "cp -a " + part);
        }
        liveData = restored;
        AppProcess copy = AppProcess.jar(base.resolve("restored.log"), env(restored));
        apps.add(copy);
        copy.awaitReady(Duration.ofSeconds(60));
        AdminApiClient fromCopy = AdminApiClient.login(copy.httpPort(), "carol", COMPLIANCE_PASSWORD);
        assertArrayEquals(asterisk.deletedBytes(b.recording()), fromCopy.audio(recordingId(b), "restore test"));
        assertTrue(fromCopy.get("/audit/verify").json().getBoolean("intact"));
        assertTrue(copy.stop(Duration.ofSeconds(60)));
        System.out.printf("[crash matrix] restored copy played a recording; %d ms in all%n", ms(t0));
    }

    // ---- calls ----------------------------------------------------------------------------------

    /** A caller who allows recording; returns once the call is back in the dialplan and recorded. */
    private Call consentedCall(String number) {
        String ch = asterisk.placeCall(FakeAsterisk.USER, number, "Caller", "100", "en");
        asterisk.await("the choice prompt on " + ch, () -> plays(ch) >= 2, WAIT);
        asterisk.pressDtmf(ch, '1');
        asterisk.await(ch + " in the dialplan", () -> asterisk.location(ch).startsWith("dialplan:"), WAIT);
        Call call = callOf(ch);
        asterisk.await("recording " + call.recording(), () -> asterisk.liveRecordings().contains(call.recording()), WAIT);
        return call;
    }

    private Call callOf(String channel) {
        Map<String, Object> r = awaitRow("select id, recording_name from call where channel_id = ? "
                + "and recording_name is not null", channel);
        return new Call(channel, (UUID) r.get("id"), (String) r.get("recording_name"));
    }

    private int plays(String channel) {
        return asterisk.requests("POST", "/ari/channels/" + Pattern.quote(channel) + "/play").size();
    }

    /** From the PaymentStart event sent for the call after the restart to the pause request that followed. */
    private Optional<Double> firstPauseLatency(Call call, long after) {
        Optional<Long> event = asterisk.sentEvents().stream().filter(ev -> ev.atNanos() > after
                        && "ChannelUserevent".equals(ev.type()) && "PaymentStart".equals(ev.json().getString("eventname"))
                        && ev.json().getJsonObject("channel") != null
                        && call.channel().equals(ev.json().getJsonObject("channel").getString("id")))
                .map(FakeAsterisk.SentEvent::atNanos).findFirst();
        Optional<Long> pause = asterisk.requests("POST", "/ari/recordings/live/" + call.recording() + "/pause").stream()
                .filter(r -> event.isPresent() && r.atNanos() > event.get()).map(FakeAsterisk.Request::atNanos).findFirst();
        return event.flatMap(ev -> pause.map(p -> (p - ev) / 1e6));
    }

    // ---- the database, read from outside ---------------------------------------------------------

    private Connection db() throws SQLException {
        int port = Postmasters.port(liveData.resolve("postgres"));
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
    }

    private List<Map<String, Object>> rows(String sql, Object... params) {
        try (Connection c = db(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            List<Map<String, Object>> out = new ArrayList<>();
            if (s.execute()) {
                try (ResultSet rs = s.getResultSet()) {
                    while (rs.next()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                            m.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                        }
                        out.add(m);
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private void sql(String sql, Object... params) {
        rows(sql, params);
    }

    private Map<String, Object> row(String sql, Object... params) {
        List<Map<String, Object>> r = rows(sql, params);
        assertEquals(1, r.size(), sql);
        return r.get(0);
    }

    private long count(String sql, Object... params) {
        Object v = row(sql, params).values().iterator().next();
        return v == null ? 0 : ((Number) v).longValue();
    }

    private Map<String, Object> awaitRow(String sql, Object... params) {
        List<Map<String, Object>> found = new ArrayList<>();
        awaitTrue("a row for " + sql, () -> {
            List<Map<String, Object>> r = rows(sql, params);
            if (!r.isEmpty()) {
                found.add(r.get(0));
            }
            return !r.isEmpty();
        });
        return found.get(found.size() - 1);
    }

    private String state(String recording) {
        return (String) row("select state from recording where name = ?", recording).get("state");
    }

    /** For the probe: the state now, or why there is none (the database may be down between runs). */
    private String stateNow(String recording) {
        try {
            List<Map<String, Object>> r = rows("select state from recording where name = ?", recording);
            return r.isEmpty() ? "(no row)" : (String) r.get(0).get("state");
        } catch (RuntimeException e) {
            return "(database unreachable: " + e.getMessage() + ")";
        }
    }

    private void awaitState(String recording, String wanted) {
        awaitTrue(recording + " " + wanted, () -> rows("select 1 from recording where name = ? and state = ?",
                recording, wanted).size() == 1);
    }

    private UUID recordingId(Call call) {
        return (UUID) awaitRow("select id from recording where name = ?", call.recording()).get("id");
    }

    private void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
        asterisk.await(what, condition, WAIT);
    }

    private static Path keyFile(Path data, String keyId) {
        return data.resolve("keys").resolve("keys").resolve(keyId + ".json");
    }

    private static Pattern marker(String rest) {
        return Pattern.compile(Pattern.quote(CrashPointMain.MARKER + " ") + rest.replace(".", "\\."));
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }
}
