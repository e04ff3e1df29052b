package org.consentrecorder.privacy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.consentrecorder.crypto.SubjectKeyStore;
import org.consentrecorder.store.Transactions;
import org.consentrecorder.store.Tx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * Enforces the retention policy, on a timer and on demand. One run:
 *
 * <ol>
 *   <li>aggregates closed days into {@code daily_call_stats} first (nothing of a day is deleted
 *       before its day is aggregated);</li>
 *   <li>recordings archived longer ago than CR_RETENTION_RECORDINGS: ciphertext deleted, the row
 *       becomes an 'expired' tombstone without key material; a subject left without any audio gets
 *       its subject key destroyed (so backups of the database cannot be decrypted either). The
 *       tombstone keeps its subject until that is done, so a run killed between the two is finished
 *       by the next one;</li>
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
    private final RetentionRepository rows;
    private final Transactions transactions;
    private final SubjectKeyStore keys;
    private final PrivacySettings settings;
    private final DailyStatistics statistics;
    private final Clock clock;
    private final PrivacyCheckpoints checkpoints;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile UUID currentRun;
    private volatile Context context;
    private volatile long timer = -1;
    private volatile PrivacyMetrics metrics = PrivacyMetrics.NOOP;

    public RetentionJob(Vertx vertx, Pool pool, SubjectKeyStore keys, PrivacySettings settings,
                        DailyStatistics statistics, Clock clock) {
        this(vertx, pool, keys, settings, statistics, clock, PrivacyCheckpoints.NONE);
    }

    public RetentionJob(Vertx vertx, Pool pool, SubjectKeyStore keys, PrivacySettings settings,
                        DailyStatistics statistics, Clock clock, PrivacyCheckpoints checkpoints) {
        this.checkpoints = checkpoints;
        this.vertx = vertx;
        this.rows = new RetentionRepository(pool);
        this.transactions = new Transactions(pool);
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
                .onFailure(e -> LOG.warn("retention run failed: {}", ExternalText.forLog(e.getMessage())))));
    }

    public void stop() {
        Context c = context;
        if (c != null && timer >= 0) {
            c.runOnContext(v -> vertx.cancelTimer(timer));
        }
    }

    /** One run; fails with CONFLICT if this instance is running one already. Completes with the run's report. */
    public Future<RetentionRepository.RetentionRun> run(String trigger) {
        if (!running.compareAndSet(false, true)) {
            return Future.failedFuture(new PrivacyProblem(PrivacyProblem.Kind.CONFLICT,
                    "a retention run is in progress on this instance"));
        }
        UUID id = UUID.randomUUID();
        currentRun = id;
        Instant started = clock.instant();
        Map<String, Long> counts = new LinkedHashMap<>();
        return rows.runStarted(id, settings.instanceId(), trigger, started)
                .compose(v -> steps(counts))
                .transform(ar -> {
                    String status = ar.succeeded() ? "completed" : "failed";
                    String error = ar.failed() ? String.valueOf(ar.cause().getMessage()) : null;
                    metrics.retentionRun(ar.succeeded(), counts);
                    if (ar.failed()) {
                        LOG.error("retention run {} failed after {}: {}", id, counts, ExternalText.forLog(error));
                    } else if (counts.values().stream().anyMatch(n -> n > 0)) {
                        LOG.info("retention run {}: {}", id, counts);
                    }
                    return rows.runFinished(id, clock.instant(), status, new JsonObject(new LinkedHashMap<>(counts)),
                            error);
                })
                .eventually(() -> {
                    running.set(false);
                    return Future.succeededFuture();
                });
    }

    /** The last runs, newest first. */
    public Future<List<RetentionRepository.RetentionRun>> lastRuns(int limit, int offset) {
        return rows.lastRuns(limit, offset);
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
        // first the subjects of tombstones an interrupted run left behind (committed, key not yet dealt with)
        return rows.leftoverTombstoneSubjects()
                .compose(leftover -> destroyKeysOfSubjectsWithoutAudio(leftover, counts))
                .compose(v -> batches(tx -> rows.lockExpiredRecordings(tx, cutoff, settings.retentionBatch())
                        .compose(expiring -> {
                            List<UUID> ids = new ArrayList<>();
                            Set<String> subjects = new LinkedHashSet<>();
                            for (RetentionRepository.ExpiringRecording r : expiring) {
                                ids.add(r.id());
                                // "call:<id>" is the key of an anonymous caller's single call (ArchivePipeline.subjectOf)
                                subjects.add(r.subject() != null ? r.subject() : "call:" + r.callId());
                            }
                            return rows.deleteCiphertext(tx, ids)
                                    .compose(chunks -> rows.expire(tx, ids, clock.instant())
                                            .map(expired -> {
                                                add(counts, "recordings_expired", expired);
                                                add(counts, "ciphertext_chunks_deleted", chunks);
                                                return new Batch(expiring.size(), subjects);
                                            }));
                        }),
                batch -> destroyKeysOfSubjectsWithoutAudio(batch.subjects(), counts)));
    }

    /**
     * A subject whose last audio expired needs its key no more: destroying it covers database backups too.
     * Then its tombstones lose the subject and key id; the key goes first, so a crash in between is
     * finished by the next run ({@link RetentionRepository#leftoverTombstoneSubjects}).
     */
    private Future<Void> destroyKeysOfSubjectsWithoutAudio(Set<String> subjects, Map<String, Long> counts) {
        Future<Void> chain = Future.succeededFuture();
        for (String subject : subjects) {
            chain = chain.compose(v -> destroyIfWithoutAudio(subject).map(destroyed -> {
                if (destroyed) {
                    add(counts, "subject_keys_destroyed", 1);
                }
                return null;
            })).compose(v -> rows.releaseTombstones(subject));
        }
        return chain;
    }

    private Future<Boolean> destroyIfWithoutAudio(String subject) {
        // "call:<id>" is the key of an anonymous caller's single call (ArchivePipeline.subjectOf)
        UUID anonymousCall = subject.startsWith("call:") ? UUID.fromString(subject.substring(5)) : null;
        return transactions.underSubjectLock(subject,
                tx -> anonymousCall != null ? rows.audioLeftOfCall(tx, anonymousCall) : rows.audioLeft(tx, subject),
                audioLeft -> audioLeft ? Future.succeededFuture(false)
                        : vertx.executeBlocking(() -> keys.destroy(subject), false));
    }

    // ---- calls -----------------------------------------------------------------------------------

    private Future<Void> deleteCalls(Instant cutoff, Map<String, Long> counts) {
        counts.putIfAbsent("calls_deleted", 0L);
        counts.putIfAbsent("timeline_entries_deleted", 0L);
        counts.putIfAbsent("recording_tombstones_deleted", 0L);
        counts.putIfAbsent("call_corrections_deleted", 0L);
        return batches(tx -> rows.lockExpiredCalls(tx, cutoff, settings.retentionBatch())
                        .compose(ids -> rows.deleteTimeline(tx, ids)
                                .compose(t -> {
                                    add(counts, "timeline_entries_deleted", t);
                                    return rows.deleteCallCorrections(tx, ids);
                                })
                                .compose(c -> {
                                    add(counts, "call_corrections_deleted", c);
                                    return rows.deleteRecordingTombstones(tx, ids);
                                })
                                .compose(r -> {
                                    add(counts, "recording_tombstones_deleted", r);
                                    return rows.deleteCalls(tx, ids);
                                })
                                .map(d -> {
                                    add(counts, "calls_deleted", d);
                                    return new Batch(ids.size(), Set.of());
                                })),
                batch -> Future.succeededFuture());
    }

    // ---- evidence, preferences, pseudonyms --------------------------------------------------------

    private Future<Void> redactEvidence(Instant cutoff, Map<String, Long> counts) {
        counts.putIfAbsent("consent_decisions_redacted", 0L);
        counts.putIfAbsent("preference_history_deleted", 0L);
        counts.putIfAbsent("preferences_deleted", 0L);
        int limit = settings.retentionBatch();
        return counted(tx -> rows.redactDecisions(tx, cutoff, limit), "consent_decisions_redacted", counts)
                .compose(v -> counted(tx -> rows.deletePreferenceHistory(tx, cutoff, limit),
                        "preference_history_deleted", counts))
                .compose(v -> counted(tx -> rows.deletePreferences(tx, cutoff, limit), "preferences_deleted", counts));
    }

    /** A pseudonym links audit rows to a number; once nothing else about the number is left, it goes too. */
    private Future<Void> deleteUnusedPseudonyms(Instant cutoff, Map<String, Long> counts) {
        counts.putIfAbsent("audit_pseudonyms_deleted", 0L);
        return counted(tx -> rows.deleteUnusedPseudonyms(tx, cutoff, settings.retentionBatch()),
                "audit_pseudonyms_deleted", counts);
    }

    // ---- plumbing --------------------------------------------------------------------------------

    /** What one batch took: how many rows, and subjects to look at afterwards. */
    private record Batch(int taken, Set<String> subjects) {
    }

    /** Batches of one statement whose row count is both what it took and what it did. */
    private Future<Void> counted(Function<Tx, Future<Integer>> statement, String key, Map<String, Long> counts) {
        return batches(tx -> statement.apply(tx).map(n -> {
            add(counts, key, n);
            return new Batch(n, Set.of());
        }), b -> Future.succeededFuture());
    }

    /**
     * Runs batches, each in its own transaction, until one takes fewer rows than the batch size;
     * {@code after} runs once the batch has committed.
     */
    private Future<Void> batches(Function<Tx, Future<Batch>> batch, Function<Batch, Future<Void>> after) {
        return transactions.run(batch)
                .compose(b -> checkpoints.reached(PrivacyCheckpoints.Point.RETENTION_BATCH_COMMITTED, currentRun).map(b))
                .compose(b -> after.apply(b).compose(v ->
                b.taken() < settings.retentionBatch() ? Future.succeededFuture() : batches(batch, after)));
    }

    private static void add(Map<String, Long> counts, String key, long n) {
        counts.merge(key, n, Long::sum);
    }
}
