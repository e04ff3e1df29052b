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
     * Blocking; call at start-up or on a worker thread.
     *
     * @throws KeyStoreUnavailableException if the database cannot be reached or migrated
     * @throws org.consentrecorder.crypto.KeyUnavailableException if its index key is under a KEK the keyring lacks
     */
    public static SharedSubjectKeyStore open(KeyStoreSettings settings, Keyring keyring) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(settings.jdbcUrl());
        source.setUser(settings.effectiveUser());
        source.setPassword(settings.effectivePassword());
        source.setConnectTimeout(CONNECT_TIMEOUT_SECONDS);
        source.setLoginTimeout(CONNECT_TIMEOUT_SECONDS);
        source.setSocketTimeout(STATEMENT_TIMEOUT_SECONDS);
        source.setApplicationName("consent-recorder-keys");
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
