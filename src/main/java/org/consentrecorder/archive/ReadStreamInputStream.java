package org.consentrecorder.archive;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A blocking {@link InputStream} for a worker thread over a Vert.x {@link ReadStream} that lives
 * on an event loop: the worker asks for one buffer at a time ({@code fetch(1)} on the stream's
 * context), so no more than one buffer waits here. A stream that fails (a tampered segment, a
 * missing chunk) makes {@link #read} throw.
 */
public final class ReadStreamInputStream extends InputStream {
    private static final Object END = new Object();
    private final Context context;
    private final ReadStream<Buffer> source;
    private final Duration stallLimit;
    private final LinkedBlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
    private Buffer current;
    private int position;
    private boolean ended;

    /** Must be called on {@code context}, the stream's context, before any data flows. */
    public ReadStreamInputStream(Context context, ReadStream<Buffer> source, Duration stallLimit) {
        this.context = context;
        this.source = source;
        this.stallLimit = stallLimit;
        source.pause();
        source.exceptionHandler(arrived::add);
        source.endHandler(v -> arrived.add(END));
        source.handler(arrived::add);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (current == null || position == current.length()) {
            if (ended) {
                return -1;
            }
            next();
        }
        int n = Math.min(len, current.length() - position);
        current.getBytes(position, position + n, b, off);
        position += n;
        return n;
    }

    private void next() throws IOException {
        context.runOnContext(v -> source.fetch(1));
        Object item;
        try {
            item = arrived.poll(stallLimit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading a recording");
        }
        if (item == null) {
            throw new IOException("the recording stream stalled for " + stallLimit.toSeconds() + " s");
        }
        if (item == END) {
            ended = true;
            current = null;
        } else if (item instanceof Throwable t) {
            throw new IOException("the recording could not be read: " + t.getMessage(), t);
        } else {
            current = (Buffer) item;
            position = 0;
        }
    }
}
