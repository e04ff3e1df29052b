package org.consentrecorder.archive;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.consentrecorder.archive.ArchiveRepository.Chunk;
import org.consentrecorder.crypto.RecordingEncryptor;

/**
 * The plaintext side of the fetch, for the worker thread that encodes: bytes are encrypted as they
 * come and every full chunk row is written before more is accepted, so memory holds at most one
 * chunk row whatever the recording's length. After the first row is written, {@code firstRow}
 * runs (a crash point: the encoding is under way).
 */
final class EncryptingChunkOutput extends OutputStream {
    private final Context context;
    private final RecordingEncryptor encryptor;
    private final ChunkWriter writer;
    private final Duration limit;
    private final Supplier<Future<Void>> firstRow;
    private boolean finished;

    EncryptingChunkOutput(Context context, RecordingEncryptor encryptor, ChunkWriter writer, Duration limit,
                          Supplier<Future<Void>> firstRow) {
        this.context = context;
        this.encryptor = encryptor;
        this.writer = writer;
        this.limit = limit;
        this.firstRow = firstRow;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (finished) {
            throw new IOException("the encrypted copy is already finished");
        }
        writer.add(encryptor.update(b, off, len));
        if (writer.hasFullChunks()) {
            flush(writer.takeFull());
        }
    }

    /** Seals the last segment and writes what is left; the stream takes nothing more. */
    void finish() throws IOException {
        finished = true;
        writer.add(List.of(encryptor.finish()));
        flush(writer.takeAll());
    }

    private void flush(List<Chunk> rows) throws IOException {
        boolean first = writer.chunksWritten() == rows.size();
        OnContext.await(context, () -> writer.insert(rows).compose(v -> first && !rows.isEmpty()
                ? firstRow.get() : Future.succeededFuture()), limit, "writing a chunk of the recording");
    }
}
