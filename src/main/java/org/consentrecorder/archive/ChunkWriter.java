package org.consentrecorder.archive;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.consentrecorder.archive.ArchiveRepository.Chunk;

/**
 * Collects sealed STREAM segments into chunk rows of a fixed number of segments, so memory holds
 * at most one chunk row (plus what arrived while it was written) whatever the recording's size.
 * Segments are added and rows taken on the encoding thread; only the insert runs on the context.
 */
final class ChunkWriter {
    private final FetchRepository session;
    private final int segmentsPerChunk;
    private final List<byte[]> pending = new ArrayList<>();
    private int nextSeq;

    ChunkWriter(FetchRepository session, int segmentsPerChunk) {
        this.session = session;
        this.segmentsPerChunk = segmentsPerChunk;
    }

    void add(List<byte[]> segments) {
        pending.addAll(segments);
    }

    boolean hasFullChunks() {
        return pending.size() >= segmentsPerChunk;
    }

    int chunksWritten() {
        return nextSeq;
    }

    /**
     * Every full chunk row, assembled (a copy of up to a row's size each) and numbered; a partial one waits for more
     * segments. Called on the encoding thread, so the copying stays off the pipeline's event loop.
     */
    List<Chunk> takeFull() {
        List<Chunk> batch = new ArrayList<>();
        while (pending.size() >= segmentsPerChunk) {
            batch.add(chunk(segmentsPerChunk));
        }
        return batch;
    }

    /** At the end of the stream: what is left, the last row possibly short. */
    List<Chunk> takeAll() {
        List<Chunk> batch = new ArrayList<>();
        while (!pending.isEmpty()) {
            batch.add(chunk(Math.min(segmentsPerChunk, pending.size())));
        }
        return batch;
    }

    /** Writes rows taken above; on the pipeline's context. */
    Future<Void> insert(List<Chunk> batch) {
        return session.insertChunks(batch);
    }

    private Chunk chunk(int segments) {
        int size = 0;
        for (int i = 0; i < segments; i++) {
            size += pending.get(i).length;
        }
        byte[] data = new byte[size];
        int at = 0;
        for (int i = 0; i < segments; i++) {
            byte[] segment = pending.remove(0);
            System.arraycopy(segment, 0, data, at, segment.length);
            at += segment.length;
        }
        return new Chunk(nextSeq++, data);
    }
}
