package org.consentrecorder.store;

import java.nio.file.Path;
import java.util.Optional;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.Secret;

/**
 * The database to use; an empty url means: start the embedded PostgreSQL in embeddedDirectory.
 * {@code user}/{@code password} are what the service connects as (the application's role);
 * {@code ownerUser}/{@code ownerPassword}, when set, are the role migrations run as (the schema's
 * owner). Without an owner the service's own role migrates, as before: it then owns the schema and
 * could drop the audit trail's triggers (the log says so at start).
 */
public record DatabaseSettings(Optional<String> url, String user, Secret password, Optional<String> ownerUser,
                               Secret ownerPassword, int poolSize, Path embeddedDirectory, int embeddedPort) {

    public static final String DB_URL = "CR_DB_URL";
    public static final String DB_USER = "CR_DB_USER";
    public static final String DB_PASSWORD = "CR_DB_PASSWORD";
    public static final String DB_OWNER_USER = "CR_DB_OWNER_USER";
    public static final String DB_OWNER_PASSWORD = "CR_DB_OWNER_PASSWORD";
    public static final String DB_POOL_SIZE = "CR_DB_POOL_SIZE";
    public static final String DB_EMBEDDED_DIR = "CR_DB_EMBEDDED_DIR";
    public static final String DB_EMBEDDED_PORT = "CR_DB_EMBEDDED_PORT";

    public boolean embedded() {
        return url.isEmpty();
    }

    /** Reads the CR_DB_* keys; problems are collected in the reader, naming the key. */
    public static DatabaseSettings load(ConfigReader r) {
        Optional<String> url = r.optional(DB_URL);
        url.ifPresent(u -> {
            if (!u.startsWith("postgresql://") && !u.startsWith("postgres://") && !u.startsWith("jdbc:postgresql://")) {
                r.problem(DB_URL, "must look like postgresql://host:5432/database");
            }
        });
        String user = r.string(DB_USER, "consent_recorder");
        Optional<String> owner = r.optional(DB_OWNER_USER);
        Secret ownerPassword = r.secret(DB_OWNER_PASSWORD);
        if (url.isEmpty() && (owner.isPresent() || !ownerPassword.isEmpty())) {
            r.problem(owner.isPresent() ? DB_OWNER_USER : DB_OWNER_PASSWORD, "only with " + DB_URL
                    + ": the embedded database makes its own roles and passwords");
        } else if (owner.isEmpty() && !ownerPassword.isEmpty()) {
            r.problem(DB_OWNER_USER, "must be set together with " + DB_OWNER_PASSWORD);
        } else if (owner.isPresent() && owner.get().equals(user)) {
            r.problem(DB_OWNER_USER, "must be another role than " + DB_USER
                    + " (the service must not own the schema), or leave it unset");
        }
        return new DatabaseSettings(url, user, r.secret(DB_PASSWORD), owner, ownerPassword,
                r.integer(DB_POOL_SIZE, 10, 1, 200),
                Path.of(r.string(DB_EMBEDDED_DIR, "data/postgres")),
                r.integer(DB_EMBEDDED_PORT, 0, 0, 65535));
    }
}
