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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.consentrecorder.testing.EmbeddedLogins;
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
    private OutsideView view;

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
        // signs in with a password only (the second factor has tests of its own: MfaApiTest)
        env.put("CR_MFA_REQUIRED_ROLES", "none");
        env.put("CR_HTTP_PORT", String.valueOf(AppProcess.freePort()));
        // nothing but directories: the embedded database, and a keyring generated beside the key store,
        // which only development mode allows (a real deployment names its keyring: CR_KEYRING_FILE)
        env.put("CR_DEV_MODE", "true");
        env.put("CR_DB_EMBEDDED_DIR", data.resolve("postgres").toString());
        env.put("CR_KEYSTORE_DIR", data.resolve("keys").toString());
        env.put("CR_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.put("CR_IVR_TIMEOUT", "2s");
        env.put("CR_IVR_REGRANT_WINDOW", "300ms");
        env.put("CR_TEARDOWN_TIMEOUT", "2s");
        // stored unchanged, so what comes back can be compared byte for byte with what Asterisk recorded
        // (a crash while encoding Opus: OpusArchiveTest)
        env.put("CR_ARCHIVE_CODEC", "wav");
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
                    stateAtDelete.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(view.stateNow(m.group(1)));
                }
            }
        });
        Path data = base.resolve("data");
        liveData = data;
        // as the schema's owner, with the password the application generated beside its data directory
        view = new OutsideView(asterisk, () -> Postmasters.port(liveData.resolve("postgres")),
                () -> new String[] {EmbeddedLogins.OWNER, EmbeddedLogins.password(liveData.resolve("postgres"),
                        EmbeddedLogins.OWNER)});
        Map<String, String> env = env(data);

        // ---- the process that will crash ----
        AppProcess crashing = AppProcess.withCrashPoints(base.resolve("crashing.log"), env, "");
        apps.add(crashing);
        crashing.awaitReady(Duration.ofSeconds(120));
        int port = crashing.httpPort();
        AdminApiClient admin = AdminApiClient.login(port, "admin", ADMIN_PASSWORD);
        view.operator("carol", COMPLIANCE_PASSWORD, "compliance");
        AdminApiClient compliance = AdminApiClient.login(port, "carol", COMPLIANCE_PASSWORD);
        System.out.printf("[crash matrix] first start ready after %d ms%n", ms(t0));

        // recordings for the erasure (g) and the retention run (h), archived before the crash
        OutsideView.Call g = view.consentedCall("+15550100001");
        OutsideView.Call h1 = view.consentedCall("+15550100002");
        OutsideView.Call h2 = view.consentedCall("+15550100003");
        Thread.sleep(400);
        for (OutsideView.Call c : List.of(g, h1, h2)) {
            asterisk.callerHangsUp(c.channel());
        }
        for (OutsideView.Call c : List.of(g, h1, h2)) {
            view.awaitState(c.recording(), "archived");
        }
        Map<String, String> keyOf = new HashMap<>();
        for (OutsideView.Call c : List.of(g, h1, h2)) {
            keyOf.put(c.recording(), (String) view.row("select subject_key_id from recording where name = ?", c.recording())
                    .get("subject_key_id"));
            assertTrue(Files.exists(keyFile(data, keyOf.get(c.recording()))), "a subject key for " + c.recording());
        }
        view.rows("update recording set finished_at = now() - interval '101 days' where name = ?", h1.recording());
        view.rows("update recording set finished_at = now() - interval '100 days' where name = ?", h2.recording());

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
        OutsideView.Call b = view.consentedCall("+15550100004");
        OutsideView.Call c = view.consentedCall("+15550100005");
        asterisk.userEvent(c.channel(), "PaymentStart");
        asterisk.await("(c) paused", () -> "paused".equals(asterisk.liveState(c.recording())), WAIT);

        // (d) finished, copy not begun; (f) verified, Asterisk's copy still there; (e) half of its chunks written
        OutsideView.Call d = view.consentedCall("+15550100006");
        OutsideView.Call e = view.consentedCall("+15550100007");
        OutsideView.Call f = view.consentedCall("+15550100008");
        Thread.sleep(1500);
        crashing.arm("archive:FETCH_STARTED");
        asterisk.callerHangsUp(d.channel());
        crashing.awaitLog(marker("archive:FETCH_STARTED " + view.recordingId(d)), WAIT);
        crashing.arm("archive:VERIFIED");
        asterisk.callerHangsUp(f.channel());
        crashing.awaitLog(marker("archive:VERIFIED " + view.recordingId(f)), WAIT);
        asterisk.stallDownload(e.recording(), 20_000);
        asterisk.callerHangsUp(e.channel());
        view.awaitTrue("(e) some chunks written", () -> view.count("select count(*) from recording_chunk c join recording r "
                + "on r.id = c.recording_id where r.name = ? and r.state = 'finished'", e.recording()) >= 2);

        // the durable state each point left behind
        assertEquals("erased", view.state(g.recording()));
        assertTrue(Files.exists(keyFile(data, keyOf.get(g.recording()))), "(g) the key is not destroyed yet");
        assertEquals("expired", view.state(h1.recording()));
        assertEquals("archived", view.state(h2.recording()));
        assertEquals("finished", view.state(d.recording()));
        assertEquals(0, view.count("select count(*) from recording_chunk where recording_id = ?", view.recordingId(d)));
        assertEquals("finished", view.state(e.recording()));
        assertEquals("verified", view.state(f.recording()));
        for (OutsideView.Call x : List.of(d, e, f)) {
            assertTrue(asterisk.storedRecordings().contains(x.recording()), "Asterisk keeps " + x.recording());
        }
        // (a) a new caller in the middle of the recording notice (Asterisk queues a channel's playbacks, so
        //     after the restart the new notice follows what is left of this one)
        asterisk.playbackDuration(Duration.ofSeconds(8));
        String a = asterisk.placeCall(FakeAsterisk.USER, "+15550100009", "Caller A", "100", "en");
        asterisk.await("(a) in the notice", () -> view.plays(a) == 1, WAIT);
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
        asterisk.await("(c) resumed by the event after the re-assertion",
                () -> "recording".equals(asterisk.liveState(c.recording())), WAIT);
        List<FakeAsterisk.Request> cRequests = view.pauseRequests(c, restartedAt);
        assertEquals("POST", cRequests.get(0).method(), "the pause is re-asserted first: " + cRequests);
        assertTrue(cRequests.stream().anyMatch(r -> r.method().equals("DELETE")), cRequests.toString());
        // (b) and (c): a trigger after the restart pauses the recording
        for (OutsideView.Call x : List.of(b, c)) {
            asterisk.userEvent(x.channel(), "PaymentStart");
            asterisk.await("paused after the restart: " + x.recording(),
                    () -> "paused".equals(asterisk.liveState(x.recording())), WAIT);
        }
        firstPauseLatency(b, restartedAt).ifPresent(ms -> System.out.printf(
                "[crash matrix] first payment pause after the restart: %.1f ms from the event to the pause request%n", ms));

        // (a) the prompt starts again from the beginning, and the answer counts
        asterisk.await("(a) asked again", () -> view.plays(a) >= 3, WAIT);
        asterisk.pressDtmf(a, '1');
        asterisk.await("(a) in the dialplan", () -> asterisk.location(a).startsWith("dialplan:"), WAIT);
        assertEquals("granted", asterisk.variables(a).get("CONSENT_OUTCOME"));
        OutsideView.Call aCall = view.callOf(a);

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
        assertEquals("expired", view.state(h2.recording()));
        for (OutsideView.Call x : List.of(h1, h2)) {
            assertFalse(Files.exists(keyFile(data, keyOf.get(x.recording()))),
                    "(h) the subject key of " + x.recording() + " is destroyed once its last audio expired");
            assertEquals(0, view.count("select count(*) from recording_chunk where recording_id = ?", view.recordingId(x)));
        }

        // every recording archived once, from the bytes Asterisk had, and deleted there only once verified
        for (OutsideView.Call x : List.of(aCall, b, c)) {
            asterisk.callerHangsUp(x.channel());
        }
        List<OutsideView.Call> archived = List.of(aCall, b, c, d, e, f);
        for (OutsideView.Call x : archived) {
            view.awaitState(x.recording(), "archived");
        }
        for (OutsideView.Call x : archived) {
            view.assertArchivedOnce(x);
            byte[] original = asterisk.deletedBytes(x.recording());
            assertNotNull(original, "Asterisk's copy deleted: " + x.recording());
            assertArrayEquals(original, compliance2.audio(view.recordingId(x), "crash matrix check"), x.recording());
        }
        stateAtDelete.forEach((name, states) -> {
            List<FakeAsterisk.Request> deletes = asterisk.requests("DELETE", "/ari/recordings/stored/" + Pattern.quote(name));
            assertEquals("verified", states.get(0), "Asterisk's copy of " + name + " deleted in state " + states);
            assertEquals(204, deletes.get(0).status(), "the first delete removed the file: " + deletes);
            // a later one (the reconciliation, working from a listing taken before the pipeline deleted the file)
            // finds nothing left to delete
            for (int i = 1; i < deletes.size(); i++) {
                assertEquals(404, deletes.get(i).status(), "only the first delete, once verified, found a file: "
                        + deletes + " in states " + states);
            }
        });
        assertTrue(stateAtDelete.keySet().containsAll(archived.stream().map(OutsideView.Call::recording).toList()));
        assertEquals(0, view.count("select count(*) from incident"), "no recording lost");
        AdminApiClient.Reply audit = compliance2.get("/audit/verify");
        assertTrue(audit.json().getBoolean("intact"), audit.body());
        System.out.printf("[crash matrix] all points finished after the restart, %d ms in all%n", ms(t0));

        // ---- backup and restore: a copy of the stopped instance, on another path, plays its recordings ----
        long stoppedServer = Postmasters.pid(data.resolve("postgres")).orElseThrow();
        assertTrue(restarted.stop(Duration.ofSeconds(60)), "stops on SIGTERM");
        assertTrue(Postmasters.awaitGone(stoppedServer, 10_000));
        // what docs/operations.md tells an operator to copy, copied the way it says (cp -a keeps permissions)
        Path restored = Files.createDirectory(base.resolve("restored"));
        for (String part : List.of("postgres", "postgres.passwords", "keys", "keyring.json")) {
            Process cp = new ProcessBuilder("cp", "-a", data.resolve(part).toString(), restored.resolve(part).toString())
                    .inheritIO().start();
            assertTrue(cp.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && cp.exitValue() == 0, "cp -a " + part);
        }
        liveData = restored;
        AppProcess copy = AppProcess.jar(base.resolve("restored.log"), env(restored));
        apps.add(copy);
        copy.awaitReady(Duration.ofSeconds(60));
        AdminApiClient fromCopy = AdminApiClient.login(copy.httpPort(), "carol", COMPLIANCE_PASSWORD);
        assertArrayEquals(asterisk.deletedBytes(b.recording()), fromCopy.audio(view.recordingId(b), "restore test"));
        assertTrue(fromCopy.get("/audit/verify").json().getBoolean("intact"));
        assertTrue(copy.stop(Duration.ofSeconds(60)));
        System.out.printf("[crash matrix] restored copy played a recording; %d ms in all%n", ms(t0));
    }

    /** From the PaymentStart event sent for the call after the restart to the pause request that followed. */
    private Optional<Double> firstPauseLatency(OutsideView.Call call, long after) {
        Optional<Long> event = asterisk.sentEvents().stream().filter(ev -> ev.atNanos() > after
                        && "ChannelUserevent".equals(ev.type()) && "PaymentStart".equals(ev.json().getString("eventname"))
                        && ev.json().getJsonObject("channel") != null
                        && call.channel().equals(ev.json().getJsonObject("channel").getString("id")))
                .map(FakeAsterisk.SentEvent::atNanos).findFirst();
        Optional<Long> pause = asterisk.requests("POST", "/ari/recordings/live/" + call.recording() + "/pause").stream()
                .filter(r -> event.isPresent() && r.atNanos() > event.get()).map(FakeAsterisk.Request::atNanos).findFirst();
        return event.flatMap(ev -> pause.map(p -> (p - ev) / 1e6));
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
