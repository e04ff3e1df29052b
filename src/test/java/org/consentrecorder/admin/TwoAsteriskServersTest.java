package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.archive.ArchivePipeline;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.TestDatabase;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.consentrecorder.testing.CapturedLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One application instance serving two Asterisk servers (two ARI doubles, CR_ARI_SERVERS) whose channel ids collide,
 * as two real servers with the same uniqueid scheme can: each call is recorded, paused and archived through its own
 * server, the API names the server, and losing one server leaves the other's calls alone.
 */
class TwoAsteriskServersTest {
    private static final Duration WAIT = AppHarness.WAIT;
    private AppHarness h;
    private FakeAsterisk pbx1;
    private FakeAsterisk pbx2;
    private ApiClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (h != null) {
            h.close();
        }
        if (pbx2 != null) {
            pbx2.close();
        }
    }

    /** pbx1 through the harness's double, pbx2 a second one; the shorthand keys blanked (the list replaces them). */
    private void start() {
        pbx1 = FakeAsterisk.start();
        pbx2 = FakeAsterisk.start();
        pbx2.playbackDuration(Duration.ofMillis(200));
        Map<String, String> env = new HashMap<>();
        env.put("CR_ARI_URL", "");
        env.put("CR_ARI_USER", "");
        env.put("CR_ARI_PASSWORD", "");
        env.put("CR_ARI_SERVERS", "pbx1=" + pbx1.url() + ",pbx2=" + pbx2.url());
        env.put("CR_ARI_SERVER_PBX1_USER", FakeAsterisk.USER);
        env.put("CR_ARI_SERVER_PBX1_PASSWORD", FakeAsterisk.PASSWORD);
        env.put("CR_ARI_SERVER_PBX2_USER", FakeAsterisk.USER);
        env.put("CR_ARI_SERVER_PBX2_PASSWORD", FakeAsterisk.PASSWORD);
        h = AppHarness.start(pbx1, TestDatabase.fresh(), env);
        pbx2.await("the app to connect to pbx2", () -> h.app.ari("pbx2").connected(), WAIT);
        client = new ApiClient(h.app.httpPort());
    }

    private static void awaitChoicePrompt(FakeAsterisk pbx, String channel) {
        pbx.await("the choice prompt", () -> pbx.requests("POST", "/ari/channels/" + channel.replace(".", "\\.")
                + "/play").size() >= 2, WAIT);
    }

    private UUID callOn(String server, String channel) {
        return (UUID) h.awaitRows("select id from call where server = $1 and channel_id = $2", server, channel)
                .get(0).get("id");
    }

    private static String recordingName(FakeAsterisk pbx) {
        List<FakeAsterisk.Request> records = pbx.requests("POST", "/ari/channels/.*/record");
        assertEquals(1, records.size(), "one recording on this server: " + records);
        return records.get(0).param("name");
    }

    /** Any request about the recording (live or stored). */
    private static boolean askedAbout(FakeAsterisk pbx, String name) {
        return pbx.requests().stream().anyMatch(r -> r.path().contains(name));
    }

    private JsonObject control(String token, UUID call, String action) {
        ApiClient.Reply r = client.post("/api/v1/live-calls/" + call + "/" + action, token,
                new JsonObject().put("reason", "payment"));
        assertEquals(200, r.status(), r.toString());
        return r.json();
    }

    @Test
    void collidingChannelIds_eachCallIsRecordedPausedAndArchivedThroughItsOwnServer() {
        start();
        String supervisor = ApiTestSupport.tokenFor(h, client, ApiTestSupport.adminToken(client), "sue", "supervisor");

        String ch1 = pbx1.placeCall("+15551239001");
        awaitChoicePrompt(pbx1, ch1);
        String ch2 = pbx2.placeCall("+15551239002");
        awaitChoicePrompt(pbx2, ch2);
        assertEquals(ch1, ch2, "both doubles number their channels alike, as two servers may");

        // a digit on pbx1's channel reaches pbx1's call only, although pbx2 has a channel of the same id
        pbx1.pressDtmf(ch1, '1');
        pbx1.await("pbx1's call in the dialplan", () -> pbx1.location(ch1).startsWith("dialplan:"), WAIT);
        UUID call1 = callOn("pbx1", ch1);
        h.awaitRows("select 1 from call where id = $1 and recording_state = 'recording'", call1);
        assertTrue(pbx2.requests("POST", "/ari/channels/.*/record").isEmpty(), "nothing recorded on pbx2 yet");
        assertFalse(pbx2.location(ch2).startsWith("dialplan:"), "pbx2's caller still has to choose");

        pbx2.pressDtmf(ch2, '1');
        pbx2.await("pbx2's call in the dialplan", () -> pbx2.location(ch2).startsWith("dialplan:"), WAIT);
        UUID call2 = callOn("pbx2", ch2);
        h.awaitRows("select 1 from call where id = $1 and recording_state = 'recording'", call2);
        assertNotEquals(call1, call2);
        String rec1 = recordingName(pbx1);
        String rec2 = recordingName(pbx2);
        assertEquals("cr-" + call1, rec1);
        assertEquals("cr-" + call2, rec2);

        // the live calls name their server; a channel id alone is ambiguous
        JsonArray live = client.get("/api/v1/live-calls?channel_id=" + ApiTestSupport.enc(ch1), supervisor).json()
                .getJsonArray("items");
        assertEquals(2, live.size(), live.encode());
        Map<String, String> serverOf = new HashMap<>();
        live.forEach(o -> serverOf.put(((JsonObject) o).getString("call_id"), ((JsonObject) o).getString("server")));
        assertEquals(Map.of(call1.toString(), "pbx1", call2.toString(), "pbx2"), serverOf);

        // an API pause goes to the server holding the call, and only there
        assertEquals("paused", control(supervisor, call2, "pause").getString("status"));
        assertEquals(1, pbx2.requests("POST", "/ari/recordings/live/" + rec2 + "/pause").size());
        assertTrue(pbx1.requests("POST", "/ari/recordings/live/.*/pause").isEmpty(), "pbx1 was asked for nothing");
        assertEquals("paused", control(supervisor, call1, "pause").getString("status"));
        assertEquals(1, pbx1.requests("POST", "/ari/recordings/live/" + rec1 + "/pause").size());
        assertEquals(1, pbx2.requests("POST", "/ari/recordings/live/.*/pause").size(), "pbx2 paused once, for its call");
        assertEquals("recording", control(supervisor, call1, "resume").getString("status"));
        // ARI's unpause is DELETE .../pause
        assertEquals(1, pbx1.requests("DELETE", "/ari/recordings/live/" + rec1 + "/pause").size());
        assertTrue(pbx2.requests("DELETE", "/ari/recordings/live/.*/pause").isEmpty());

        pbx1.callerHangsUp(ch1);
        pbx2.callerHangsUp(ch2);
        h.awaitRows("select 1 from recording where name = $1 and state = 'archived'", rec1);
        h.awaitRows("select 1 from recording where name = $1 and state = 'archived'", rec2);

        // each file fetched from and deleted on its own server, never asked of the other
        for (Object[] pair : new Object[][] {{pbx1, rec1, pbx2}, {pbx2, rec2, pbx1}}) {
            FakeAsterisk holder = (FakeAsterisk) pair[0];
            String name = (String) pair[1];
            FakeAsterisk other = (FakeAsterisk) pair[2];
            assertFalse(holder.requests("GET", "/ari/recordings/stored/" + name + "/file").isEmpty(), name);
            assertTrue(holder.wasDeleted(name), name + " deleted on the server that recorded it");
            assertFalse(askedAbout(other, name), name + " never asked of the other server");
        }

        // rows carry the server: call, recording, timeline
        assertEquals("pbx1", h.rows("select server from call where id = $1", call1).get(0).get("server"));
        assertEquals("pbx2", h.rows("select server from call where id = $1", call2).get(0).get("server"));
        assertEquals("pbx1", h.rows("select server from recording where name = $1", rec1).get(0).get("server"));
        assertEquals("pbx2", h.rows("select server from recording where name = $1", rec2).get(0).get("server"));
        assertEquals(List.of("pbx2"), h.rows("select distinct server from recording_timeline where call_id = $1", call2)
                .stream().map(r -> r.get("server")).toList());
        assertEquals(List.of("pbx1"), h.rows("select distinct server from recording_timeline where call_id = $1", call1)
                .stream().map(r -> r.get("server")).toList());

        // and the API says it
        assertEquals("pbx2", client.get("/api/v1/calls/" + call2, supervisor).json().getString("server"));
        JsonArray recordings = client.get("/api/v1/recordings?call_id=" + call1, supervisor).json().getJsonArray("items");
        assertEquals("pbx1", recordings.getJsonObject(0).getString("server"), recordings.encode());
        JsonArray calls = client.get("/api/v1/calls", supervisor).json().getJsonArray("items");
        Map<String, String> listed = new HashMap<>();
        calls.forEach(o -> listed.put(((JsonObject) o).getString("id"), ((JsonObject) o).getString("server")));
        assertEquals("pbx1", listed.get(call1.toString()));
        assertEquals("pbx2", listed.get(call2.toString()));
        // and searches by it
        JsonArray onPbx2 = client.get("/api/v1/calls?server=pbx2", supervisor).json().getJsonArray("items");
        assertEquals(List.of(call2.toString()), onPbx2.stream().map(o -> ((JsonObject) o).getString("id")).toList());
        JsonArray onPbx1 = client.post("/api/v1/calls/search", supervisor, new JsonObject().put("server", "pbx1")).json()
                .getJsonArray("items");
        assertEquals(List.of(call1.toString()), onPbx1.stream().map(o -> ((JsonObject) o).getString("id")).toList());
        assertEquals(400, client.get("/api/v1/calls?server=" + "x".repeat(65), supervisor).status(),
                "longer than any server name");
    }

    @Test
    void losingOneServer_leavesTheOthersCallsAlone_andReadinessSaysWhich() {
        start();
        String admin = ApiTestSupport.adminToken(client);
        String supervisor = ApiTestSupport.tokenFor(h, client, admin, "sue", "supervisor");
        String ch = pbx1.placeCall("+15551239011");
        awaitChoicePrompt(pbx1, ch);
        pbx1.pressDtmf(ch, '1');
        UUID call = callOn("pbx1", ch);
        h.awaitRows("select 1 from call where id = $1 and recording_state = 'recording'", call);
        String rec = recordingName(pbx1);

        FakeAsterisk gone = pbx2;
        pbx2 = null;
        gone.close();
        pbx1.await("the app to see pbx2 go", () -> !h.app.ari("pbx2").connected(), WAIT);
        assertTrue(h.app.ari("pbx1").connected());

        ApiClient.Reply ready = client.get("/health/ready", null);
        assertEquals(200, ready.status(), "pbx1 still serves: " + ready);
        assertEquals("degraded", ready.json().getString("status"), ready.toString());
        assertEquals(new JsonArray().add("pbx2"), ready.json().getJsonArray("servers_down"));
        JsonObject detail = client.get("/health/detail", admin).json();
        JsonArray servers = detail.getJsonArray("ari");
        assertEquals("pbx1", servers.getJsonObject(0).getString("name"));
        assertEquals("connected", servers.getJsonObject(0).getString("state"));
        assertEquals(1L, servers.getJsonObject(0).getLong("live_calls"));
        assertEquals(true, servers.getJsonObject(0).getBoolean("events_filtered"), "pbx1 sends only the types acted on");
        assertEquals("pbx2", servers.getJsonObject(1).getString("name"));
        assertNotEquals("connected", servers.getJsonObject(1).getString("state"));
        assertTrue(detail.getJsonArray("problems").encode().contains("ARI server 'pbx2' is not connected"),
                detail.encode());

        // the connection gauge per server (the label is the configured name)
        String metrics = client.get("/metrics", null).body().toString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("consent_recorder_ari_connected{")
                && l.contains("server=\"pbx1\"") && l.endsWith(" 1.0")), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("consent_recorder_ari_connected{")
                && l.contains("server=\"pbx2\"") && l.endsWith(" 0.0")), metrics);

        // pbx1's call went on recording: the outage of pbx2 paused nothing, and it is still controlled
        assertTrue(pbx1.requests("POST", "/ari/recordings/live/.*/pause").isEmpty(), "no outage pause on pbx1");
        assertEquals("recording", h.rows("select recording_state from call where id = $1", call).get(0)
                .get("recording_state"));
        assertEquals("paused", control(supervisor, call, "pause").getString("status"));
        assertEquals(1, pbx1.requests("POST", "/ari/recordings/live/" + rec + "/pause").size());

        // and a new call on pbx1 is answered and recorded as usual
        String next = pbx1.placeCall("+15551239012");
        awaitChoicePrompt(pbx1, next);
        pbx1.pressDtmf(next, '1');
        h.awaitRows("select 1 from call where server = 'pbx1' and channel_id = $1 and recording_state = 'recording'",
                next);
    }

    @Test
    void aRecordingOnAServerNoLongerConfigured_waits_andIsReportedOnce() throws Exception {
        start();
        UUID callId = UUID.randomUUID();
        String name = "cr-" + callId;
        h.rows("insert into recording (id, call_id, name, subject, format, state, finished_at, server) "
                + "values ($1, $2, $3, $4, 'wav', 'finished', now(), 'retired')",
                org.consentrecorder.archive.ArchiveRepository.recordingId(name), callId, name, "call:" + callId);
        CapturedLogs logs = CapturedLogs.of(ArchivePipeline.class);
        try {
            for (int i = 0; i < 3; i++) {
                h.app.archivePipeline().reconcile().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            pbx1.await("the warning", () -> logs.events().stream()
                    .anyMatch(e -> e.getFormattedMessage().contains("'retired'")), WAIT);
            h.app.archivePipeline().reconcile().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            Thread.sleep(500); // several polls of the pipeline (CR_ARCHIVE_POLL=100ms)
        } finally {
            logs.close();
        }
        assertEquals(1, logs.events().stream().filter(e -> e.getFormattedMessage().contains("'retired'")).count(),
                "said once, not at every reconciliation");
        Map<String, Object> row = h.rows("select state, attempts from recording where name = $1", name).get(0);
        assertEquals("finished", row.get("state"), "never claimed, never deleted");
        assertEquals(0, row.get("attempts"));
        assertFalse(askedAbout(pbx1, name));
        assertFalse(askedAbout(pbx2, name));
    }

    @Test
    void aRestart_takesEachServersCallsOverFromItsOwnServer() throws Exception {
        start();
        String ch1 = pbx1.placeCall("+15551239021");
        awaitChoicePrompt(pbx1, ch1);
        pbx1.pressDtmf(ch1, '1');
        String ch2 = pbx2.placeCall("+15551239022");
        awaitChoicePrompt(pbx2, ch2);
        pbx2.pressDtmf(ch2, '1');
        assertEquals(ch1, ch2);
        UUID call1 = callOn("pbx1", ch1);
        UUID call2 = callOn("pbx2", ch2);
        h.awaitRows("select 1 from call where id = $1 and phase = 'in_dialplan'", call1);
        h.awaitRows("select 1 from call where id = $1 and phase = 'in_dialplan'", call2);
        String rec2 = recordingName(pbx2);

        client.close();
        client = null;
        h = h.restartApp(Map.of());
        pbx2.await("the restarted app on pbx2", () -> h.app.ari("pbx2").connected(), WAIT);
        client = new ApiClient(h.app.httpPort());

        // each call taken over by its own server's registry: the same channel id on the other server is not it
        pbx1.await("both calls taken over", () -> h.app.calls().liveCount() == 2, WAIT);
        Map<String, String> serverOf = new HashMap<>();
        h.app.calls().liveCalls().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                .forEach(c -> serverOf.put(c.callId().toString(), c.server()));
        assertEquals(Map.of(call1.toString(), "pbx1", call2.toString(), "pbx2"), serverOf);
        assertTrue(h.rows("select 1 from call where id in ($1, $2) and ended_at is not null", call1, call2).isEmpty(),
                "neither call closed as ended unseen");

        // each running recording is paused at take-over (a trigger raised while nobody listened is lost), through
        // its own server
        String rec1 = recordingName(pbx1);
        pbx1.await("pbx1's recording paused at take-over", () -> "paused".equals(pbx1.liveState(rec1)), WAIT);
        pbx2.await("pbx2's recording paused at take-over", () -> "paused".equals(pbx2.liveState(rec2)), WAIT);
        assertEquals(1, pbx2.requests("POST", "/ari/recordings/live/" + rec2 + "/pause").size());
        assertEquals(1, pbx1.requests("POST", "/ari/recordings/live/.*/pause").size());

        // and controlled through its own server: the same channel id on the other server is not it
        String supervisor = ApiTestSupport.tokenFor(h, client, ApiTestSupport.adminToken(client), "sue", "supervisor");
        assertEquals("recording", control(supervisor, call2, "resume").getString("status"));
        assertEquals(1, pbx2.requests("DELETE", "/ari/recordings/live/" + rec2 + "/pause").size());
        assertTrue(pbx1.requests("DELETE", "/ari/recordings/live/.*/pause").isEmpty());
        assertEquals("paused", control(supervisor, call2, "pause").getString("status"));
        assertEquals(2, pbx2.requests("POST", "/ari/recordings/live/" + rec2 + "/pause").size());
        assertEquals(1, pbx1.requests("POST", "/ari/recordings/live/.*/pause").size());
        assertEquals("paused", pbx1.liveState(rec1));
    }

    @Test
    void anErasure_deletesEachCopyOnItsOwnServer_andItsVerificationAsksBoth() {
        start();
        String compliance = ApiTestSupport.tokenFor(h, client, ApiTestSupport.adminToken(client), "erin", "compliance");
        String caller = "+15551239031";
        // one recording of the caller still on each Asterisk (not archived yet; the pipeline leaves them alone)
        Map<String, FakeAsterisk> copies = new HashMap<>();
        for (String server : List.of("pbx1", "pbx2")) {
            UUID callId = UUID.randomUUID();
            String name = "cr-" + callId;
            FakeAsterisk pbx = server.equals("pbx1") ? pbx1 : pbx2;
            pbx.putStoredRecording(name, new byte[] {1, 2, 3, 4});
            h.rows("insert into recording (id, call_id, name, subject, format, state, finished_at, next_attempt_at, "
                    + "server) values ($1, $2, $3, $4, 'wav', 'finished', now(), 'infinity', $5)", UUID.randomUUID(),
                    callId, name, caller, server);
            copies.put(name, pbx);
        }

        String requestId = PrivacyTestSupport.requestFor(client, compliance, "erasure", caller);
        ApiClient.Reply r = client.post("/api/v1/privacy/requests/" + requestId + "/erase", compliance, null);
        assertEquals(200, r.status(), r.toString());
        JsonObject done = r.json();
        assertEquals("completed", done.getString("status"), done.encodePrettily());
        assertTrue(done.getJsonObject("verification").getBoolean("clean"), done.encodePrettily());
        assertEquals(2, done.getJsonObject("result").getJsonArray("asterisk_copies_deleted").size(), done.encodePrettily());
        copies.forEach((name, holder) -> {
            assertTrue(holder.wasDeleted(name), name + " deleted on the server that holds it");
            FakeAsterisk other = holder == pbx1 ? pbx2 : pbx1;
            assertFalse(askedAbout(other, name), name + " never asked of the other server");
        });
    }

    @Test
    void aRecordingOfNoKnownCall_isQuarantinedWithItsServer_andDeletedThere() throws Exception {
        start();
        String name = "cr-" + UUID.randomUUID();
        pbx2.putStoredRecording(name, new byte[] {1, 2, 3, 4});
        h.app.archivePipeline().reconcile().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals("pbx2", h.awaitRows("select server from recording_quarantine where name = $1 and status = 'held'",
                name).get(0).get("server"));
        String compliance = ApiTestSupport.tokenFor(h, client, ApiTestSupport.adminToken(client), "erin", "compliance");
        JsonArray listed = client.get("/api/v1/recordings/quarantine", compliance).json().getJsonArray("items");
        assertEquals("pbx2", listed.getJsonObject(0).getString("server"), listed.encode());

        h.app.archivePipeline().quarantine().decide(name, org.consentrecorder.archive.QuarantineDecision.Kind.DELETE,
                "carol", "not one of ours").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertTrue(pbx2.wasDeleted(name), "deleted on the server it was found on");
        assertFalse(askedAbout(pbx1, name), "never asked of the other server");
        h.awaitRows("select 1 from recording_quarantine where name = $1 and status = 'deleted'", name);
    }
}
