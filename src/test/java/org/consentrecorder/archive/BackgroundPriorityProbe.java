package org.consentrecorder.archive;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Run in a JVM of its own by {@link BackgroundPriorityTest}: prints the Linux nice value of an event loop thread and
 * of a thread running archive work through {@link BackgroundPriority}, as the kernel sees them.
 */
public final class BackgroundPriorityProbe {
    private BackgroundPriorityProbe() {
    }

    public static void main(String[] args) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            CompletableFuture<Integer> loop = new CompletableFuture<>();
            vertx.getOrCreateContext().runOnContext(v -> {
                try {
                    loop.complete(niceOfThisThread());
                } catch (java.io.IOException e) {
                    loop.completeExceptionally(e);
                }
            });
            WorkerExecutor pool = BackgroundPriority.lowered(vertx.createSharedWorkerExecutor("probe-archive", 1));
            int background = pool.executeBlocking(BackgroundPriorityProbe::niceOfThisThread, false)
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            System.out.println("loop=" + loop.get(30, TimeUnit.SECONDS) + " background=" + background);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** Field 19 of /proc/thread-self/stat (proc(5)); the command name before it may hold spaces, so count from ')'. */
    static int niceOfThisThread() throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(after[16]);
    }
}
