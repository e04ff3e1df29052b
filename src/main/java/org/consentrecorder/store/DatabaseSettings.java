package org.consentrecorder.store;

import java.nio.file.Path;
import java.util.Optional;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.Secret;

/** The database to use; an empty url means: start the embedded PostgreSQL in embeddedDirectory. */
public record DatabaseSettings(Optional<String> url, String user, Secret password, int poolSize,
                               Path embeddedDirectory, int embeddedPort) {

    public static final String DB_URL = "CR_DB_URL";
    public static final String DB_USER = "CR_DB_USER";
    public static final String DB_PASSWORD = "CR_DB_PASSWORD";
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
        return new DatabaseSettings(url,
                r.string(DB_USER, "consent_recorder"),
                r.secret(DB_PASSWORD),
                r.integer(DB_POOL_SIZE, 10, 1, 200),
                Path.of(r.string(DB_EMBEDDED_DIR, "data/postgres")),
                r.integer(DB_EMBEDDED_PORT, 0, 0, 65535));
    }
}
