package org.consentrecorder.testing;

import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.consentrecorder.store.DatabaseServer;

/** A PostgreSQL of its own that a test can stop and start again (same data, same port): an outage. */
public final class RestartablePostgres implements AutoCloseable {
    private final Path dir;
    private final int port;
    private volatile EmbeddedPostgres pg;

    private RestartablePostgres(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static RestartablePostgres start() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RestartablePostgres r = new RestartablePostgres(TempDirs.create("pg"), port);
        r.restart();
        return r;
    }

    public DatabaseServer server() {
        return DatabaseServer.of(new PgConnectOptions().setHost("127.0.0.1").setPort(port)
                .setDatabase("postgres").setUser("postgres").setPassword(""));
    }

    /** Blocking: the server is gone when this returns. */
    public synchronized void stop() {
        try {
            if (pg != null) {
                pg.close();
                pg = null;
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public synchronized void restart() {
        try {
            pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).setPort(port).start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Hangs the server without closing anything: SIGSTOP to the postmaster (first, so it starts no
     * new backend) and to every process it started. Sockets stay open and connections are accepted
     * by the kernel, but nothing answers: a server stalled on a dead disk or frozen by a hypervisor.
     */
    public synchronized void freeze() {
        long postmaster = postmaster();
        signal("STOP", postmaster);
        ProcessHandle.of(postmaster).orElseThrow().children().forEach(c -> signal("STOP", c.pid()));
    }

    /** Lets a frozen server run again: its children first, then the postmaster. */
    public synchronized void thaw() {
        long postmaster = postmaster();
        ProcessHandle.of(postmaster).orElseThrow().children().forEach(c -> signal("CONT", c.pid()));
        signal("CONT", postmaster);
    }

    private long postmaster() {
        long pid = Postmasters.pid(dir).orElseThrow(() -> new IllegalStateException("no postmaster.pid in " + dir));
        if (!Postmasters.runsOn(pid, dir)) {
            throw new IllegalStateException("postmaster " + pid + " does not run on " + dir);
        }
        return pid;
    }

    private static void signal(String signal, long pid) {
        try {
            Process p = new ProcessBuilder("kill", "-s", signal, Long.toString(pid)).inheritIO().start();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("kill -s " + signal + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            // a frozen server cannot shut down: let it run first (harmless when it runs)
            if (pg != null) {
                thaw();
            }
        } catch (RuntimeException e) {
            // best effort: stop() below still tries
        }
        stop();
    }
}
