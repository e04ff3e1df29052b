package org.consentrecorder.privacy;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.function.Supplier;
import org.consentrecorder.ari.AriClients;
import org.consentrecorder.crypto.SubjectKeyStore;
import org.consentrecorder.archive.RecordingArchive;

/** The privacy lifecycle's parts, wired once by the application and used by the admin API and the CLI. */
public final class PrivacyServices {
    private final ProcessingRegister.RegisterFacts config;
    private final PrivacyRequests requests;
    private final SubjectExport export;
    private final ErasureVerifier verifier;
    private final Erasure erasure;
    private final DailyStatistics statistics;
    private final RetentionJob retention;
    private final SubjectPseudonymRepository pseudonyms;
    private final ConsentRegistryRepository consentRegistry;
    private final LegalHoldRepository legalHolds;
    private final RestrictionRepository restrictions;
    private final CorrectionRepository corrections;
    private final BreachRepository breaches;

    public PrivacyServices(Vertx vertx, Pool pool, ProcessingRegister.RegisterFacts config, SubjectKeyStore keys, AriClients ari,
                           Supplier<RecordingArchive> archive, Clock clock) {
        this(vertx, pool, config, keys, ari, archive, clock, PrivacyCheckpoints.NONE);
    }

    /** As above, with the crash points of erasure and retention observable (the crash tests stop at one). */
    public PrivacyServices(Vertx vertx, Pool pool, ProcessingRegister.RegisterFacts config, SubjectKeyStore keys, AriClients ari,
                           Supplier<RecordingArchive> archive, Clock clock, PrivacyCheckpoints checkpoints) {
        this.config = config;
        PrivacySettings settings = config.privacy();
        this.requests = new PrivacyRequests(settings.requestDue(), new PrivacyRequestRepository(pool));
        this.export = new SubjectExport(vertx, pool, archive, settings, clock);
        this.verifier = new ErasureVerifier(vertx, pool, keys, ari, clock);
        this.erasure = new Erasure(vertx, pool, keys, ari, verifier, clock, checkpoints);
        this.statistics = new DailyStatistics(pool, clock);
        this.retention = new RetentionJob(vertx, pool, keys, settings, statistics, clock, checkpoints);
        this.pseudonyms = new SubjectPseudonymRepository(pool);
        this.consentRegistry = new ConsentRegistryRepository(pool);
        this.legalHolds = new LegalHoldRepository(pool);
        this.restrictions = new RestrictionRepository(pool);
        this.corrections = new CorrectionRepository(pool);
        this.breaches = new BreachRepository(pool);
    }

    /** The facts the records of processing are built from. */
    public ProcessingRegister.RegisterFacts config() {
        return config;
    }

    public PrivacySettings settings() {
        return config.privacy();
    }

    public PrivacyRequests requests() {
        return requests;
    }

    public SubjectExport export() {
        return export;
    }

    public ErasureVerifier verifier() {
        return verifier;
    }

    public Erasure erasure() {
        return erasure;
    }

    public DailyStatistics statistics() {
        return statistics;
    }

    public RetentionJob retention() {
        return retention;
    }

    /** The random pseudonyms that name callers in the audit trail. */
    public SubjectPseudonymRepository pseudonyms() {
        return pseudonyms;
    }

    /** Consent decisions and preferences, as the admin API reads them. */
    public ConsentRegistryRepository consentRegistry() {
        return consentRegistry;
    }

    public LegalHoldRepository legalHolds() {
        return legalHolds;
    }

    /** Restrictions of processing (Art. 18). */
    public RestrictionRepository restrictions() {
        return restrictions;
    }

    /** Corrections and supplementary statements (Art. 16). */
    public CorrectionRepository corrections() {
        return corrections;
    }

    /** The breach register (Art. 33/34). */
    public BreachRepository breaches() {
        return breaches;
    }
}
