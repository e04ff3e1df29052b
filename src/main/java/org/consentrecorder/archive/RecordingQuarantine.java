package org.consentrecorder.archive;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.consentrecorder.archive.QuarantineDecision.Kind;
import org.consentrecorder.archive.QuarantinedRecording.Status;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.ari.AriClients;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * Recordings on Asterisk that belong to no call in the database. The reconciliation used to delete
 * them as unconsented; but a database restored from an older backup knows none of the calls made
 * since, consent or not, and deleting their audio would destroy what cannot be judged. So such a
 * recording is kept on Asterisk and quarantined: reported once in the log, listed here for
 * compliance, and deleted only by an explicit decision (who and why are written, append-only) or,
 * with a warning, when {@code CR_ARCHIVE_QUARANTINE_GRACE} passes without one ({@code 0}: never).
 * If its call turns up in the database again, the reconciliation handles it as usual.
 *
 * <p>The public methods are what compliance needs (the admin API wires them); errors are
 * {@link IllegalArgumentException} for bad input, {@link NoSuchElementException} for an unknown
 * name and {@link IllegalStateException} for a decision the recording's status does not allow;
 * none of them changes anything.
 */
public final class RecordingQuarantine {
    private static final Logger LOG = LoggerFactory.getLogger(RecordingQuarantine.class);
    /** {@code decided_by} of a decision the grace period made. */
    public static final String GRACE_PERIOD = "grace-period";
    static final int MAX_ACTOR = 200;
    static final int MAX_REASON = 2000;

    private final ArchiveRepository archive;
    private final QuarantineRepository repository;
    private final AriClients ari;
    private final Duration grace;
    private final Clock clock;

    RecordingQuarantine(ArchiveRepository archive, AriClients ari, Duration grace, Clock clock) {
        this.archive = archive;
        this.repository = archive.quarantine();
        this.ari = ari;
        this.grace = grace;
        this.clock = clock;
    }

    /** Quarantined recordings with one of {@code statuses} (all when empty), newest first. */
    public Future<List<QuarantinedRecording>> list(Set<Status> statuses) {
        return list(statuses, Integer.MAX_VALUE, 0);
    }

    /** One page of {@link #list(Set)}: at most {@code limit} from {@code offset}. */
    public Future<List<QuarantinedRecording>> list(Set<Status> statuses, int limit, int offset) {
        return repository.list(statuses, limit, offset, grace);
    }

    public Future<Optional<QuarantinedRecording>> find(String name) {
        return repository.find(name, grace);
    }

    /** Every decision about one recording, oldest first. */
    public Future<List<QuarantineDecision>> decisions(String name) {
        return repository.decisions(name);
    }

    /**
     * Compliance decides: delete Asterisk's copy (from {@code held} or {@code kept}) or keep it
     * (from {@code held}; it is then out of reach of the grace period). The decision is written
     * before anything is deleted; if Asterisk cannot be reached now, the answer says
     * {@code deleting} and the reconciliation finishes the deletion.
     */
    public Future<QuarantinedRecording> decide(String name, Kind kind, String decidedBy, String reason) {
        String problem = invalid(name, kind, decidedBy, reason);
        if (problem != null) {
            return Future.failedFuture(new IllegalArgumentException(problem));
        }
        Set<Status> from = kind == Kind.DELETE ? EnumSet.of(Status.HELD, Status.KEPT) : EnumSet.of(Status.HELD);
        QuarantineDecision decision = new QuarantineDecision(kind, decidedBy.strip(), reason.strip(), false, clock.instant());
        return repository.find(name, grace).compose(found -> {
            if (found.isEmpty()) {
                return Future.<Void>failedFuture(new NoSuchElementException("no quarantined recording " + name));
            }
            if (!from.contains(found.get().status())) {
                return Future.<Void>failedFuture(notAllowed(name, kind, found.get().status()));
            }
            return repository.decide(name, decision, from).compose(done -> {
                if (!done) {
                    return Future.<Void>failedFuture(new IllegalStateException("quarantined recording " + name
                            + " changed meanwhile; look at it again before deciding"));
                }
                LOG.info("archive: quarantined recording {}: {} decided by {}", ExternalText.forLog(name), kind.wire(),
                        ExternalText.forLog(decision.decidedBy()));
                return kind == Kind.DELETE ? deleteNow(found.get().server(), name) : Future.<Void>succeededFuture();
            });
        }).compose(v -> repository.find(name, grace).map(Optional::orElseThrow));
    }

