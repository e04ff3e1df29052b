package org.consentrecorder.store;

import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.consentrecorder.config.Secret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL the application talks to: the configured one, or (when CR_DB_URL is unset) an
 * embedded server started from a Maven artifact with its data in CR_DB_EMBEDDED_DIR, so that
 * {@code java -jar} works on a fresh machine. A configured URL always wins.
 */
public final class DatabaseServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseServer.class);

    private final PgConnectOptions options;
    private final EmbeddedPostgres embedded;

    private DatabaseServer(PgConnectOptions options, EmbeddedPostgres embedded) {
        this.options = options;
        this.embedded = embedded;
    }

    /** Blocking: starts the embedded server when needed. Call before Vert.x serves anything. */
    public static DatabaseServer start(DatabaseSettings config) throws IOException {
        if (config.url().isPresent()) {
            return new DatabaseServer(external(config), null);
        }
        Path dir = config.embeddedDirectory().toAbsolutePath();
        Files.createDirectories(dir);
        LOG.info("no {} configured: starting embedded PostgreSQL with data in {}", "CR_DB_URL", dir);
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setPort(config.embeddedPort())
                .start();
        PgConnectOptions options = new PgConnectOptions()
                .setHost("127.0.0.1")
                .setPort(pg.getPort())
                .setDatabase("postgres")
                .setUser("postgres")
                .setPassword("");
        LOG.info("embedded PostgreSQL listening on 127.0.0.1:{}", pg.getPort());
        return new DatabaseServer(options, pg);
    }

    /** Uses an already running server (tests, or a server started by someone else). */
    public static DatabaseServer of(PgConnectOptions options) {
        return new DatabaseServer(options, null);
    }

    static PgConnectOptions external(DatabaseSettings config) {
        String url = config.url().orElseThrow();
        if (url.startsWith("jdbc:")) {
            url = url.substring("jdbc:".length());
        }
        if (url.startsWith("postgres://")) {
            url = "postgresql://" + url.substring("postgres://".length());
        }
        PgConnectOptions options = PgConnectOptions.fromUri(url);
        if (java.net.URI.create(url).getUserInfo() == null) {
            options.setUser(config.user());
        }
        Secret password = config.password();
        if (!password.isEmpty()) {
            options.setPassword(password.reveal());
        }
        return options;
    }

    public PgConnectOptions connectOptions() {
        return new PgConnectOptions(options);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase()
                + (options.getSslMode() != null && options.getSslMode() != io.vertx.pgclient.SslMode.DISABLE
                ? "?sslmode=" + options.getSslMode().name().toLowerCase().replace('_', '-') : "");
    }

    public String user() {
        return options.getUser();
    }

    public String password() {
        return options.getPassword();
    }

    public boolean embedded() {
        return embedded != null;
    }

    /** host:port/database, without credentials. */
    public String describe() {
        return options.getHost() + ":" + options.getPort() + "/" + options.getDatabase() + (embedded() ? " (embedded)" : "");
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }
}
