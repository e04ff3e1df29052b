package org.consentrecorder.app;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.consentrecorder.call.IvrSettings;
import org.consentrecorder.call.RecordingSettings;
import org.consentrecorder.config.ConfigSource;
import org.consentrecorder.privacy.DemoStatisticsRepository;
import org.consentrecorder.simulator.CallMix;
import org.consentrecorder.simulator.SimulatedAsterisk;
import org.consentrecorder.simulator.SpeechLikeAudio;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * A running demo: the application, started as {@code run} starts it (embedded PostgreSQL, migrations,
 * the encrypted archive, the admin API), connected to a simulated Asterisk in this process over real
 * HTTP and WebSocket on loopback, with scripted callers placing calls by themselves.
 */
final class Demo implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Demo.class);
    static final String ARI_USER = "consent-recorder";
    /** How long each simulated prompt plays: the shipped notices are longer; the demo need not be. */
    private static final Duration PROMPT = Duration.ofMillis(2500);
    private static final int HISTORY_DAYS = 7;

    /** What the command line chose. */
    record Options(int httpPort, Duration callInterval, Duration talkTime) {
    }

    private final DemoData data;
    private final DemoData.Accounts accounts;
    private final SimulatedAsterisk asterisk;
    private final Application app;
    private final CallMix mix;

    private Demo(DemoData data, DemoData.Accounts accounts, SimulatedAsterisk asterisk, Application app, CallMix mix) {
        this.data = data;
        this.accounts = accounts;
        this.asterisk = asterisk;
        this.app = app;
        this.mix = mix;
    }

    /** Starts everything; on failure stops what was started and rethrows. */
    static Demo start(DemoData data, Options options) throws Exception {
        boolean fresh = data.isFresh();
        data.ensureKeyring();
        DemoData.Accounts accounts = data.accounts();
        String ariPassword = DemoData.password();
        SimulatedAsterisk asterisk = SimulatedAsterisk.start(ARI_USER, ariPassword, 0)
                .playbackDuration(PROMPT)
                .recordingAudio(new SpeechLikeAudio());
        Application app = null;
        try {
            AppConfig config = AppConfig.load(ConfigSource.of(settings(data, accounts, asterisk, ariPassword, options)));
            app = Application.start(config);
            awaitConnected(app);
            createComplianceAccount(app, accounts);
            if (fresh) {
                int days = Application.await(DemoStatisticsRepository.write(app.pool(),
                        DemoHistory.days(LocalDate.now(ZoneOffset.UTC), HISTORY_DAYS, System.nanoTime()),
                        Clock.systemUTC()));
                LOG.info("demo: wrote {} days of made-up daily statistics (the demo's history)", days);
            }
            CallMix mix = CallMix.start(asterisk, mixSettings(config, options));
            return new Demo(data, accounts, asterisk, app, mix);
        } catch (Exception | Error e) {
            if (app != null) {
                closeQuietly(app);
            }
            asterisk.close();
            throw e;
        }
    }

    /**
     * The configuration of {@code run}, from the demo's own values only: CR_* variables of the
     * environment are ignored, so that a demo can never reach a real database, keyring or Asterisk.
     */
    static Map<String, String> settings(DemoData data, DemoData.Accounts accounts, SimulatedAsterisk asterisk,
                                        String ariPassword, Options options) {
        Map<String, String> env = new HashMap<>();
        env.put("CR_ARI_URL", asterisk.url());
        env.put("CR_ARI_USER", ARI_USER);
        env.put("CR_ARI_PASSWORD", ariPassword);
        env.put("CR_HTTP_HOST", "127.0.0.1");
        env.put("CR_HTTP_PORT", String.valueOf(options.httpPort()));
        env.put("CR_DB_EMBEDDED_DIR", data.database().toString());
        env.put("CR_KEYSTORE_DIR", data.keyStore().toString());
        env.put("CR_KEYRING_FILE", data.keyring().toString());
        env.put("CR_ADMIN_USER", DemoData.ADMIN_USER);
        env.put("CR_ADMIN_PASSWORD", accounts.adminPassword());
        // the demo's own accounts sign in with a password only (its banner says so); a real
        // deployment keeps the default, where every data role and admin need a second factor
        env.put("CR_MFA_REQUIRED_ROLES", "none");
        // a short wait for a key, so that silent callers reach "no response" within the first minute
        env.put("CR_IVR_TIMEOUT", "3s");
        // payment pauses written as silence: a listener hears where the payment was (run's default cuts it out)
        env.put("CR_PAUSE_STYLE", "silence");
        env.put("CR_ARCHIVE_POLL", "1s");
        env.put("CR_CONTROLLER_NAME", "Demo Call Centre Ltd (fictional)");
        env.put("CR_INSTANCE_ID", "demo");
        return env;
    }

    private static CallMix.Settings mixSettings(AppConfig config, Options options) {
        IvrSettings ivr = config.calls().ivr();
        RecordingSettings rec = config.calls().recording();
        return new CallMix.Settings(config.ari().endpoint().application(), options.callInterval(), options.talkTime(),
                ivr.acceptKey(), ivr.declineKey(), rec.pauseSequence(), rec.resumeSequence(), rec.withdrawSequence(),
                rec.pauseUserEvent(), rec.resumeUserEvent(), System.nanoTime());
    }

    private static void awaitConnected(Application app) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!app.ari().connected()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the application did not connect to the simulated Asterisk within 30 s");
            }
            Thread.sleep(50);
        }
    }

    /**
     * As the command line's break-glass {@code admin create} makes it, audited: through the API a data role
     * needs a second admin's approval, and the demo has one admin.
     */
    private static void createComplianceAccount(Application app, DemoData.Accounts accounts) throws Exception {
        org.consentrecorder.admin.AccountRepository repo = new org.consentrecorder.admin.AccountRepository(app.pool(),
                Clock.systemUTC());
        if (Application.await(repo.byUsername(DemoData.COMPLIANCE_USER)).isPresent()) {
            return; // made at an earlier start of this demo directory
        }
        org.consentrecorder.crypto.AuditChainKeys keys = org.consentrecorder.crypto.AuditChainKeys.of(
                KeyMaterial.keyring(app.config().archive(), app.config().admin().devMode()));
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        int rc = Application.await(AdminCommand.create(app.vertx(), app.pool(), keys, DemoData.COMPLIANCE_USER,
                "compliance", accounts.compliancePassword(), new java.io.PrintStream(said, true)));
        if (rc != 0) {
            throw new IllegalStateException("cannot create the demo compliance account: " + said.toString().trim());
        }
    }


    int httpPort() {
        return app.httpPort();
    }

    DemoData data() {
        return data;
    }

    DemoData.Accounts accounts() {
        return accounts;
    }

    /** Stops the callers, the application (and its database) and the simulator; deletes a throwaway directory. */
    @Override
    public void close() {
        try {
            mix.close();
        } catch (RuntimeException e) {
            LOG.debug("stopping the callers: {}", ExternalText.forLog(e.getMessage()));
        }
        closeQuietly(app);
        asterisk.close();
        data.deleteIfThrowaway();
    }

    private static void closeQuietly(Application app) {
        try {
            app.close();
        } catch (Exception e) {
            LOG.warn("stopping the application: {}", ExternalText.forLog(e.getMessage()));
        }
    }
}