    /**
     * The reconciliation found {@code name} on Asterisk without a recording row. Empty when the
     * quarantine has no say (the call is known and nothing was decided): the reconciliation then
     * decides as usual. Otherwise whether anything was done on Asterisk.
     */
    Future<Optional<Boolean>> screen(String server, AriClient client, UUID callId, String name, String format,
                                     boolean callKnown) {
        return repository.find(name, grace).compose(entry -> {
            Status status = entry.map(QuarantinedRecording::status).orElse(null);
            if (status != null && status.deletionDecided()) {
                // a decided deletion stands, whatever is learnt about the call afterwards
                return finishDeletion(client, name).map(Optional::of);
            }
            if (callKnown) {
                return status != null && status.open()
                        ? repository.release(name).map(released -> {
                            if (released) {
                                LOG.info("archive: the call of quarantined recording {} is in the database again; "
                                        + "it is reconciled as usual", ExternalText.forLog(name));
                            }
                            return Optional.<Boolean>empty();
                        })
                        : Future.succeededFuture(Optional.empty());
            }
            if (status != null && status.open()) {
                return Future.succeededFuture(Optional.of(false));
            }
            return repository.hold(server, name, callId, format, clock.instant()).map(held -> {
                if (held) {
                    String automatically = grace.isZero() ? "never deleted automatically" : "deleted automatically after "
                            + clock.instant().plus(grace).truncatedTo(ChronoUnit.SECONDS) + " otherwise";
                    LOG.warn("archive: recording {} on Asterisk belongs to no call in the database (a database restored "
                            + "from an older backup?); quarantined: kept on Asterisk for compliance to decide, {}",
                            ExternalText.forLog(name), automatically);
                }
                return Optional.of(false);
            });
        });
    }

    /**
     * Deletes what was held longer than the grace period without a decision, with a warning each;
     * a recording whose call is known again is released instead. The count is of deletions decided.
     */
    Future<Integer> deleteOverdue() {
        if (grace.isZero()) {
            return Future.succeededFuture(0);
        }
        return repository.heldSince(clock.instant().minus(grace), grace).compose(overdue -> {
            Future<Integer> chain = Future.succeededFuture(0);
            for (QuarantinedRecording q : overdue) {
                // only through the server that holds the file; one not reachable from here waits
                AriClient client = ari.client(q.server());
                if (client != null) {
                    chain = chain.compose(n -> deleteOverdue(client, q).map(deleted -> deleted ? n + 1 : n));
                }
            }
            return chain;
        });
    }

    private Future<Boolean> deleteOverdue(AriClient client, QuarantinedRecording q) {
        return archive.consentBehind(q.callId()).compose(c -> {
            if (c.callKnown()) {
                return repository.release(q.name()).map(false);
            }
            QuarantineDecision decision = new QuarantineDecision(Kind.DELETE, GRACE_PERIOD,
                    "no decision within the grace period of " + describe(grace), true,
                    clock.instant());
            return repository.decide(q.name(), decision, EnumSet.of(Status.HELD)).compose(decided -> {
                if (!decided) {
                    return Future.succeededFuture(false);
                }
                LOG.warn("archive: quarantined recording {} deleted on Asterisk: nobody decided within the grace period "
                        + "of {} (found {})", ExternalText.forLog(q.name()), describe(grace), q.foundAt());
                return finishDeletion(client, q.name()).map(true);
            });
        });
    }

    private Future<Void> deleteNow(String server, String name) {
        AriClient client = ari.client(server);
        if (client == null) {
            LOG.warn("archive: ARI server '{}' is not connected here; quarantined recording {} is deleted at its next "
                    + "reconciliation", server, ExternalText.forLog(name));
            return Future.succeededFuture();
        }
        return finishDeletion(client, name).<Void>mapEmpty().recover(e -> {
            LOG.warn("archive: quarantined recording {} not deleted yet ({}); the reconciliation retries",
                    ExternalText.forLog(name),
                    ExternalText.forLog(e.getMessage()));
            return Future.succeededFuture();
        });
    }

    /** True when the file was still on Asterisk. */
    private Future<Boolean> finishDeletion(AriClient client, String name) {
        return AsteriskDeletion.deleteFile(client, name)
                .compose(wasThere -> repository.deleted(name, clock.instant()).map(wasThere));
    }

    /** As the setting is written: 30d, 12h, 90m, 45s, 500ms. */
    static String describe(Duration d) {
        long ms = d.toMillis();
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (ms % units[i] == 0 && ms > 0) {
                return ms / units[i] + names[i];
            }
        }
        return ms + "ms";
    }

    private static String invalid(String name, Kind kind, String decidedBy, String reason) {
        if (name == null || name.isBlank()) {
            return "name is required";
        }
        if (kind == null) {
            return "decision is required (delete or keep)";
        }
        if (decidedBy == null || decidedBy.isBlank() || decidedBy.length() > MAX_ACTOR) {
            return "decided_by is required (at most " + MAX_ACTOR + " characters)";
        }
        if (decidedBy.strip().equals(GRACE_PERIOD)) {
            return "decided_by '" + GRACE_PERIOD + "' is reserved for the grace period";
        }
        if (reason == null || reason.isBlank() || reason.length() > MAX_REASON) {
            return "a reason is required (at most " + MAX_REASON + " characters)";
        }
        return null;
    }

    private static IllegalStateException notAllowed(String name, Kind kind, Status status) {
        String why = switch (status) {
            case KEPT -> "it is already kept";
            case DELETING, DELETED -> "its deletion was already decided";
            case RELEASED -> "its call is in the database again; it is no longer quarantined";
            case HELD -> "it is held";
        };
        return new IllegalStateException("cannot " + kind.wire() + " quarantined recording " + name + ": " + why);
    }
}
