package org.consentrecorder.store;

import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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

    /**
     * Durable settings for the embedded server. The library's defaults are for tests: its postmaster
     * runs with {@code -F} (fsync off) and {@code -c synchronous_commit=off}. Settings given with
     * {@code -c} come after {@code -F} on the command line, and the later one wins; command-line
     * settings also win over postgresql.conf and ALTER SYSTEM.
     */
    static final Map<String, String> DURABLE = Map.of(
            "fsync", "on",
            "synchronous_commit", "on",
            "full_page_writes", "on");
    /**
     * What the embedded server writes to its output, which goes to the application's log: its life
     * (start, crash recovery, checkpoints, shutdown) and FATAL/PANIC, not the ERROR of a statement,
     * whose detail can quote a row's values (a caller's number in a unique-key violation).
     */
    static final Map<String, String> LOGGING = Map.of(
            "log_min_messages", "log",
            "log_min_error_statement", "panic",
            "log_error_verbosity", "terse");
    /** A server that must first replay its log after a crash can take longer than the library's 10 s. */
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(90);
    private static final Duration FAST_SHUTDOWN_WAIT = Duration.ofSeconds(20);
    private static final Duration IMMEDIATE_SHUTDOWN_WAIT = Duration.ofSeconds(10);

    private final PgConnectOptions options;
    private final EmbeddedPostgres embedded;
    private final PostmasterWatchdog watchdog;

    private DatabaseServer(PgConnectOptions options, EmbeddedPostgres embedded, PostmasterWatchdog watchdog) {
        this.options = options;
        this.embedded = embedded;
        this.watchdog = watchdog;
    }

    /**
     * Blocking: starts the embedded server when needed. Call before Vert.x serves anything. A server
     * left running on the data directory by a crashed run is shut down first (see {@link LeftoverPostmaster}).
     */
    public static DatabaseServer start(DatabaseSettings config) throws IOException {
        if (config.url().isPresent()) {
            return new DatabaseServer(external(config), null, null);
        }
        Path dir = config.embeddedDirectory().toAbsolutePath().normalize();
        Files.createDirectories(dir);
        LOG.info("no {} configured: starting embedded PostgreSQL with data in {}", "CR_DB_URL", dir);
        new LeftoverPostmaster(FAST_SHUTDOWN_WAIT, IMMEDIATE_SHUTDOWN_WAIT).clear(dir);
        DataDirectoryPermissions.makePrivate(dir);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setPort(config.embeddedPort())
                .setPGStartupWait(STARTUP_WAIT)
                // closed by close(), after the application's own shutdown: the library's hook would run
                // at the same time as the application's and could stop the server under its last writes
                .setRegisterShutdownHook(false);
        DURABLE.forEach(builder::setServerConfig);
        LOGGING.forEach(builder::setServerConfig);
        EmbeddedPostgres pg = builder.start();
        PostmasterWatchdog watchdog = PostmasterWatchdog.start(dir).orElse(null);
        PgConnectOptions options = new PgConnectOptions()
                .setHost("127.0.0.1")
                .setPort(pg.getPort())
                .setDatabase("postgres")
                .setUser("postgres")
                .setPassword("");
        LOG.info("embedded PostgreSQL listening on 127.0.0.1:{} (fsync, synchronous_commit, full_page_writes on)",
                pg.getPort());
        return new DatabaseServer(options, pg, watchdog);
    }

    /** Uses an already running server (tests, or a server started by someone else). */
    public static DatabaseServer of(PgConnectOptions options) {
        return new DatabaseServer(options, null, null);
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
            try {
                embedded.close();
            } finally {
                if (watchdog != null) {
                    watchdog.close();
                }
            }
        }
    }
}
