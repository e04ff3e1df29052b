package org.consentrecorder.archive;

import io.vertx.core.Context;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.consentrecorder.archive.ArchiveRepository.Chunk;
import org.consentrecorder.archive.ArchiveRepository.RecordingRow;
import org.consentrecorder.crypto.RecordingDecryptor;
import org.consentrecorder.crypto.StreamSummary;

/**
 * A recording's whole plaintext as a blocking stream, for a worker thread that decodes it (the
 * verification): chunk rows are read a few at a time, every segment is authenticated before its
 * bytes are handed out, and the end is reached only after the final segment authenticated, so a
 * truncated or reordered copy fails here. Memory holds a few chunk rows at most.
 */
final class DecryptedChunks extends InputStream {
    private final Context context;
    private final ArchiveRepository repository;
    private final RecordingRow row;
    private final RecordingDecryptor decryptor;
    private final int rowsPerRead;
    private final Duration limit;
    private final Deque<byte[]> ready = new ArrayDeque<>();
    private byte[] current;
    private int position;
    private int nextSeq;
    private boolean ended;

    DecryptedChunks(Context context, ArchiveRepository repository, RecordingRow row, RecordingDecryptor decryptor,
                    int rowsPerRead, Duration limit) {
        this.context = context;
        this.repository = repository;
        this.row = row;
        this.decryptor = decryptor;
        this.rowsPerRead = rowsPerRead;
        this.limit = limit;
        decryptor.update(row.header());
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (current == null || position == current.length) {
            if (!ready.isEmpty()) {
                current = ready.removeFirst();
                position = 0;
            } else if (ended) {
                return -1;
            } else {
                readMore();
            }
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }

    /** Counts and SHA-256 of the plaintext; only once the stream has been read to its end. */
    StreamSummary summary() {
        return decryptor.summary();
    }

    private void readMore() throws IOException {
        if (nextSeq >= row.chunkCount()) {
            ready.addLast(decryptor.finish());
            ended = true;
            return;
        }
        int from = nextSeq;
        List<Chunk> chunks = OnContext.await(context, () -> repository.chunks(row.id(), from, rowsPerRead), limit,
                "reading the stored recording");
        int expected = Math.min(from + rowsPerRead, row.chunkCount()) - from;
        if (chunks.size() != expected) {
            throw new IOException("chunk " + (from + chunks.size()) + " is missing");
        }
        for (Chunk c : chunks) {
            if (c.seq() != nextSeq) {
                throw new IOException("chunk " + nextSeq + " is missing");
            }
            ready.addAll(decryptor.update(c.data()));
            nextSeq++;
        }
    }
}
