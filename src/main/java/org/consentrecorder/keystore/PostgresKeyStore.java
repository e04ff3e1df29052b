package org.consentrecorder.keystore;

import org.consentrecorder.crypto.Keyring;
import org.consentrecorder.crypto.SharedSubjectKeyStore;
import org.consentrecorder.store.Migrations;
import org.postgresql.ds.PGSimpleDataSource;

/** Opens the shared subject key store of CR_KEYSTORE_URL: brings its schema up to date, then its index key. */
public final class PostgresKeyStore {

    /** Seconds to connect, and to wait for one statement: a store that hangs fails the operation, never the loop. */
    static final int CONNECT_TIMEOUT_SECONDS = 5;
    static final int STATEMENT_TIMEOUT_SECONDS = 10;

    private PostgresKeyStore() {
    }

    /**
     * For {@code check}: connects and reads, changing nothing. Says the server's version and whether the key store's
     * schema exists yet (run creates it).
     *
     * @throws KeyStoreUnavailableException if the database cannot be reached or refuses the credentials
     */
    public static String probe(KeyStoreSettings settings) {
        PGSimpleDataSource source = dataSource(settings);
        try (java.sql.Connection c = source.getConnection(); java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("select current_setting('server_version'), "
                     + "to_regclass('keystore.subject_key') is not null")) {
            rs.next();
            return "PostgreSQL " + rs.getString(1) + (rs.getBoolean(2) ? ", key store schema present"
                    : ", no key store schema yet (run creates it)");
        } catch (java.sql.SQLException e) {
            throw new KeyStoreUnavailableException("subject key store " + settings.describe() + ": "
                    + (e.getMessage() == null ? "SQLSTATE " + e.getSQLState() : e.getMessage()), e);
        }
    }

    private static PGSimpleDataSource dataSource(KeyStoreSettings settings) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(settings.jdbcUrl());
        source.setUser(settings.effectiveUser());
        source.setPassword(settings.effectivePassword());
        source.setConnectTimeout(CONNECT_TIMEOUT_SECONDS);
        source.setLoginTimeout(CONNECT_TIMEOUT_SECONDS);
        source.setSocketTimeout(STATEMENT_TIMEOUT_SECONDS);
        source.setApplicationName("consent-recorder-keys");
        return source;
    }

    /**
     * Blocking; call at start-up or on a worker thread.
     *
     * @throws KeyStoreUnavailableException if the database cannot be reached or migrated
     * @throws org.consentrecorder.crypto.KeyUnavailableException if its index key is under a KEK the keyring lacks
     */
    public static SharedSubjectKeyStore open(KeyStoreSettings settings, Keyring keyring) {
        PGSimpleDataSource source = dataSource(settings);
        try {
            Migrations.migrate(settings.jdbcUrl(), settings.effectiveUser(), settings.effectivePassword(),
                    "classpath:db/keystore", "keystore", "subject key store " + settings.describe());
        } catch (RuntimeException e) {
            throw new KeyStoreUnavailableException("subject key store " + settings.describe()
                    + ": cannot bring its schema up to date (" + e.getClass().getSimpleName() + ")", e);
        }
        return SharedSubjectKeyStore.open(new SubjectKeyRepository(source, settings.describe()), keyring);
    }
}
