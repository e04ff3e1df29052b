package org.consentrecorder.privacy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.consentrecorder.call.CallRepository;
import org.consentrecorder.store.Tx;

/**
 * Reads of the consent registry: the decisions callers made (with the words they heard), their
 * current preference and its history. The call flow writes these tables ({@link CallRepository});
 * the admin API and the subject export read them through here.
 */
public final class ConsentRegistryRepository {
    private static final String DECISION = "select d.*, v.notice_text from consent_decision d "
            + "join notice_version v on v.version = d.notice_version ";

    private final Pool pool;

    public ConsentRegistryRepository(Pool pool) {
        this.pool = pool;
    }

    /** A consent decision as stored (append-only; redacted by erasure or retention), with its notice's words. */
    public record Decision(UUID id, UUID callId, UUID supersedes, String channelId, String linkedId,
                           String callerNumber, String callerName, String callerSubject, String dialledNumber,
                           Instant noticeStartedAt, boolean noticeCompleted, Instant decidedAt, String noticeSet,
                           String language, String noticeVersion, List<String> soundUris, String keysPressed,
                           int attempts, String outcome, String lawfulBasis, String asteriskId, String decidedBy,
                           Instant writtenAt, Instant redactedAt, String redaction, String noticeText) {
        /** Every column under its name, in table order, then the notice's words. */
        public JsonObject toJson() {
            return new JsonObject().put("id", id.toString()).put("call_id", callId.toString())
                    .put("supersedes", supersedes == null ? null : supersedes.toString())
                    .put("channel_id", channelId).put("linked_id", linkedId).put("caller_number", callerNumber)
                    .put("caller_name", callerName).put("caller_subject", callerSubject)
                    .put("dialled_number", dialledNumber).put("notice_started_at", JsonTime.format(noticeStartedAt))
                    .put("notice_completed", noticeCompleted).put("decided_at", JsonTime.format(decidedAt))
                    .put("notice_set", noticeSet).put("language", language).put("notice_version", noticeVersion)
                    .put("sound_uris", new JsonArray(new ArrayList<>(soundUris))).put("keys_pressed", keysPressed)
                    .put("attempts", attempts).put("outcome", outcome).put("lawful_basis", lawfulBasis)
                    .put("asterisk_id", asteriskId).put("decided_by", decidedBy)
                    .put("written_at", JsonTime.format(writtenAt)).put("redacted_at", JsonTime.format(redactedAt))
                    .put("redaction", redaction).put("notice_text", noticeText);
        }
    }

    /** The caller's current preference ("do_not_record" or "granted"). */
    public record Preference(String preference, UUID decisionId, String source, String changedBy, Instant updatedAt) {
    }

    /** One change of the preference. */
    public record PreferenceChange(String preference, String source, String changedBy, Instant changedAt,
                                   UUID decisionId) {
    }

    /** A decision or a preference change in the caller's history; fields a kind does not have are null. */
    public record HistoryEntry(String kind, Instant at, String id, UUID callId, String value, String lawfulBasis,
                               String noticeVersion, String keysPressed, String by, String source) {
    }

