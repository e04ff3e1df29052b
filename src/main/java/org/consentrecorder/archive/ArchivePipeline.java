package org.consentrecorder.archive;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import org.consentrecorder.archive.ArchiveRepository.RecordingRow;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.ari.AriClients;
import org.consentrecorder.ari.Backoff;
import org.consentrecorder.crypto.SubjectKeyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * Moves finished recordings from Asterisk into the encrypted archive, one durable step at a time:
 * {@link IngestStep} (finished → stored, encoding on the way), {@link VerifyStep} (stored → verified),
 * {@link AsteriskDeletion} (verified → archived), and {@link Reconciliation} against Asterisk's list,
 * which hands recordings of no known call to the {@link RecordingQuarantine}.
 *
 * <p>This class is the scheduler those steps share: it claims due recordings under a lease (so
 * several instances can share one database), runs each one's remaining steps in order, and on a
 * failure pushes the next attempt out with capped exponential backoff ({@link Backoff}); the file
 * stays on Asterisk until its copy is verified. Every step can run again from its starting state,
 * so a crash anywhere loses nothing and duplicates nothing. It runs on one context.
 */
public final class ArchivePipeline {
    private static final Logger LOG = LoggerFactory.getLogger(ArchivePipeline.class);

    private final Vertx vertx;
    private final Context context;
    private final ArchiveRepository repository;
    private final AriClients ari;
    /** Servers with recordings waiting that are not configured any more: each is logged once. */
    private final Set<String> unknownServersLogged = ConcurrentHashMap.newKeySet();
    private final ArchiveSettings settings;
    private final Clock clock;
    private final Backoff backoff;
    private final WorkerExecutor workers;
    private final IngestStep ingest;
    private final VerifyStep verify;
    private final AsteriskDeletion deletion;
    private final Reconciliation reconciliation;
    private final RecordingQuarantine quarantine;
    private final Set<UUID> inFlight = ConcurrentHashMap.newKeySet();
    private final List<Long> timers = new ArrayList<>();
    private boolean pollScheduled;
    private boolean stopped;
    private volatile ArchiveMetrics metrics = ArchiveMetrics.NOOP;

