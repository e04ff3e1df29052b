package org.consentrecorder.admin;

import org.consentrecorder.archive.ArchiveState;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.consentrecorder.privacy.RestrictionRepository;

/**
 * The operators' view of recordings: list and metadata (the audio itself comes from the archive).
 * It reads the archive's {@code recording} table; the query lives here, beside its routes.
 */
public final class RecordingSearchRepository {
    private static final String COLUMNS = "select id, call_id, consent_id, subject as caller, format, state, "
            + "duration_seconds, plaintext_bytes, finished_at, archived_at, codec, server, "
            + RestrictionRepository.restricted("recording.call_id", "recording.subject") + " as restricted";

    private final Pool pool;

    public RecordingSearchRepository(Pool pool) {
        this.pool = pool;
    }

    /** Search filters; null means "any". {@code after} continues a page (newest first). */
    public record Filter(UUID callId, String subject, Instant from, Instant to, Cursor after) {
    }

    /** A recording's metadata as operators see it. */
    public record RecordingInfo(UUID id, UUID callId, UUID consentId, String caller, String format, String state,
                                Integer durationSeconds, Long plaintextBytes, Instant finishedAt, Instant archivedAt,
                                String codec, boolean restricted, String server) {
        /** Only a verified or archived recording has audio to play. */
        public boolean playable() {
            return state != null && ArchiveState.fromWire(state).playable();
        }
    }

    /** Up to {@code limit} recordings, newest first. */
    public Future<List<RecordingInfo>> search(Filter f, int limit) {
        List<Object> params = Arrays.asList(f.callId(), f.subject(), CallSearchRepository.ts(f.from()),
                CallSearchRepository.ts(f.to()), f.after() == null ? null : f.after().time(),
                f.after() == null ? null : f.after().id(), limit);
        return pool.preparedQuery(COLUMNS + " from recording "
                        + "where ($1::uuid is null or call_id = $1) and ($2::text is null or subject = $2) "
                        + "and ($3::timestamptz is null or finished_at >= $3) "
                        + "and ($4::timestamptz is null or finished_at < $4) "
                        + "and ($5::timestamptz is null or (finished_at, id) < ($5, $6::uuid)) "
                        + "order by finished_at desc, id desc limit $7")
                .execute(Tuple.wrap(params))
                .map(RecordingSearchRepository::recordings);
    }

    public Future<Optional<RecordingInfo>> find(UUID id) {
        return pool.preparedQuery(COLUMNS + " from recording where id = $1").execute(Tuple.of(id))
                .map(rows -> recordings(rows).stream().findFirst());
    }

    /** The call's recording, if it has one (a call has at most one). */
    public Future<Optional<RecordingInfo>> ofCall(UUID callId) {
        return pool.preparedQuery(COLUMNS + " from recording where call_id = $1").execute(Tuple.of(callId))
                .map(rows -> recordings(rows).stream().findFirst());
    }

    private static List<RecordingInfo> recordings(RowSet<Row> rows) {
        List<RecordingInfo> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new RecordingInfo(r.getUUID("id"), r.getUUID("call_id"), r.getUUID("consent_id"),
                    r.getString("caller"), r.getString("format"), r.getString("state"), r.getInteger("duration_seconds"),
                    r.getLong("plaintext_bytes"), CallSearchRepository.instant(r, "finished_at"),
                    CallSearchRepository.instant(r, "archived_at"), r.getString("codec"), r.getBoolean("restricted"),
                    r.getString("server")));
        }
        return out;
    }
}
