package org.consentrecorder.privacy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.consentrecorder.crypto.SubjectKeyStore;
import org.consentrecorder.store.SubjectLocks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces the retention policy, on a timer and on demand. One run:
 *
 * <ol>
 *   <li>aggregates closed days into {@code daily_call_stats} first (nothing of a day is deleted
 *       before its day is aggregated);</li>
 *   <li>recordings archived longer ago than CR_RETENTION_RECORDINGS: ciphertext deleted, the row
 *       becomes an 'expired' tombstone without key material; a subject left without any audio gets
 *       its subject key destroyed (so backups of the database cannot be decrypted either);</li>
 *   <li>calls older than CR_RETENTION_CALLS: pause timeline, recording tombstone and call row deleted;</li>
 *   <li>consent evidence older than CR_RETENTION_EVIDENCE: caller number, name, subject and channel
 *       ids redacted (the decision, its time, notice and lawful basis stay); preference rows and
 *       history older than that deleted; audit pseudonyms nobody uses any more deleted.</li>
 * </ol>
 *
 * Every batch is its own transaction and takes its rows with {@code FOR UPDATE SKIP LOCKED LIMIT n}
 * and a condition the batch itself makes false, so instances sharing the database never handle a
 * row twice and their reports add up. Rows under legal hold are skipped. Each run is a
 * {@code retention_run} row with its counts.
 */
