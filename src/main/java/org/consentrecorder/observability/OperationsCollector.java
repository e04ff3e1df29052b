package org.consentrecorder.observability;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * Gauges that only the database can answer (archive backlog, subject requests, the last
 * successful retention run, calls recorded without evidence), refreshed on a timer of their own.
 * A scrape reads the last answer and never waits for the database; a refresh that fails leaves
 * the last answer and sets {@code consent_recorder_database_up} to 0.
 */
final class OperationsCollector {
    private static final Logger LOG = LoggerFactory.getLogger(OperationsCollector.class);

    private final Vertx vertx;
    private final OperationsRepository repository;
    private final Duration interval;
    private final Instant started;
    private volatile OperationsRepository.Snapshot last;
    private volatile boolean databaseUp;
    private Future<Void> inFlight;
    private volatile long timer = -1;
    private volatile boolean stopped;
    private Context context;

    OperationsCollector(Vertx vertx, OperationsRepository repository, Duration interval, Instant started,
                        MeterRegistry registry) {
        this.vertx = vertx;
        this.repository = repository;
        this.interval = interval;
        this.started = started;
        for (String state : OperationsRepository.BACKLOG_STATES) {
            gauge(registry, "consent_recorder.archive.backlog.recordings",
                    "Recordings not archived yet, by state (finished: on Asterisk only; stored; verified)",
                    s -> s.backlog().getOrDefault(state, 0L)).tag("state", state).register(registry);
        }
        gauge(registry, "consent_recorder.archive.oldest.pending.age",
                "Age of the oldest recording not archived yet (0 when none waits)",
                s -> s.oldestPendingSeconds() == null ? 0 : s.oldestPendingSeconds()).baseUnit("seconds").register(registry);
        gauge(registry, "consent_recorder.archive.asterisk.copies.awaiting.deletion",
                "Recordings verified in the archive whose copy on Asterisk is not deleted yet",
                OperationsRepository.Snapshot::asteriskCopiesAwaitingDeletion).register(registry);
        for (String kind : OperationsRepository.REQUEST_KINDS) {
            gauge(registry, "consent_recorder.subject.requests.open", "Open data-subject requests, by kind",
                    s -> s.openRequests().getOrDefault(kind, 0L)).tag("kind", kind).register(registry);
            gauge(registry, "consent_recorder.subject.requests.overdue", "Open data-subject requests past their due date",
                    s -> s.overdueRequests().getOrDefault(kind, 0L)).tag("kind", kind).register(registry);
        }
        gauge(registry, "consent_recorder.retention.last.success.timestamp",
                "When a retention run of any instance last completed (before the first: when runs began, "
                        + "or when this instance started)", this::lastRetentionSuccess).baseUnit("seconds").register(registry);
        gauge(registry, "consent_recorder.recorded.calls.without.evidence",
                "Calls of the last " + OperationsRepository.EVIDENCE_CHECK_DAYS + " days recorded without a stored "
                        + "decision that allows recording; must stay 0",
                OperationsRepository.Snapshot::recordedWithoutEvidence).register(registry);
        gauge(registry, "consent_recorder.breaches.overdue",
                "Breaches in the register whose notification to the supervisory authority is past its 72 hours "
                        + "(GDPR Art. 33); must stay 0", OperationsRepository.Snapshot::breachesOverdue).register(registry);
        Gauge.builder("consent_recorder.database.up", this, c -> c.databaseUp ? 1 : 0)
                .description("1 when the last refresh of these gauges reached the database").register(registry);
    }

    private Gauge.Builder<OperationsCollector> gauge(MeterRegistry registry, String name, String description,
                                                     ToDoubleFunction<OperationsRepository.Snapshot> value) {
        return Gauge.builder(name, this, c -> c.last == null ? Double.NaN : value.applyAsDouble(c.last))
                .description(description);
    }

    private double lastRetentionSuccess(OperationsRepository.Snapshot s) {
        Instant at = s.lastRetentionSuccess() != null ? s.lastRetentionSuccess()
                : s.firstRetentionRun() != null ? s.firstRetentionRun() : started;
        return at.toEpochMilli() / 1000.0;
    }

    /** Refreshes now and then every interval, on {@code context}. */
    void start(Context context) {
        this.context = context;
        context.runOnContext(v -> {
            if (!stopped) {
                refresh();
                timer = vertx.setPeriodic(interval.toMillis(), t -> refresh());
            }
        });
    }

    /** From any thread, Vert.x closed or not: no refresh starts after this. */
    void stop() {
        stopped = true;
        vertx.cancelTimer(timer);
    }

    /** The last answer, or a fresh one when there is none yet. */
    Future<OperationsRepository.Snapshot> latest() {
        OperationsRepository.Snapshot s = last;
        return s != null ? Future.succeededFuture(s) : repository.snapshot();
    }

    /** One refresh, or the one still running. Runs on the collector's context. */
    Future<Void> refresh() {
        if (inFlight != null) {
            return inFlight;
        }
        if (stopped) {
            return Future.succeededFuture();
        }
        inFlight = repository.snapshot()
                .timeout(Math.max(1000, interval.toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS)
                .andThen(ar -> {
                    inFlight = null;
                    databaseUp = ar.succeeded();
                    if (ar.succeeded()) {
                        last = ar.result();
                    } else {
                        LOG.warn("metrics: the database gauges could not be refreshed: {}", ExternalText.forLog(ar.cause().getMessage()));
                    }
                })
                .mapEmpty();
        return inFlight;
    }

    /** Refreshes on the collector's context and completes when done (tests, the status page). */
    Future<Void> refreshNow() {
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        context.runOnContext(v -> refresh().onComplete(done));
        return done.future();
    }
}
