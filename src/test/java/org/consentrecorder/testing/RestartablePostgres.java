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

    @Override
    public void close() {
        stop();
    }
}
