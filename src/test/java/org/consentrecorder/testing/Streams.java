package org.consentrecorder.testing;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Reads a whole (small) stream in a test; fails with the stream's own error. */
public final class Streams {
    private Streams() {
    }

    public static byte[] readAll(Future<ReadStream<Buffer>> opened) throws Exception {
        ReadStream<Buffer> stream = opened.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        stream.exceptionHandler(done::completeExceptionally);
        stream.endHandler(v -> done.complete(out.toByteArray()));
        stream.handler(b -> out.writeBytes(b.getBytes()));
        return done.get(20, TimeUnit.SECONDS);
    }
}
