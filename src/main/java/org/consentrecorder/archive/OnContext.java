package org.consentrecorder.archive;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Lets blocking code on a worker thread (encoding, decoding) use the asynchronous database and
 * checkpoints: the work is started on its event-loop context and the worker waits for it, within
 * a limit. Never called on an event loop (it would wait for itself).
 */
final class OnContext {
    private OnContext() {
    }

    static <T> T await(Context context, Supplier<Future<T>> work, Duration limit, String what) throws IOException {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("waiting for " + what + " on an event loop");
        }
        CompletableFuture<T> done = new CompletableFuture<>();
        context.runOnContext(v -> {
            try {
                work.get().onComplete(ar -> {
                    if (ar.succeeded()) {
                        done.complete(ar.result());
                    } else {
                        done.completeExceptionally(ar.cause());
                    }
                });
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        try {
            return done.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + what);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(what + " failed: " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new IOException(what + " did not complete within " + limit.toSeconds() + " s");
        }
    }
}
