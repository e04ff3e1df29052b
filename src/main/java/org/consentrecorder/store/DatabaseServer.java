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
 *
 * <p>Two logins: the service's (the application's role, {@link #connectOptions()}) and the schema
 * owner's, which migrations use ({@link #ownerConnectOptions()}). They are the same login when no
 * owner is configured for an external database. The embedded server always has both, with
 * passwords (see {@link EmbeddedAccess}).
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
    private final PgConnectOptions ownerOptions;
    private final EmbeddedPostgres embedded;
    private final PostmasterWatchdog watchdog;

    private DatabaseServer(PgConnectOptions options, PgConnectOptions ownerOptions, EmbeddedPostgres embedded,
                           PostmasterWatchdog watchdog) {
        this.options = options;
        this.ownerOptions = ownerOptions;
        this.embedded = embedded;
        this.watchdog = watchdog;
    }

    /**
     * Blocking: starts the embedded server when needed. Call before Vert.x serves anything. A server
     * left running on the data directory by a crashed run is shut down first (see {@link LeftoverPostmaster}).
     */
    public static DatabaseServer start(DatabaseSettings config) throws IOException {
        if (config.url().isPresent()) {
            PgConnectOptions app = external(config);
            PgConnectOptions owner = config.ownerUser().isPresent()
                    ? new PgConnectOptions(app).setUser(config.ownerUser().get())
                            .setPassword(config.ownerPassword().reveal())
                    : app;
            return new DatabaseServer(app, owner, null, null);
        }
        Path dir = config.embeddedDirectory().toAbsolutePath().normalize();
        Files.createDirectories(dir);
        LOG.info("no {} configured: starting embedded PostgreSQL with data in {}", "CR_DB_URL", dir);
        new LeftoverPostmaster(FAST_SHUTDOWN_WAIT, IMMEDIATE_SHUTDOWN_WAIT).clear(dir);
        DataDirectoryPermissions.makePrivate(dir);
        EmbeddedPasswords passwords = passwords(dir);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setPort(config.embeddedPort())
                .setPGStartupWait(STARTUP_WAIT)
                // closed by close(), after the application's own shutdown: the library's hook would run
                // at the same time as the application's and could stop the server under its last writes
                .setRegisterShutdownHook(false)
                // the library checks the server is up by connecting as the superuser: with its password
                .setConnectConfig("password", passwords.superuser().reveal());
        DURABLE.forEach(builder::setServerConfig);
        LOGGING.forEach(builder::setServerConfig);
        EmbeddedPostgres pg;
        try (NewClusterAuthentication initdb = NewClusterAuthentication.prepare(dir, passwords)) {
            initdb.options().forEach(builder::setLocaleConfig);
            pg = builder.start();
        }
        try {
            EmbeddedAccess.secure(dir, pg.getPort(), passwords);
        } catch (IOException | RuntimeException e) {
            pg.close();
            throw e;
        }
        PostmasterWatchdog watchdog = PostmasterWatchdog.start(dir).orElse(null);
        PgConnectOptions options = new PgConnectOptions()
                .setHost("127.0.0.1")
                .setPort(pg.getPort())
                .setDatabase("postgres")
                .setUser(EmbeddedPasswords.APP)
                .setPassword(passwords.app().reveal());
        PgConnectOptions owner = new PgConnectOptions(options).setUser(EmbeddedPasswords.OWNER)
                .setPassword(passwords.owner().reveal());
        LOG.info("embedded PostgreSQL listening on 127.0.0.1:{} (fsync, synchronous_commit, full_page_writes on; "
                + "password authentication; the service connects as {}, migrations as {})", pg.getPort(),
                EmbeddedPasswords.APP, EmbeddedPasswords.OWNER);
        return new DatabaseServer(options, owner, pg, watchdog);
    }

    /**
     * The passwords kept beside the data directory, generated on the first start. A directory that
     * already asks for passwords without its file cannot be opened: that is said at once, not after
     * the start-up wait.
     */
    private static EmbeddedPasswords passwords(Path dir) throws IOException {
        Path file = EmbeddedPasswords.fileFor(dir);
        var existing = EmbeddedPasswords.read(file);
        if (existing.isPresent()) {
            return existing.get();
        }
        if (EmbeddedAccess.passwordsRequired(dir)) {
            throw new IOException("the embedded database in " + dir + " asks for passwords but " + file
                    + " is missing: restore it from the backup taken with the data directory (docs/operations.md)");
        }
        EmbeddedPasswords generated = EmbeddedPasswords.generate(file);
        LOG.info("embedded PostgreSQL: generated the passwords of its roles in {} (owner-only; back it up with the "
                + "data directory)", file);
        return generated;
    }

    /** Uses an already running server with one login for everything (tests, or a server started by someone else). */
    public static DatabaseServer of(PgConnectOptions options) {
        return new DatabaseServer(options, options, null, null);
    }

    /** An already running server: the service connects as {@code app}, migrations run as {@code owner}. */
    public static DatabaseServer of(PgConnectOptions app, PgConnectOptions owner) {
        return new DatabaseServer(app, owner, null, null);
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

    /** The schema owner's login (the service's when no owner is configured). */
    public PgConnectOptions ownerConnectOptions() {
        return new PgConnectOptions(ownerOptions);
    }

    /** True when migrations run as another role than the service. */
    public boolean separateOwner() {
        return !ownerOptions.getUser().equals(options.getUser());
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase()
                + (options.getSslMode() != null && options.getSslMode() != io.vertx.pgclient.SslMode.DISABLE
                ? "?sslmode=" + options.getSslMode().name().toLowerCase().replace('_', '-') : "");
    }

    /** The service's role. */
    public String user() {
        return options.getUser();
    }

    public String password() {
        return options.getPassword();
    }

    public String ownerUser() {
        return ownerOptions.getUser();
    }

    public String ownerPassword() {
        return ownerOptions.getPassword();
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
