package org.consentrecorder.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.ari.AriOperation;
import org.consentrecorder.call.Outcome;
import org.consentrecorder.call.TriggerKind;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.yaml.snakeyaml.Yaml;

/**
 * One scripted call through the ARI double (consent granted, a payment pause by UserEvent, a
 * resume, hang-up, archive) moves exactly the series it should on {@code GET /metrics}, and
 * nothing else of the call's kind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIntegrationTest {
    private static final String CALLER = "+49 30 1234567";
    private AppHarness h;
    private Scrape before;
    private Scrape recording;
    private Scrape paused;
    private Scrape after;
    private UUID callId;
    private Map<String, Object> timelinePaused;
    private Map<String, Object> archived;

    @BeforeAll
    void scriptedCall() throws Exception {
        h = AppHarness.start(Map.of("CR_METRICS_REFRESH", "200ms", "CR_PAUSE_STYLE", "skip"));
        int port = h.app.metricsPort();
        await(h.app.observability().refreshDatabaseGauges());
        before = Http.scrape(port, null);

        String ch = h.asterisk.placeCall(CALLER);
        h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/" + ch.replace(".", "\\.")
                + "/play").size() == 2, AppHarness.WAIT);
        h.asterisk.pressDtmf(ch, '1');
        Map<String, Object> call = h.awaitRows("select * from call where channel_id = $1 and recording_state = 'recording'",
                ch).get(0);
        callId = (UUID) call.get("id");
        String name = (String) call.get("recording_name");
        recording = Http.scrape(port, null);

        h.asterisk.userEvent(ch, "PaymentStart");
        timelinePaused = h.awaitRows("select * from recording_timeline where call_id = $1 and change = 'paused'", callId)
                .get(0);
        paused = Http.scrape(port, null);

        h.asterisk.userEvent(ch, "PaymentEnd");
        h.awaitRows("select 1 from recording_timeline where call_id = $1 and change = 'resumed'", callId);
        h.asterisk.callerHangsUp(ch);
        archived = h.awaitRows("select * from recording where call_id = $1 and state = 'archived'", callId).get(0);
        h.awaitNoLiveCalls();
        await(h.app.observability().refreshDatabaseGauges());
        after = Http.scrape(port, null);
        assertTrue(h.asterisk.wasDeleted(name), "the archive deleted Asterisk's copy");
    }

    @AfterAll
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    private double delta(String name, String... labels) {
        return after.valueOrZero(name, labels) - before.valueOrZero(name, labels);
    }

    private double deltaOfAll(String name) {
        return after.find(name).stream().mapToDouble(Scrape.Sample::value).sum()
                - before.find(name).stream().mapToDouble(Scrape.Sample::value).sum();
    }

    @Test
    void oneCall_oneGrantedDecision_endedGranted() {
        assertEquals(1, delta("consent_recorder_calls_started_total"));
        assertEquals(1, delta("consent_recorder_calls_ended_total", "outcome", "granted"));
        assertEquals(1, deltaOfAll("consent_recorder_calls_ended_total"), "no other outcome moved");
        assertEquals(1, delta("consent_recorder_consent_decisions_total", "outcome", "granted", "lawful_basis", "consent"));
        assertEquals(1, deltaOfAll("consent_recorder_consent_decisions_total"));
        assertEquals(1, delta("consent_recorder_recordings_started_total"));
        assertEquals(0, deltaOfAll("consent_recorder_consent_evidence_write_failures_total"));
        // every outcome's series exists before the first call: increase() in an alert sees the first event
        for (Outcome o : Outcome.values()) {
            assertEquals(0, before.value("consent_recorder_calls_ended_total", "outcome", o.wire()), o.wire());
        }
    }

    @Test
    void onePause_oneHistogramSample_equalToTheTimeline() {
        String pause = "consent_recorder_pause_latency_seconds";
        assertEquals(1, delta(pause + "_count", "trigger", "user_event"));
        assertEquals(1, deltaOfAll(pause + "_count"), "no other trigger moved");
        // the sample is the timeline's requested-to-accepted time
        double expected = Duration.between(((OffsetDateTime) timelinePaused.get("requested_at")).toInstant(),
                ((OffsetDateTime) timelinePaused.get("accepted_at")).toInstant()).toNanos() / 1e9;
        double sum = delta(pause + "_sum", "trigger", "user_event");
        assertTrue(Math.abs(sum - expected) < 0.0011, "histogram sum " + sum + " s, timeline " + expected + " s");
        // buckets 2 ms .. 1 s: the sample is in every bucket from its own upwards, and in none below
        List<String> bounds = new ArrayList<>();
        for (Duration d : MicrometerCallMetrics.PAUSE_BUCKETS) {
            String le = Scrape.le(d);
            bounds.add(le);
            double moved = delta(pause + "_bucket", "trigger", "user_event", "le", le);
            assertEquals(sum <= d.toNanos() / 1e9 ? 1 : 0, moved, "bucket le=" + le);
        }
        assertEquals(1, delta(pause + "_bucket", "trigger", "user_event", "le", "+Inf"));
        assertEquals(bounds.size() + 1, after.find(pause + "_bucket", "trigger", "user_event").size(),
                "buckets " + bounds + " and +Inf");
        assertEquals(1, delta("consent_recorder_resumes_total", "trigger", "user_event"));
        assertEquals(1, deltaOfAll("consent_recorder_resumes_total"));
        assertEquals(0, deltaOfAll("consent_recorder_pauses_failed_closed_total"));
        assertEquals(0, deltaOfAll("consent_recorder_resumes_failed_total"));
        assertEquals(0, deltaOfAll("consent_recorder_withdrawals_total"));
        for (TriggerKind t : TriggerKind.values()) {
            assertEquals(0, before.value("consent_recorder_pauses_failed_closed_total", "trigger", t.wire()), t.wire());
        }
    }

    @Test
    void liveCallsAndRecordingsByState_followTheCall() {
        assertEquals(0, before.value("consent_recorder_live_calls"));
        assertEquals(1, recording.value("consent_recorder_live_calls"));
        assertEquals(1, recording.value("consent_recorder_live_recordings", "state", "recording"));
        assertEquals(0, recording.value("consent_recorder_live_recordings", "state", "paused"));
        assertEquals(0, paused.value("consent_recorder_live_recordings", "state", "recording"));
        assertEquals(1, paused.value("consent_recorder_live_recordings", "state", "paused"));
        assertEquals(0, after.value("consent_recorder_live_calls"));
        assertEquals(0, after.value("consent_recorder_live_recordings", "state", "recording"));
        assertEquals(0, after.value("consent_recorder_live_recordings", "state", "paused"));
    }

    @Test
    void oneArchive_itsBytesAndLag_andAnEmptyBacklog() {
        assertEquals(1, delta("consent_recorder_archived_recordings_total"));
        assertEquals(((Number) archived.get("plaintext_bytes")).doubleValue(), delta("consent_recorder_archived_bytes_total"));
        assertEquals(1, delta("consent_recorder_archive_lag_seconds_count"));
        assertEquals(0, deltaOfAll("consent_recorder_archive_verification_failures_total"));
        for (String state : OperationsRepository.BACKLOG_STATES) {
            assertEquals(0, after.value("consent_recorder_archive_backlog_recordings", "state", state), state);
        }
        assertEquals(0, after.value("consent_recorder_archive_oldest_pending_age_seconds"));
        assertEquals(0, after.value("consent_recorder_archive_asterisk_copies_awaiting_deletion"));
        assertEquals(0, after.value("consent_recorder_recorded_calls_without_evidence"));
        assertEquals(1, after.value("consent_recorder_database_up"));
        for (String kind : OperationsRepository.REQUEST_KINDS) {
            assertEquals(0, after.value("consent_recorder_subject_requests_open", "kind", kind));
            assertEquals(0, after.value("consent_recorder_subject_requests_overdue", "kind", kind));
        }
    }

    @Test
    void ariEventsRequestsAndState() {
        assertEquals(1, after.value("consent_recorder_ari_connected"));
        assertEquals(1, after.value("consent_recorder_ari_connection_state", "state", "connected"));
        assertEquals(0, after.value("consent_recorder_ari_connection_state", "state", "disconnected"));
        assertEquals(0, deltaOfAll("consent_recorder_ari_reconnects_total"));
        assertEquals(2, delta("consent_recorder_ari_events_total", "type", "ChannelUserevent"));
        assertEquals(1, delta("consent_recorder_ari_events_total", "type", "ChannelDtmfReceived"));
        assertEquals(2, delta("consent_recorder_ari_events_total", "type", "StasisStart"), "the caller's and the snoop's");
        // every event of the double carries Asterisk's timestamp: one lag sample per event
        assertEquals(deltaOfAll("consent_recorder_ari_events_total"), delta("consent_recorder_ari_event_lag_seconds_count"));
        String req = "consent_recorder_ari_request_duration_seconds_count";
        assertEquals(1, delta(req, "operation", "POST /recordings/live/{id}/pause", "status", "2xx"));
        assertEquals(1, delta(req, "operation", "DELETE /recordings/live/{id}/pause", "status", "2xx"));
        assertEquals(1, delta(req, "operation", "POST /channels/{id}/answer", "status", "2xx"));
        assertEquals(1, delta(req, "operation", "POST /channels/{id}/snoop", "status", "2xx"));
    }

    @Test
    void theSeriesAPauseUsesExistBeforeTheFirstCall() {
        // registered at the start, not on the trigger's or the answer's way: each is there, at zero, before any call
        for (String type : List.of("StasisStart", "ChannelDtmfReceived", "ChannelUserevent", "ChannelHangupRequest",
                "RecordingFinished", "ApplicationReplaced")) {
            assertEquals(0, before.value("consent_recorder_ari_events_total", "type", type), type);
        }
        for (String operation : AriOperation.RECORDING_CONTROLS) {
            assertEquals(0, before.value("consent_recorder_ari_request_duration_seconds_count", "operation", operation,
                    "status", "2xx"), operation);
        }
        // an event type the application does not ask Asterisk for appears only if it ever arrives
        assertTrue(before.find("consent_recorder_ari_events_total", "type", "ChannelVarset").isEmpty());
    }

    @Test
    void vertxPoolsJvmAndEventLoops() {
        assertFalse(after.find("vertx_pool_in_use", "pool_type", "sql", "pool_name", Observability.DB_POOL_NAME).isEmpty(),
                after.names().toString());
        assertFalse(after.find("jvm_memory_used_bytes", "area", "heap").isEmpty(), "JVM metrics");
        assertFalse(after.find("vertx_pool_in_use", "pool_type", "http", "pool_name", "ari").isEmpty(),
                "the ARI client's pool, not named by its address");
        // the probe times every event loop twice a second: there are samples once a second has passed
        h.asterisk.await("event-loop delay samples", () -> Http.scrape(h.app.metricsPort(), null)
                .value("consent_recorder_event_loop_delay_seconds_count") >= VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE,
                AppHarness.WAIT);
        assertFalse(after.find("vertx_http_server_requests_total").isEmpty(), "Vert.x's HTTP server metrics");
    }

    /**
     * Every metric the dashboard's queries, the alert rules and the rules' unit tests read is served
     * by /metrics (after a retention run, whose row counts appear with the first run).
     */
    @Test
    @SuppressWarnings("unchecked")
    void everySeriesTheDashboardAndTheAlertsReadIsServed() throws Exception {
        await(h.app.privacy().retention().run("metrics test"));
        Set<String> served = Http.scrape(h.app.metricsPort(), null).names();
        Map<String, Set<String>> used = new TreeMap<>();

        JsonObject dashboard = new JsonObject(Files.readString(Path.of("deploy/grafana/consent-recorder.json")));
        assertEquals("consent-recorder", dashboard.getString("uid"));
        assertEquals("datasource", dashboard.getJsonObject("templating").getJsonArray("list").getJsonObject(0)
                .getString("name"), "the data source is chosen on import");
        int queries = 0;
        for (Object o : dashboard.getJsonArray("panels")) {
            JsonObject panel = (JsonObject) o;
            assertTrue(panel.containsKey("gridPos") && panel.containsKey("title"), panel.encode());
            for (Object t : panel.getJsonArray("targets", new JsonArray())) {
                JsonObject target = (JsonObject) t;
                assertEquals("${datasource}", target.getJsonObject("datasource").getString("uid"), panel.getString("title"));
                queries++;
                for (String name : PromQl.metricNames(target.getString("expr"))) {
                    used.computeIfAbsent(name, k -> new TreeSet<>()).add("dashboard: " + panel.getString("title"));
                }
            }
        }
        Map<String, Object> rules = new Yaml().load(Files.readString(AlertRulesTest.RULES));
        for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                for (String name : PromQl.metricNames(String.valueOf(rule.get("expr")))) {
                    used.computeIfAbsent(name, k -> new TreeSet<>()).add("alert " + rule.get("alert"));
                }
            }
        }
        Map<String, Object> ruleTests = new Yaml().load(Files.readString(AlertRulesTest.RULE_TESTS));
        for (Map<String, Object> test : (List<Map<String, Object>>) ruleTests.get("tests")) {
            for (Map<String, Object> series : (List<Map<String, Object>>) test.get("input_series")) {
                String name = ((String) series.get("series")).split("\\{")[0];
                used.computeIfAbsent(name, k -> new TreeSet<>()).add("alert unit test");
            }
        }
        Map<String, Set<String>> missing = new TreeMap<>(used);
        missing.keySet().removeAll(served);
        missing.remove("up");   // Prometheus' own, per target
        assertEquals(Map.of(), missing, "read by deploy/ but not served by /metrics");
        assertTrue(queries >= 30 && used.size() >= 30, queries + " queries reading " + used.keySet());
    }

    private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
