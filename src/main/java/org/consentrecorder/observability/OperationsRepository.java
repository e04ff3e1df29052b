package org.consentrecorder.observability;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The few aggregate reads that the gauges and the status page need: archive backlog, subject
 * requests, retention runs and the evidence check. One round trip, counts only, no personal data;
 * every count uses an index (recording_pending, privacy_request_due, call_started).
 */
final class OperationsRepository {
    static final List<String> BACKLOG_STATES = List.of("finished", "stored", "verified");
    static final List<String> REQUEST_KINDS = List.of("access", "erasure");
    /** How far back the evidence check looks: far enough to catch anything, near enough to stay cheap. */
    static final int EVIDENCE_CHECK_DAYS = 7;

    /** A decision that allows recording (Outcome.allowsRecording, as SQL). */
    private static final String ALLOWS_RECORDING = "(d.outcome = 'granted' or (d.outcome = 'no_response' "
            + "and d.lawful_basis = 'legitimate_interest'))";

    private static final String SNAPSHOT = "select "
            + "(select count(*) from recording where state = 'finished') as finished, "
            + "(select count(*) from recording where state = 'stored') as stored, "
            + "(select count(*) from recording where state = 'verified') as verified, "
            + "(select extract(epoch from clock_timestamp() - min(finished_at))::float8 from recording "
            + "  where state in ('finished', 'stored', 'verified')) as oldest_pending_seconds, "
            + "(select count(*) from privacy_request where status = 'open' and kind = 'access') as open_access, "
            + "(select count(*) from privacy_request where status = 'open' and kind = 'erasure') as open_erasure, "
            + "(select count(*) from privacy_request where status = 'open' and kind = 'access' "
            + "  and due_at < clock_timestamp()) as overdue_access, "
            + "(select count(*) from privacy_request where status = 'open' and kind = 'erasure' "
            + "  and due_at < clock_timestamp()) as overdue_erasure, "
            + "(select max(finished_at) from retention_run where status = 'completed') as last_retention_success, "
            + "(select min(started_at) from retention_run) as first_retention_run, "
            + "(select count(*) from call c where c.started_at > clock_timestamp() - interval '" + EVIDENCE_CHECK_DAYS
            + " days' and c.recording_name is not null and not exists (select 1 from consent_decision d "
            + "  where d.id = c.consent_id and " + ALLOWS_RECORDING + ")) as recorded_without_evidence, "
            + "(select count(*) from breach where " + org.consentrecorder.privacy.BreachRepository.OVERDUE
            + ") as breaches_overdue";

    private static final String LAST_RUN = "select status, trigger, started_at, finished_at from retention_run "
            + "order by started_at desc limit 1";

    /** What the database says, at one moment. */
    record Snapshot(Map<String, Long> backlog, Double oldestPendingSeconds, Map<String, Long> openRequests,
                    Map<String, Long> overdueRequests, Instant lastRetentionSuccess, Instant firstRetentionRun,
                    long recordedWithoutEvidence, long breachesOverdue) {

        /** Verified copies: safe in the archive, Asterisk's copy not deleted yet. */
        long asteriskCopiesAwaitingDeletion() {
            return backlog.getOrDefault("verified", 0L);
        }
    }

    /** The latest retention run of any instance. */
    record RetentionRun(String status, String trigger, Instant startedAt, Instant finishedAt) {
    }

    private final Pool pool;

    OperationsRepository(Pool pool) {
        this.pool = pool;
    }

    Future<Snapshot> snapshot() {
        return pool.query(SNAPSHOT).execute().map(rows -> {
            Row r = rows.iterator().next();
            Map<String, Long> backlog = new LinkedHashMap<>();
            for (String state : BACKLOG_STATES) {
                backlog.put(state, r.getLong(state));
            }
            Map<String, Long> open = new LinkedHashMap<>();
            Map<String, Long> overdue = new LinkedHashMap<>();
            for (String kind : REQUEST_KINDS) {
                open.put(kind, r.getLong("open_" + kind));
                overdue.put(kind, r.getLong("overdue_" + kind));
            }
            return new Snapshot(backlog, r.getDouble("oldest_pending_seconds"), open, overdue,
                    instant(r.getOffsetDateTime("last_retention_success")),
                    instant(r.getOffsetDateTime("first_retention_run")), r.getLong("recorded_without_evidence"),
                    r.getLong("breaches_overdue"));
        });
    }

    Future<Optional<RetentionRun>> lastRetentionRun() {
        return pool.query(LAST_RUN).execute().map(rows -> {
            if (rows.size() == 0) {
                return Optional.empty();
            }
            Row r = rows.iterator().next();
            return Optional.of(new RetentionRun(r.getString("status"), r.getString("trigger"),
                    instant(r.getOffsetDateTime("started_at")), instant(r.getOffsetDateTime("finished_at"))));
        });
    }

    /** Round trip to the database: the time {@code select 1} takes. */
    Future<Long> pingNanos() {
        long started = System.nanoTime();
        return pool.query("select 1").execute().map(rows -> System.nanoTime() - started);
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
