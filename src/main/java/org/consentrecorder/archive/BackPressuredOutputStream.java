package org.consentrecorder.archive;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A blocking {@link OutputStream} for a worker thread that forwards into a Vert.x
 * {@link WriteStream} (an HTTP response) on the stream's own context, with back-pressure: when the
 * write queue is full the worker waits for the drain. At most one buffer is in flight, so a slow
 * client never makes the server hold more than that. Wrap it in a BufferedOutputStream: every
 * write is a hop to the event loop.
 */
public final class BackPressuredOutputStream extends OutputStream {
    private final Context context;
    private final WriteStream<Buffer> target;
    private final Duration stallLimit;
    private volatile Throwable failure;
    private volatile CompletableFuture<Void> waiting;

    public BackPressuredOutputStream(Context context, WriteStream<Buffer> target, Duration stallLimit) {
        this.context = context;
        this.target = target;
        this.stallLimit = stallLimit;
        // a client that goes away must wake a worker that waits for the drain
        context.runOnContext(v -> target.exceptionHandler(this::fail));
    }

    /** Fails the stream from outside, e.g. when the HTTP connection closes. */
    public void fail(Throwable cause) {
        failure = cause;
        CompletableFuture<Void> w = waiting;
        if (w != null) {
            w.completeExceptionally(cause);
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        check();
        Buffer copy = Buffer.buffer(len).appendBytes(b, off, len);
        CompletableFuture<Void> accepted = new CompletableFuture<>();
        waiting = accepted;
        context.runOnContext(v -> {
            if (failure != null) {
                accepted.completeExceptionally(failure);
                return;
            }
            target.write(copy).onFailure(this::fail);
            if (target.writeQueueFull()) {
                target.drainHandler(d -> accepted.complete(null));
            } else {
                accepted.complete(null);
            }
        });
        await(accepted);
    }

    private void await(CompletableFuture<Void> f) throws IOException {
        try {
            f.get(stallLimit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the client was slow");
        } catch (ExecutionException e) {
            throw new IOException("the client connection failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the client read nothing for " + stallLimit.toSeconds() + " s");
        } finally {
            waiting = null;
        }
    }

    private void check() throws IOException {
        Throwable f = failure;
        if (f != null) {
            throw new IOException("the client connection failed: " + f.getMessage(), f);
        }
    }
}
