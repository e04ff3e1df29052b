package org.consentrecorder.observability;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.ari.AriConnection;
import org.consentrecorder.call.CallDirectory;
import org.consentrecorder.call.CallRegistry;

/**
 * {@code GET /health/detail}: the state of things for a person (an admin), read fresh: ARI per
 * server, the database, live calls, the archive backlog, the last retention run, subject requests
 * and the evidence check, with the problems that need attention spelt out. Counts and times only;
 * no caller, no call. Orchestrators use {@code /health/ready}; this one always answers 200.
 */
final class HealthDetail implements Handler<RoutingContext> {
    /** The thresholds the alert rules use (deploy/prometheus/alerts.yml). */
    static final Duration ARCHIVE_LAG_LIMIT = Duration.ofMinutes(10);
    static final Duration RETENTION_LIMIT = Duration.ofHours(26);
    private static final long DB_TIMEOUT_MS = 2000;

    private final java.util.Map<String, AriConnection> ari;
    private final java.util.function.Predicate<String> standingBy;
    private final OperationsRepository repository;
    private final CallDirectory calls;
    private final Duration retentionInterval;
    private final Clock clock;

    HealthDetail(java.util.Map<String, AriConnection> ari, java.util.function.Predicate<String> standingBy,
                 OperationsRepository repository, CallDirectory calls, Duration retentionInterval, Clock clock) {
        this.ari = ari;
        this.standingBy = standingBy;
        this.repository = repository;
        this.calls = calls;
        this.retentionInterval = retentionInterval;
        this.clock = clock;
    }

    @Override
    public void handle(RoutingContext ctx) {
        Future<Long> ping = repository.pingNanos().timeout(DB_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        Future<OperationsRepository.Snapshot> snapshot = repository.snapshot().timeout(DB_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        Future<Optional<OperationsRepository.RetentionRun>> lastRun =
                repository.lastRetentionRun().timeout(DB_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        Future<List<CallRegistry.LiveCall>> live = calls.liveCalls().timeout(DB_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        Future.join(ping, snapshot, lastRun, live).onComplete(done -> {
            JsonObject body = build(ping, snapshot, lastRun, live);
            ctx.response().putHeader("content-type", "application/json").putHeader("cache-control", "no-store")
                    .end(body.encodePrettily());
        });
    }

    private JsonObject build(Future<Long> ping, Future<OperationsRepository.Snapshot> snapshot,
                             Future<Optional<OperationsRepository.RetentionRun>> lastRun,
                             Future<List<CallRegistry.LiveCall>> live) {
        List<String> problems = new ArrayList<>();
        Instant now = clock.instant();

        Map<String, Long> liveByServer = new java.util.HashMap<>();
        if (live.succeeded()) {
            live.result().forEach(c -> liveByServer.merge(c.server(), 1L, Long::sum));
        }
        JsonArray servers = new JsonArray();
        ari.forEach((name, connection) -> {
            boolean standby = standingBy.test(name);
            JsonObject server = new JsonObject()
                    .put("name", name)
                    .put("url", (connection.endpoint().tls() ? "https://" : "http://") + connection.endpoint().host()
                            + ":" + connection.endpoint().port() + connection.endpoint().ariPath())
                    .put("application", connection.endpoint().application())
                    .put("state", standby ? "standby" : connection.state().name().toLowerCase())
                    .put("live_calls", liveByServer.getOrDefault(name, 0L))
                    .put("events_handled", connection.eventsHandled())
                    .put("events_dropped", connection.eventsDropped())
                    .put("events_filtered", connection.eventsFiltered());
            AriConnection.ServerInfo info = connection.server();
            if (info != null) {
                server.put("asterisk_version", info.asteriskVersion()).put("ari_version", info.reportedAriVersion())
                        .put("binding", info.binding());
            }
            if (!connection.connected() && !standby) {
                problems.add("ARI server '" + name + "' is not connected (" + connection.state().name().toLowerCase()
                        + "): its calls are not answered by the app");
            }
            servers.add(server);
        });

        JsonObject database = new JsonObject().put("state", ping.succeeded() ? "up" : "down");
        if (ping.succeeded()) {
            database.put("round_trip_ms", Math.round(ping.result() / 10_000.0) / 100.0);
        } else {
            problems.add("the database does not answer: " + ping.cause().getMessage());
        }

        JsonObject callsJson = new JsonObject().put("live", calls.liveCount());
        if (live.succeeded()) {
            callsJson.put("recording", live.result().stream().filter(c -> c.recording() && !c.paused()).count())
                    .put("paused", live.result().stream().filter(CallRegistry.LiveCall::paused).count());
        }

        JsonObject body = new JsonObject().put("checked_at", now.toString())
                .put("ari", servers)
                .put("database", database)
                .put("calls", callsJson);
        if (snapshot.succeeded()) {
            OperationsRepository.Snapshot s = snapshot.result();
            JsonObject backlog = new JsonObject();
            s.backlog().forEach(backlog::put);
            body.put("archive", new JsonObject().put("backlog", backlog)
                    .put("oldest_pending_age_seconds", s.oldestPendingSeconds() == null ? null
                            : Math.round(s.oldestPendingSeconds()))
                    .put("asterisk_copies_awaiting_deletion", s.asteriskCopiesAwaitingDeletion()));
            if (s.oldestPendingSeconds() != null && s.oldestPendingSeconds() > ARCHIVE_LAG_LIMIT.toSeconds()) {
                problems.add("a recording has waited " + Math.round(s.oldestPendingSeconds() / 60) + " min to be archived");
            }
            JsonObject open = new JsonObject();
            s.openRequests().forEach(open::put);
            JsonObject overdue = new JsonObject();
            s.overdueRequests().forEach(overdue::put);
            body.put("subject_requests", new JsonObject().put("open", open).put("overdue", overdue));
            long overdueTotal = s.overdueRequests().values().stream().mapToLong(Long::longValue).sum();
            if (overdueTotal > 0) {
                problems.add(overdueTotal + " data-subject request(s) overdue");
            }
            body.put("recorded_calls_without_evidence", s.recordedWithoutEvidence());
            if (s.recordedWithoutEvidence() > 0) {
                problems.add(s.recordedWithoutEvidence() + " call(s) recorded without a stored decision that allows it");
            }
            JsonObject retention = new JsonObject()
                    .put("interval", retentionInterval.isZero() ? "on demand only" : retentionInterval.toString())
                    .put("last_success_at", s.lastRetentionSuccess() == null ? null : s.lastRetentionSuccess().toString());
            (lastRun.succeeded() ? lastRun.result() : Optional.<OperationsRepository.RetentionRun>empty()).ifPresent(run -> retention.put("last_run", new JsonObject().put("status", run.status())
                    .put("trigger", run.trigger())
                    .put("started_at", run.startedAt() == null ? null : run.startedAt().toString())
                    .put("finished_at", run.finishedAt() == null ? null : run.finishedAt().toString())));
            body.put("retention", retention);
            Instant since = s.lastRetentionSuccess() != null ? s.lastRetentionSuccess() : s.firstRetentionRun();
            if (since != null && Duration.between(since, now).compareTo(RETENTION_LIMIT) > 0) {
                problems.add("no retention run has completed for more than " + RETENTION_LIMIT.toHours() + " h");
            }
        }
        return new JsonObject().put("status", problems.isEmpty() ? "ok" : "attention")
                .put("problems", new JsonArray(problems)).mergeIn(body);
    }
}
