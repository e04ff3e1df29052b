package org.consentrecorder.app;

import org.consentrecorder.admin.AdminConfig;
import org.consentrecorder.admin.AuditSettings;
import org.consentrecorder.admin.HttpSettings;
import org.consentrecorder.archive.ArchiveSettings;
import org.consentrecorder.ari.AriSettings;
import org.consentrecorder.call.CallSettings;
import org.consentrecorder.call.CallSettingsLoader;
import org.consentrecorder.config.ConfigException;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.ConfigSource;
import org.consentrecorder.keystore.KeyStoreSettings;
import org.consentrecorder.observability.ObservabilitySettings;
import org.consentrecorder.privacy.PrivacySettings;
import org.consentrecorder.store.DatabaseSettings;
import org.consentrecorder.store.LeaseSettings;

/**
 * The application's whole configuration, typed and validated once at start-up. Each feature reads
 * its own keys; this record only assembles them, so that every problem is reported in one go.
 * Every key is an environment variable (or a line of the CR_CONFIG_FILE properties file); the
 * README lists them.
 */
public record AppConfig(
        AriSettings ari,
        HttpSettings http,
        DatabaseSettings database,
        CallSettings calls,
        ArchiveSettings archive,
        AdminConfig admin,
        PrivacySettings privacy,
        ObservabilitySettings observability,
        AuditSettings audit,
        KeyStoreSettings keyStore,
        LeaseSettings lease) {

    /** Reads and validates everything; throws {@link ConfigException} naming every bad key. */
    public static AppConfig load(ConfigSource source) {
        ConfigReader r = new ConfigReader(source);
        HttpSettings http = HttpSettings.load(r);
        AppConfig config = new AppConfig(AriSettings.load(r), http, DatabaseSettings.load(r),
                CallSettingsLoader.load(r), ArchiveSettings.load(r), AdminConfig.load(r), PrivacySettings.load(r),
                ObservabilitySettings.load(r, http), AuditSettings.load(r), KeyStoreSettings.load(r),
                LeaseSettings.load(r));
        if (config.lease().enabled()) {
            // several instances must share what decides a recording's fate: the database and the subject keys
            if (config.database().embedded()) {
                r.problem(LeaseSettings.HA, "needs CR_DB_URL: every instance of a pair uses the same PostgreSQL "
                        + "(docs/scaling.md)");
            }
            if (!config.keyStore().shared()) {
                r.problem(LeaseSettings.HA, "needs CR_KEYSTORE_URL: with a key directory per instance an erasure on one "
                        + "could not destroy the keys another created (docs/key-management.md)");
            }
        }
        r.throwIfProblems();
        return config;
    }

    /** Only the database settings: for commands that need nothing else (admin create, audit verify). */
    public static DatabaseSettings loadDatabase(ConfigSource source) {
        ConfigReader r = new ConfigReader(source);
        DatabaseSettings db = DatabaseSettings.load(r);
        r.throwIfProblems();
        return db;
    }
}