    public Future<Optional<Preference>> preference(String subject) {
        return pool.preparedQuery("select preference, decision_id, source, changed_by, updated_at "
                        + "from subject_preference where subject = $1")
                .execute(Tuple.of(subject))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.<Preference>empty();
                    }
                    Row r = rows.iterator().next();
                    return Optional.of(new Preference(r.getString("preference"), r.getUUID("decision_id"),
                            r.getString("source"), r.getString("changed_by"), instant(r, "updated_at")));
                });
    }

    /** Every change of the preference, oldest first. */
    public Future<List<PreferenceChange>> preferenceHistory(String subject) {
        return pool.preparedQuery("select preference, source, changed_by, changed_at, decision_id "
                        + "from subject_preference_history where subject = $1 order by changed_at, id")
                .execute(Tuple.of(subject))
                .map(rows -> {
                    List<PreferenceChange> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new PreferenceChange(r.getString("preference"), r.getString("source"),
                                r.getString("changed_by"), instant(r, "changed_at"), r.getUUID("decision_id")));
                    }
                    return out;
                });
    }

    /** The caller's latest decision. */
    public Future<Optional<Decision>> latestDecision(String subject) {
        return pool.preparedQuery(DECISION + "where d.caller_subject = $1 order by d.decided_at desc, d.written_at desc "
                        + "limit 1")
                .execute(Tuple.of(subject))
                .map(rows -> decisions(rows).stream().findFirst());
    }

    public Future<Long> decisionCount(String subject) {
        return pool.preparedQuery("select count(*) from consent_decision where caller_subject = $1")
                .execute(Tuple.of(subject)).map(r -> r.iterator().next().getLong(0));
    }

    /** The decisions taken in a call, in the order they were made. */
    public Future<List<Decision>> decisionsOfCall(UUID callId) {
        return pool.preparedQuery(DECISION + "where d.call_id = $1 order by d.decided_at, d.written_at")
                .execute(Tuple.of(callId))
                .map(ConsentRegistryRepository::decisions);
    }

    /** The caller's decisions, and any other decision taken in one of {@code calls}, oldest first. */
    public Future<List<Decision>> decisionsOf(String subject, List<UUID> calls) {
        return pool.preparedQuery(DECISION + "where d.caller_subject = $1 or d.call_id = any($2) "
                        + "order by d.decided_at, d.written_at, d.id")
                .execute(Tuple.of(subject, (Object) calls.toArray(new UUID[0])))
                .map(ConsentRegistryRepository::decisions);
    }

    /** Decisions and preference changes, newest first, a page at a time. */
    public Future<List<HistoryEntry>> history(String subject, int limit, int offset) {
        return pool.preparedQuery("select * from ("
                        + "select 'decision' as kind, d.decided_at as at, d.id::text as id, d.call_id, "
                        + "d.outcome as value, d.lawful_basis, d.notice_version, d.keys_pressed, "
                        + "d.decided_by as by, null::text as source from consent_decision d where d.caller_subject = $1 "
                        + "union all "
                        + "select 'preference', h.changed_at, h.id::text, null, h.preference, null, null, null, "
                        + "h.changed_by, h.source from subject_preference_history h where h.subject = $1"
                        + ") x order by at desc, kind, id limit $2 offset $3")
                .execute(Tuple.of(subject, limit, offset))
                .map(rows -> {
                    List<HistoryEntry> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new HistoryEntry(r.getString("kind"), instant(r, "at"), r.getString("id"),
                                r.getUUID("call_id"), r.getString("value"), r.getString("lawful_basis"),
                                r.getString("notice_version"), r.getString("keys_pressed"), r.getString("by"),
                                r.getString("source")));
                    }
                    return out;
                });
    }

    /**
     * "Do not record" on the caller's behalf, effective from their next call, in the caller's
     * transaction (with its audit row); false when it was already on file. The call flow's
     * repository owns the preference tables' writes.
     */
    public Future<Boolean> withdraw(Tx tx, String subject, String changedBy, Instant at) {
        return CallRepository.withdrawOnRequest(tx.connection(), subject, changedBy, at);
    }

    private static List<Decision> decisions(RowSet<Row> rows) {
        List<Decision> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new Decision(r.getUUID("id"), r.getUUID("call_id"), r.getUUID("supersedes"),
                    r.getString("channel_id"), r.getString("linked_id"), r.getString("caller_number"),
                    r.getString("caller_name"), r.getString("caller_subject"), r.getString("dialled_number"),
                    instant(r, "notice_started_at"), r.getBoolean("notice_completed"), instant(r, "decided_at"),
                    r.getString("notice_set"), r.getString("language"), r.getString("notice_version"),
                    Arrays.asList(r.getArrayOfStrings("sound_uris")), r.getString("keys_pressed"),
                    r.getInteger("attempts"), r.getString("outcome"), r.getString("lawful_basis"),
                    r.getString("asterisk_id"), r.getString("decided_by"), instant(r, "written_at"),
                    instant(r, "redacted_at"), r.getString("redaction"), r.getString("notice_text")));
        }
        return out;
    }

    static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
