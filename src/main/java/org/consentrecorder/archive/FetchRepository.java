package org.consentrecorder.archive;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.consentrecorder.archive.ArchiveRepository.Chunk;
import org.consentrecorder.archive.ArchiveRepository.StoredCopy;

/**
 * The writes of one fetch, on the connection that holds its locks
 * ({@link ArchiveRepository#withFetchLocks}). A separate type so that the fetch can write only
 * what a fetch writes, and the connection itself never leaves the repository's hands.
 */
final class FetchRepository {
    private final SqlConnection conn;
    private final UUID recordingId;

    FetchRepository(SqlConnection conn, UUID recordingId) {
        this.conn = conn;
        this.recordingId = recordingId;
    }

    /** Read under the locks: an erasure may have taken the recording while the fetch waited for them. */
    Future<Boolean> stillFinished() {
        return conn.preparedQuery("select state from recording where id = $1").execute(Tuple.of(recordingId))
                .map(rows -> rows.size() == 1
                        && ArchiveState.FINISHED.wire().equals(rows.iterator().next().getString(0)));
    }

    /** A fetch starts over: what an earlier, interrupted one wrote goes. */
    Future<Void> deleteChunks() {
        return conn.preparedQuery("delete from recording_chunk where recording_id = $1")
                .execute(Tuple.of(recordingId)).mapEmpty();
    }

    Future<Void> insertChunks(List<Chunk> chunks) {
        if (chunks.isEmpty()) {
            return Future.succeededFuture();
        }
        List<Tuple> batch = new ArrayList<>(chunks.size());
        for (Chunk c : chunks) {
            batch.add(Tuple.of(recordingId, c.seq(), Buffer.buffer(c.data())));
        }
        return conn.preparedQuery("insert into recording_chunk (recording_id, seq, data) values ($1, $2, $3)")
                .executeBatch(batch).mapEmpty();
    }

    /** All chunks are written: make them the recording's copy (finished → stored). False if it was not finished. */
    Future<Boolean> markStored(StoredCopy c) {
        return conn.preparedQuery("update recording set state = $13, header = $2, subject_key_id = $3, "
                        + "wrapped_data_key = $4, plaintext_bytes = $5, ciphertext_bytes = $6, plaintext_sha256 = $7, "
                        + "format_version = $8, segment_size = $9, chunk_count = $10, segments_per_chunk = $11, "
                        + "duration_ms = $12, codec = $15, codec_parameters = $16, source_sha256 = $17, "
                        + "source_bytes = $18, source_frames = $19, out_source_sha256 = $20, out_source_bytes = $21, "
                        + "last_error = null, next_attempt_at = clock_timestamp(), "
                        + "updated_at = clock_timestamp() where id = $1 and state = $14")
                .execute(Tuple.wrap(Arrays.asList(recordingId, Buffer.buffer(c.header()), c.subjectKeyId(),
                        Buffer.buffer(c.wrappedDataKey()), c.plaintextBytes(), c.ciphertextBytes(),
                        Buffer.buffer(c.plaintextSha256()), c.formatVersion(), c.segmentSize(), c.chunkCount(),
                        c.segmentsPerChunk(), c.durationMs(), ArchiveState.STORED.wire(), ArchiveState.FINISHED.wire(),
                        c.audio().codec(), c.audio().codecParameters(), Buffer.buffer(c.audio().sourceSha256()),
                        c.audio().sourceBytes(), c.audio().sourceFrames(),
                        c.audio().outSourceSha256() == null ? null : Buffer.buffer(c.audio().outSourceSha256()),
                        c.audio().outSourceBytes())))
                .map(rows -> rows.rowCount() == 1);
    }
}