public final class RetentionJob {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);

    private final Vertx vertx;
    private final Pool pool;
    private final SubjectKeyStore keys;
    private final PrivacySettings settings;
    private final DailyStatistics statistics;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Context context;
    private volatile long timer = -1;
    private volatile PrivacyMetrics metrics = PrivacyMetrics.NOOP;

    public RetentionJob(Vertx vertx, Pool pool, SubjectKeyStore keys, PrivacySettings settings,
                        DailyStatistics statistics, Clock clock) {
        this.vertx = vertx;
        this.pool = pool;
        this.keys = keys;
        this.settings = settings;
        this.statistics = statistics;
        this.clock = clock;
    }

    /** Reports every run of this instance to {@code metrics} from now on. */
    public void useMetrics(PrivacyMetrics metrics) {
        this.metrics = java.util.Objects.requireNonNull(metrics);
    }

    /** Schedules runs every CR_RETENTION_INTERVAL on {@code context} (0: only on demand). */
    public void start(Context context) {
        this.context = context;
        Duration interval = settings.retentionInterval();
        if (interval.isZero()) {
            LOG.info("retention: CR_RETENTION_INTERVAL=0, runs only on demand");
            return;
        }
        context.runOnContext(v -> timer = vertx.setPeriodic(interval.toMillis(), t -> run("schedule")
                .onFailure(e -> LOG.warn("retention run failed: {}", e.getMessage()))));
    }

    public void stop() {
        Context c = context;
        if (c != null && timer >= 0) {
            c.runOnContext(v -> vertx.cancelTimer(timer));
        }
    }

    /** One run; fails with CONFLICT if this instance is running one already. Completes with the run's row. */
    public Future<JsonObject> run(String trigger) {
        if (!running.compareAndSet(false, true)) {
            return Future.failedFuture(new PrivacyProblem(PrivacyProblem.Kind.CONFLICT,
                    "a retention run is in progress on this instance"));
        }
        UUID id = UUID.randomUUID();
        Instant started = clock.instant();
        Map<String, Long> counts = new LinkedHashMap<>();
        return pool.preparedQuery("insert into retention_run (id, instance_id, trigger, started_at, status) "
                        + "values ($1, $2, $3, $4, 'running')")
                .execute(Tuple.of(id, settings.instanceId(), trigger, PrivacyRequests.ts(started)))
                .compose(v -> steps(counts))
                .transform(ar -> {
                    String status = ar.succeeded() ? "completed" : "failed";
                    String error = ar.failed() ? String.valueOf(ar.cause().getMessage()) : null;
                    metrics.retentionRun(ar.succeeded(), counts);
                    if (ar.failed()) {
                        LOG.error("retention run {} failed after {}: {}", id, counts, error);
                    } else if (counts.values().stream().anyMatch(n -> n > 0)) {
                        LOG.info("retention run {}: {}", id, counts);
                    }
                    return pool.preparedQuery("update retention_run set finished_at = $2, status = $3, counts = $4, "
                                    + "error = $5 where id = $1 returning *")
                            .execute(Tuple.of(id, PrivacyRequests.ts(clock.instant()), status,
                                    new JsonObject(new LinkedHashMap<>(counts)), error))
                            .map(rows -> RowJson.row(rows.iterator().next()));
                })
                .eventually(() -> {
                    running.set(false);
                    return Future.succeededFuture();
                });
    }

    private Future<Void> steps(Map<String, Long> counts) {
        PrivacySettings.RetentionPolicy p = settings.retention();
        Instant now = clock.instant();
        return aggregateDays(counts)
                .compose(v -> p.recordings().map(d -> expireRecordings(now.minus(d), counts))
                        .orElse(Future.succeededFuture()))
                .compose(v -> p.calls().map(d -> deleteCalls(now.minus(d), counts)).orElse(Future.succeededFuture()))
                .compose(v -> p.evidence().map(d -> redactEvidence(now.minus(d), counts)).orElse(Future.succeededFuture()))
                .compose(v -> p.calls().map(d -> deleteUnusedPseudonyms(now.minus(d), counts))
                        .orElse(Future.succeededFuture()));
    }

    /** Closed days first, batch after batch, so that nothing below is deleted unaggregated. */
    private Future<Void> aggregateDays(Map<String, Long> counts) {
        counts.putIfAbsent("days_aggregated", 0L);
        return statistics.aggregateClosedDays(settings.retentionBatch()).compose(days -> {
            add(counts, "days_aggregated", days);
            return days < settings.retentionBatch() ? Future.succeededFuture() : aggregateDays(counts);
        });
    }

    // ---- recordings ------------------------------------------------------------------------------

    private Future<Void> expireRecordings(Instant cutoff, Map<String, Long> counts) {
        counts.putIfAbsent("recordings_expired", 0L);
        counts.putIfAbsent("ciphertext_chunks_deleted", 0L);
        counts.putIfAbsent("subject_keys_destroyed", 0L);
        return batches(tx -> tx.preparedQuery("select id, call_id, subject from recording r where r.state = 'archived' "
                                + "and r.finished_at < $1 and not " + LegalHolds.held("r.call_id", "r.subject")
                                + " order by r.finished_at limit $2 for update skip locked")
                        .execute(Tuple.of(PrivacyRequests.ts(cutoff), settings.retentionBatch()))
                        .compose(rows -> {
                            List<UUID> ids = new ArrayList<>();
                            Set<String> subjects = new LinkedHashSet<>();
                            for (Row r : rows) {
                                ids.add(r.getUUID("id"));
                                subjects.add(r.getString("subject") != null ? r.getString("subject")
                                        : "call:" + r.getUUID("call_id"));
                            }
                            Object idArg = ids.toArray(new UUID[0]);
                            return tx.preparedQuery("delete from recording_chunk where recording_id = any($1)")
                                    .execute(Tuple.of(idArg))
                                    .compose(chunks -> tx.preparedQuery("update recording set state = 'expired', "
                                                    + "subject = null, header = null, wrapped_data_key = null, "
                                                    + "subject_key_id = null, plaintext_sha256 = null, "
                                                    + "last_error = 'expired by retention', next_attempt_at = 'infinity', "
                                                    + "removed_at = $2, updated_at = clock_timestamp() where id = any($1)")
                                            .execute(Tuple.of(idArg, PrivacyRequests.ts(clock.instant())))
                                            .map(updated -> {
                                                add(counts, "recordings_expired", updated.rowCount());
                                                add(counts, "ciphertext_chunks_deleted", chunks.rowCount());
                                                return new Batch(rows.size(), subjects);
                                            }));
                        }),
                batch -> destroyKeysOfSubjectsWithoutAudio(batch.subjects(), counts));
    }

    /** A subject whose last audio expired needs its key no more: destroying it covers database backups too. */
    private Future<Void> destroyKeysOfSubjectsWithoutAudio(Set<String> subjects, Map<String, Long> counts) {
        Future<Void> chain = Future.succeededFuture();
        for (String subject : subjects) {
            chain = chain.compose(v -> destroyIfWithoutAudio(subject).map(destroyed -> {
                if (destroyed) {
                    add(counts, "subject_keys_destroyed", 1);
                }
                return null;
            }));
        }
        return chain;
    }

    private Future<Boolean> destroyIfWithoutAudio(String subject) {
        // "call:<id>" is the key of an anonymous caller's single call (ArchivePipeline.subjectOf)
        Optional<UUID> anonymousCall = subject.startsWith("call:")
                ? Optional.of(UUID.fromString(subject.substring(5))) : Optional.empty();
        String audioLeft = "select exists (select 1 from recording where " + (anonymousCall.isPresent()
                ? "call_id = $1::uuid" : "subject = $1") + " and state in " + Erasure.LIVE_AUDIO_STATES + ")";
        Object arg = anonymousCall.isPresent() ? anonymousCall.get() : subject;
        return pool.getConnection().compose(conn -> SubjectLocks.lockExclusive(conn, subject)
                .compose(v -> conn.preparedQuery(audioLeft).execute(Tuple.of(arg)))
                .compose(rows -> rows.iterator().next().getBoolean(0) ? Future.succeededFuture(false)
                        : vertx.executeBlocking(() -> keys.destroy(subject), false))
                .eventually(() -> SubjectLocks.unlockExclusive(conn, subject))
                .eventually(conn::close));
    }

    // ---- calls -----------------------------------------------------------------------------------

    private Future<Void> deleteCalls(Instant cutoff, Map<String, Long> counts) {
        counts.putIfAbsent("calls_deleted", 0L);
        counts.putIfAbsent("timeline_entries_deleted", 0L);
        counts.putIfAbsent("recording_tombstones_deleted", 0L);
        return batches(tx -> tx.preparedQuery("select c.id from call c where c.started_at < $1 "
                                // never before the day is in the statistics
                                + "and exists (select 1 from daily_call_stats s "
                                + "where s.day = (c.started_at at time zone 'UTC')::date) "
                                + "and not " + LegalHolds.held("c.id", "c.caller_subject") + " "
                                + "and not exists (select 1 from recording r where r.call_id = c.id and r.state in "
                                + Erasure.LIVE_AUDIO_STATES + ") order by c.started_at limit $2 for update skip locked")
                        .execute(Tuple.of(PrivacyRequests.ts(cutoff), settings.retentionBatch()))
                        .compose(rows -> {
                            List<UUID> ids = new ArrayList<>();
                            rows.forEach(r -> ids.add(r.getUUID(0)));
                            Object idArg = ids.toArray(new UUID[0]);
                            return tx.preparedQuery("delete from recording_timeline where call_id = any($1)")
                                    .execute(Tuple.of(idArg))
                                    .compose(t -> {
                                        add(counts, "timeline_entries_deleted", t.rowCount());
                                        return tx.preparedQuery("delete from recording where call_id = any($1)")
                                                .execute(Tuple.of(idArg));
                                    })
                                    .compose(r -> {
                                        add(counts, "recording_tombstones_deleted", r.rowCount());
                                        return tx.preparedQuery("delete from call where id = any($1)")
                                                .execute(Tuple.of(idArg));
                                    })
                                    .map(d -> {
                                        add(counts, "calls_deleted", d.rowCount());
                                        return new Batch(rows.size(), Set.of());
                                    });
                        }),
                batch -> Future.succeededFuture());
    }

    // ---- evidence, preferences, pseudonyms --------------------------------------------------------

    private Future<Void> redactEvidence(Instant cutoff, Map<String, Long> counts) {
        counts.putIfAbsent("consent_decisions_redacted", 0L);
        counts.putIfAbsent("preference_history_deleted", 0L);
        counts.putIfAbsent("preferences_deleted", 0L);
        Tuple args = Tuple.of(PrivacyRequests.ts(cutoff), settings.retentionBatch());
        return batches(tx -> tx.query("set local consent_recorder.redaction = 'on'").execute()
                        .compose(v -> tx.preparedQuery("update consent_decision d set caller_number = null, "
                                        + "caller_name = null, caller_subject = null, channel_id = 'redacted', "
                                        + "linked_id = null, redacted_at = clock_timestamp(), redaction = 'retention' "
                                        + "where d.id in (select e.id from consent_decision e where e.redacted_at is null "
                                        + "and e.decided_at < $1 and not " + LegalHolds.held("e.call_id", "e.caller_subject")
                                        + " order by e.decided_at limit $2 for update skip locked)")
                                .execute(args))
                        .map(r -> {
                            add(counts, "consent_decisions_redacted", r.rowCount());
                            return new Batch(r.rowCount(), Set.of());
                        }),
                b -> Future.succeededFuture())
                .compose(v -> batches(tx -> tx.preparedQuery("delete from subject_preference_history h where h.id in "
                                        + "(select x.id from subject_preference_history x where x.changed_at < $1 "
                                        + "and not " + LegalHolds.held("null::uuid", "x.subject")
                                        + " order by x.changed_at limit $2 for update skip locked)")
                                .execute(args)
                                .map(r -> {
                                    add(counts, "preference_history_deleted", r.rowCount());
                                    return new Batch(r.rowCount(), Set.of());
                                }),
                        b -> Future.succeededFuture()))
                .compose(v -> batches(tx -> tx.preparedQuery("delete from subject_preference p where p.subject in "
                                        + "(select x.subject from subject_preference x where x.updated_at < $1 "
                                        + "and not " + LegalHolds.held("null::uuid", "x.subject")
                                        + " order by x.updated_at limit $2 for update skip locked)")
                                .execute(args)
                                .map(r -> {
                                    add(counts, "preferences_deleted", r.rowCount());
                                    return new Batch(r.rowCount(), Set.of());
                                }),
                        b -> Future.succeededFuture()));
    }

    /** A pseudonym links audit rows to a number; once nothing else about the number is left, it goes too. */
    private Future<Void> deleteUnusedPseudonyms(Instant cutoff, Map<String, Long> counts) {
        counts.putIfAbsent("audit_pseudonyms_deleted", 0L);
        return batches(tx -> tx.preparedQuery("delete from subject_pseudonym p where p.subject in (select x.subject "
                                + "from subject_pseudonym x where x.last_used_at < $1 "
                                + "and not exists (select 1 from call where caller_subject = x.subject) "
                                + "and not exists (select 1 from consent_decision where caller_subject = x.subject) "
                                + "and not exists (select 1 from recording where subject = x.subject) "
                                + "and not exists (select 1 from subject_preference where subject = x.subject) "
                                + "and not exists (select 1 from subject_preference_history where subject = x.subject) "
                                + "and not exists (select 1 from privacy_request where subject = x.subject) "
                                + "and not exists (select 1 from legal_hold where subject = x.subject) "
                                + "order by x.last_used_at limit $2 for update skip locked)")
                        .execute(Tuple.of(PrivacyRequests.ts(cutoff), settings.retentionBatch()))
                        .map(r -> {
                            add(counts, "audit_pseudonyms_deleted", r.rowCount());
                            return new Batch(r.rowCount(), Set.of());
                        }),
                b -> Future.succeededFuture());
    }

    // ---- plumbing --------------------------------------------------------------------------------

    /** What one batch took: how many rows, and subjects to look at afterwards. */
    private record Batch(int taken, Set<String> subjects) {
    }

    /**
     * Runs batches, each in its own transaction, until one takes fewer rows than the batch size;
     * {@code after} runs once the batch has committed.
     */
    private Future<Void> batches(Function<SqlConnection, Future<Batch>> batch, Function<Batch, Future<Void>> after) {
        return pool.withTransaction(batch::apply).compose(b -> after.apply(b).compose(v ->
                b.taken() < settings.retentionBatch() ? Future.succeededFuture() : batches(batch, after)));
    }

    private static void add(Map<String, Long> counts, String key, long n) {
        counts.merge(key, n, Long::sum);
    }

    /** The last runs, newest first. */
    public Future<List<JsonObject>> lastRuns(int limit, int offset) {
        return pool.preparedQuery("select * from retention_run order by started_at desc, id limit $1 offset $2")
                .execute(Tuple.of(limit, offset))
                .map(rows -> {
                    List<JsonObject> out = new ArrayList<>();
                    rows.forEach(r -> out.add(RowJson.row(r)));
                    return out;
                });
    }
}