    public ArchivePipeline(Vertx vertx, Context context, ArchiveRepository repository, AriClients ari,
                           SubjectKeyStore keys, ArchiveSettings settings, ArchiveCheckpoints checkpoints, Clock clock) {
        this(vertx, context, repository, ari, keys, settings, checkpoints, clock,
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /** As above, with the randomness of the retry jitter passed in. */
    public ArchivePipeline(Vertx vertx, Context context, ArchiveRepository repository, AriClients ari,
                           SubjectKeyStore keys, ArchiveSettings settings, ArchiveCheckpoints checkpoints, Clock clock,
                           DoubleSupplier random) {
        this(vertx, context, repository, ari, keys, settings, checkpoints, clock, random,
                AudioStorage.transcoding(settings.codec()));
    }

    /** As above, with the way files become stored plaintext passed in (the verification tests damage it). */
    ArchivePipeline(Vertx vertx, Context context, ArchiveRepository repository, AriClients ari,
                    SubjectKeyStore keys, ArchiveSettings settings, ArchiveCheckpoints checkpoints, Clock clock,
                    DoubleSupplier random, AudioStorage storage) {
        this.vertx = vertx;
        this.context = context;
        this.repository = repository;
        this.ari = ari;
        this.settings = settings;
        this.clock = clock;
        this.backoff = new Backoff(settings.retryMin(), settings.retryMax(), random);
        // encoding and decoding are CPU work in blocking streams: their own threads, one per recording
        // archived at once, never an event loop
        this.workers = vertx.createSharedWorkerExecutor("archive-codec", settings.concurrency());
        this.ingest = new IngestStep(vertx, context, workers, storage, repository, ari, keys, settings, checkpoints);
        this.verify = new VerifyStep(vertx, context, workers, repository, keys, checkpoints);
        this.deletion = new AsteriskDeletion(repository, ari, checkpoints);
        this.quarantine = new RecordingQuarantine(repository, ari, settings.quarantineGrace(), clock);
        this.reconciliation = new Reconciliation(repository, quarantine, clock);
    }

    /** Recordings of no known call, kept on Asterisk for compliance to decide (docs/archive.md, "Quarantine"). */
    public RecordingQuarantine quarantine() {
        return quarantine;
    }

    /** The associated data that binds a recording's ciphertext and wrapped key to its id. */
    public static byte[] associatedData(UUID recordingId) {
        return ("consent-recorder recording " + recordingId).getBytes(StandardCharsets.UTF_8);
    }

    /** Key of the subject whose recordings these are; anonymous callers get one per call. */
    public static String subjectOf(String callerSubject, UUID callId) {
        return callerSubject != null ? callerSubject : "call:" + callId;
    }

    /** Reports archived recordings and verification failures to {@code metrics} from now on. */
    public void useMetrics(ArchiveMetrics metrics) {
        this.metrics = java.util.Objects.requireNonNull(metrics);
    }

    /** The advisory lock key the fetch holds on a recording (erasure waits for it). */
    public static long lockKey(UUID id) {
        return id.getMostSignificantBits() ^ id.getLeastSignificantBits();
    }

    public void start() {
        context.runOnContext(v -> {
            timers.add(vertx.setPeriodic(settings.pollInterval().toMillis(), t -> poll()));
            timers.add(vertx.setPeriodic(settings.reconcileInterval().toMillis(), t -> reconcile()
                    .onFailure(e -> LOG.warn("archive reconciliation failed: {}", ExternalText.forLog(e.getMessage())))));
            poll();
            noteUnconfiguredServers();
        });
    }

    public void stop() {
        context.runOnContext(v -> {
            stopped = true;
            timers.forEach(vertx::cancelTimer);
            workers.close();
        });
    }

    /**
     * A consented recording ended on Asterisk server {@code server}: register it and archive it soon. With its
     * second leg when the call was recorded in stereo ({@code outName} and its start offset, else null): archived as
     * one stereo recording, both files deleted on that server once it verified.
     */
    public Future<UUID> recordingFinished(String server, UUID callId, String name, String outName, Long outOffsetMillis,
                                          UUID consentId, String subject, String format, Integer durationSeconds) {
        return repository.registerFinished(server, callId, name, outName, outOffsetMillis, consentId, subject, format,
                        durationSeconds, clock.instant())
                .onSuccess(id -> kick());
    }

    /**
     * A mono recording of a deployment of one Asterisk server under its default name
     * ({@value org.consentrecorder.ari.AriServer#DEFAULT_NAME}).
     */
    public Future<UUID> recordingFinished(UUID callId, String name, UUID consentId, String subject, String format,
                                          Integer durationSeconds) {
        return recordingFinished(org.consentrecorder.ari.AriServer.DEFAULT_NAME, callId, name, null, null, consentId,
                subject, format, durationSeconds);
    }

    /** A stereo (or mono, with null second leg) recording of a one-server deployment. */
    public Future<UUID> recordingFinished(UUID callId, String name, String outName, Long outOffsetMillis,
                                          UUID consentId, String subject, String format, Integer durationSeconds) {
        return recordingFinished(org.consentrecorder.ari.AriServer.DEFAULT_NAME, callId, name, outName, outOffsetMillis,
                consentId, subject, format, durationSeconds);
    }

    /** Look for due work now rather than at the next poll. */
    public void kick() {
        context.runOnContext(v -> {
            if (!pollScheduled && !stopped) {
                pollScheduled = true;
                vertx.setTimer(1, t -> {
                    pollScheduled = false;
                    poll();
                });
            }
        });
    }

    /**
     * Compares the stored recordings of every Asterisk server reachable from here with the database now (also done
     * periodically); the count is of recordings it acted on.
     */
    public Future<Integer> reconcile() {
        if (stopped) {
            return Future.succeededFuture(0);
        }
        List<Future<Integer>> runs = new ArrayList<>();
        for (String server : ari.servers()) {
            runs.add(reconcile(server));
        }
        return Future.join(runs).transform(ar -> {
            int acted = 0;
            for (Future<Integer> run : runs) {
                acted += run.succeeded() ? run.result() : 0;
            }
            Future<Integer> total = Future.succeededFuture(acted);
            return runs.stream().filter(Future::failed).findFirst()
                    .<Future<Integer>>map(f -> Future.failedFuture(f.cause())).orElse(total);
        }).compose(acted -> quarantine.deleteOverdue().map(deleted -> acted + deleted))
                .onComplete(ar -> noteUnconfiguredServers());
    }

    /** As {@link #reconcile()}, for one server (at its every ARI reconnect); 0 when it is not reachable from here. */
    public Future<Integer> reconcile(String server) {
        AriClient client = ari.client(server);
        if (client == null || stopped) {
            return Future.succeededFuture(0);
        }
        return reconciliation.run(server, client).onSuccess(acted -> {
            if (acted > 0) {
                kick();
            }
        });
    }

    /**
     * A recording on a server that is no longer configured is never claimed (its file can be fetched and deleted
     * only through that server): it waits, kept on that Asterisk and in the database, until the server is
     * configured again. Said once per server and process, not at every reconciliation.
     */
    private void noteUnconfiguredServers() {
        repository.serversWithPendingRecordings().onSuccess(servers -> {
            for (String server : servers) {
                if (!ari.configured(server) && unknownServersLogged.add(server)) {
                    LOG.warn("archive: recordings on ARI server '{}' are waiting to be archived, but no such server "
                            + "is configured (CR_ARI_SERVERS / CR_ARI_SERVER_NAME); they wait, kept on that Asterisk, "
                            + "until it is configured again (docs/scaling.md)", ExternalText.forLog(server));
                }
            }
        });
    }

    private void poll() {
        if (stopped || inFlight.size() >= settings.concurrency()) {
            return;
        }
        // only recordings on servers connected here: not a server that is down, held by another instance (which
        // fetches its files) or not configured any more
        List<String> reachable = ari.servers().stream().filter(s -> ari.client(s) != null).toList();
        if (reachable.isEmpty()) {
            return;
        }
        repository.claimDue(settings.concurrency() - inFlight.size(), settings.lease(), reachable).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("archive: cannot read pending recordings: {}", ExternalText.forLog(ar.cause().getMessage()));
                return;
            }
            for (RecordingRow row : ar.result()) {
                if (inFlight.add(row.id())) {
                    advance(row).onComplete(done -> {
                        inFlight.remove(row.id());
                        if (done.failed() && !(done.cause() instanceof ArchiveStopped)) {
                            retryLater(row, done.cause());
                        }
                        poll();
                    });
                }
            }
        });
    }

    /** Runs the row's remaining steps in order. */
    private Future<Void> advance(RecordingRow row) {
        return switch (row.state()) {
            case FINISHED -> ingest.run(row).compose(v -> reload(row.id())).compose(this::advance);
            // a refused copy goes back to finished and waits for the backoff like any failed step: a copy
            // refused for a reason that does not go away is retried, not fetched in a tight loop
            case STORED -> verify.run(row).onFailure(e -> {
                if (e instanceof VerifyStep.VerificationRefused) {
                    metrics.verificationFailed();
                }
            }).compose(v -> reload(row.id())).compose(this::advance);
            case VERIFIED -> deletion.run(row).onSuccess(changed -> archivedNow(row, changed)).mapEmpty();
            default -> Future.succeededFuture();
        };
    }

    private void archivedNow(RecordingRow row, boolean changed) {
        if (changed) {
            metrics.archived(row.plaintextBytes() == null ? 0 : row.plaintextBytes(),
                    java.time.Duration.between(row.finishedAt(), clock.instant()));
        }
    }

    private Future<RecordingRow> reload(UUID id) {
        return repository.find(id).map(r -> r.orElseThrow(() -> new IllegalStateException("recording " + id + " vanished")));
    }

    /** The attempt count lives in the row (claimDue counts it), so the backoff survives a restart. */
    private void retryLater(RecordingRow row, Throwable cause) {
        long delay = backoff.delay(Math.max(1, row.attempts()) - 1).toMillis();
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        LOG.warn("archive: {} ({}) not done yet, retrying in {} ms: {}", row.name(), row.state().wire(), delay,
                ExternalText.forLog(message));
        repository.failed(row.id(), message, clock.instant().plusMillis(delay))
                .onFailure(e -> LOG.warn("archive: cannot note the failure of {}: {}", row.name(), ExternalText.forLog(e.getMessage())));
        vertx.setTimer(delay + 5, t -> kick());
    }
}
