package org.consentrecorder.archive;

import ch.loway.oss.ari4java.generated.models.StoredRecording;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.consentrecorder.archive.ArchiveRepository.ConsentBehind;
import org.consentrecorder.archive.ArchiveRepository.RecordingRow;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.call.CallIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * Compares Asterisk's stored recordings with the database, at every ARI (re)connect and
 * periodically. It exists because Asterisk's list is the only way to find audio the pipeline never
 * heard of (a crash before RecordingFinished was written) and audio that should be gone but is not
 * (a failed delete). Only names this application gives (cr-&lt;call id&gt;, and cr-&lt;call id&gt;-out for the
 * second leg of a stereo call) are considered; other applications' recordings are never touched.
 * docs/archive.md lists every case.
 *
 * <p>A second leg goes with its first leg's row: it is archived with it (a first leg found unregistered
 * is registered with the second leg beside it on Asterisk), deleted when that row says the audio must
 * go, and otherwise kept and reported: a second leg whose first leg was archived alone, or that has no
 * first leg at all, is audio nobody decided about, and it is not deleted on a guess.
 */
final class Reconciliation {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciliation.class);
    private static final String DEFAULT_FORMAT = "wav";

    private final ArchiveRepository repository;
    private final RecordingQuarantine quarantine;
    private final Clock clock;

    Reconciliation(ArchiveRepository repository, RecordingQuarantine quarantine, Clock clock) {
        this.repository = repository;
        this.quarantine = quarantine;
        this.clock = clock;
    }

    /** Looks at every stored recording of {@code server} once; the count is of those it acted on (new work may be due). */
    Future<Integer> run(String server, AriClient client) {
        return client.storedRecordings().compose(stored -> {
            List<Future<Boolean>> work = new ArrayList<>();
            java.util.Set<String> names = new java.util.HashSet<>();
            stored.forEach(s -> names.add(s.getName()));
            for (StoredRecording s : stored) {
                String name = s.getName();
                String format = s.getFormat() == null ? DEFAULT_FORMAT : s.getFormat();
                if (ours(name)) {
                    work.add(reconcileOne(server, client, name, format, names.contains(name + OUT_SUFFIX)));
                } else if (secondLeg(name)) {
                    work.add(reconcileSecondLeg(server, client, name, names.contains(firstLegOf(name))));
                }
            }
            return Future.join(work).map(all -> {
                int acted = 0;
                for (int i = 0; i < all.size(); i++) {
                    if (Boolean.TRUE.equals(all.resultAt(i))) {
                        acted++;
                    }
                }
                return acted;
            });
        });
    }

    /** Exactly cr-&lt;uuid&gt;: a name with anything after the call id is not one of ours. */
    private static boolean ours(String name) {
        return name != null && CallIds.callIdOf(name).map(id -> name.equals(CallIds.PREFIX + id)).orElse(false);
    }

    private static final String OUT_SUFFIX = "-out";

    /** Exactly cr-&lt;uuid&gt;-out: the second leg of a stereo call. */
    private static boolean secondLeg(String name) {
        return name != null && CallIds.callIdOf(name).map(id -> name.equals(CallIds.outRecordingName(id))).orElse(false);
    }

    private static String firstLegOf(String secondLeg) {
        return secondLeg.substring(0, secondLeg.length() - OUT_SUFFIX.length());
    }

    private Future<Boolean> reconcileSecondLeg(String server, AriClient client, String name, boolean firstLegOnAsterisk) {
        UUID callId = CallIds.callIdOf(name).orElseThrow();
        String first = firstLegOf(name);
        return repository.findByOutName(name).compose(existing -> {
            if (existing.isPresent()) {
                return existing.get().state().asteriskCopyMustGo()
                        ? AsteriskDeletion.deleteFile(client, name)
                        : Future.succeededFuture(false);
            }
            return client.liveRecording(name).compose(live -> live.isPresent() ? Future.succeededFuture(false)
                    : repository.findByName(first).compose(row -> {
                        if (row.isEmpty()) {
                            if (!firstLegOnAsterisk) {
                                LOG.warn("archive: {} is the second leg of a call whose first leg is neither archived "
                                        + "nor on Asterisk; kept", ExternalText.forLog(name));
                            }
                            // otherwise the first leg's own reconciliation registers both
                            return Future.succeededFuture(false);
                        }
                        RecordingRow r = row.get();
                        if (r.state() == ArchiveState.FINISHED && r.outName() == null) {
                            LOG.info("archive: {} joins its first leg {}, not fetched yet, as its second leg",
                                    ExternalText.forLog(name), ExternalText.forLog(first));
                            return repository.registerFinished(server, callId, first, name, null, r.consentId(), r.subject(),
                                    r.format(), null, clock.instant()).map(true);
                        }
                        if (r.state().asteriskCopyMustGo() && r.state() != ArchiveState.ARCHIVED) {
                            // the call's audio must not exist (discarded, rejected, erased, expired): this leg neither
                            return AsteriskDeletion.deleteFile(client, name);
                        }
                        LOG.warn("archive: {} is the second leg of {} ({}), which was archived without it; kept",
                                ExternalText.forLog(name), ExternalText.forLog(first), r.state().wire());
                        return Future.succeededFuture(false);
                    }));
        });
    }

    private Future<Boolean> reconcileOne(String server, AriClient client, String name, String format,
                                         boolean secondLegOnAsterisk) {
        UUID callId = CallIds.callIdOf(name).orElseThrow();
        return repository.findByName(name).compose(existing -> {
            if (existing.isPresent()) {
                // the archive has the verified copy, or the audio must not exist: Asterisk's goes;
                // a recording still in the pipeline is the pipeline's
                return existing.get().state().asteriskCopyMustGo()
                        ? AsteriskDeletion.deleteFile(client, name)
                        : Future.succeededFuture(false);
            }
            // still being written? a live recording is not ours to touch yet
            return client.liveRecording(name).compose(live -> live.isPresent() ? Future.succeededFuture(false)
                    : repository.consentBehind(callId).compose(c -> quarantine
                            // no call in the database: nothing to judge it by, so it is kept and quarantined
                            .screen(server, client, callId, name, format, c.callKnown())
                            .compose(screened -> screened.isPresent() ? Future.succeededFuture(screened.get())
                                    : decide(server, client, name, format, callId, c, secondLegOnAsterisk))));
        });
    }

    /** A known call: its evidence says whether the audio may be archived. */
    private Future<Boolean> decide(String server, AriClient client, String name, String format, UUID callId,
                                   ConsentBehind c, boolean secondLegOnAsterisk) {
        boolean consented = c.outcome() != null && !c.withdrawn() && !c.discardedInCall()
                && c.outcome().allowsRecording(c.lawfulBasis());
        if (consented) {
            LOG.info("archive: {} found on Asterisk with consent behind it but never registered; archiving it",
                    ExternalText.forLog(name));
            // a stereo call's second leg beside it goes with it (their start offset is not known here: aligned as 0)
            return repository.registerFinished(server, callId, name, secondLegOnAsterisk ? name + OUT_SUFFIX : null, null,
                    c.consentId(), c.subject(), format, null, clock.instant()).map(true);
        }
        boolean expected = c.withdrawn() || c.discardedInCall();
        String detail = expected
                ? "recording " + name + " of a call whose consent was withdrawn was still on Asterisk; deleted"
                : "recording " + name + " on Asterisk has no consent behind it (call known, outcome "
                + (c.outcome() == null ? "none" : c.outcome().wire()) + "); deleted";
        if (!expected) {
            LOG.error("archive incident: {}", ExternalText.forLog(detail));
        } else {
            LOG.warn("archive: {}", ExternalText.forLog(detail));
        }
        return AsteriskDeletion.deleteFile(client, name)
                .compose(v -> repository.registerTerminal(server, callId, name, c.consentId(), format,
                        expected ? ArchiveState.DISCARDED : ArchiveState.REJECTED, detail, clock.instant()))
                .compose(v -> expected ? Future.succeededFuture()
                        : repository.incident("unconsented_recording_deleted", callId.toString(), detail))
                .map(true);
    }
}
