package org.consentrecorder.config;

import org.consentrecorder.app.AppConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Period;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.consentrecorder.privacy.PrivacySettings;
import org.junit.jupiter.api.Test;

/** Retention periods in days, the request deadline in calendar months, and the rules that tie them together. */
class PrivacySettingsTest {

    private static Map<String, String> env(String... kv) {
        Map<String, String> env = new HashMap<>();
        env.put("CR_ARI_PASSWORD", "s3cret-ari");
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return env;
    }

    private static PrivacySettings load(String... kv) {
        return AppConfig.load(ConfigSource.of(env(kv))).privacy();
    }

    private static String problem(String... kv) {
        return assertThrows(ConfigException.class, () -> AppConfig.load(ConfigSource.of(env(kv)))).getMessage();
    }

    @Test
    void defaults() {
        PrivacySettings p = load();
        assertEquals(Optional.of(Duration.ofDays(90)), p.retention().recordings());
        assertEquals(Optional.of(Duration.ofDays(180)), p.retention().calls());
        assertEquals(Optional.of(Duration.ofDays(1460)), p.retention().evidence());
        assertEquals(Duration.ofHours(1), p.retentionInterval());
        assertEquals(500, p.retentionBatch());
        assertEquals(Period.ofMonths(1), p.requestDue());
        assertEquals("", p.controller().name());
        assertTrue(p.instanceId().matches("[A-Za-z0-9_.:@-]+"), p.instanceId());
    }

    @Test
    void durationsTakeDays_periodsTakeMonthsOrDays_andOffMeansKeptUntilErased() {
        PrivacySettings p = load("CR_RETENTION_RECORDINGS", "30d", "CR_RETENTION_CALLS", "off",
                "CR_RETENTION_EVIDENCE", "off", "CR_DSAR_DUE", "30d", "CR_RETENTION_INTERVAL", "0");
        assertEquals(Optional.of(Duration.ofDays(30)), p.retention().recordings());
        assertEquals(Optional.empty(), p.retention().calls());
        assertEquals(Period.ofDays(30), p.requestDue());
        assertEquals(Duration.ZERO, p.retentionInterval());
        assertEquals(Period.ofMonths(2), load("CR_DSAR_DUE", "2mo").requestDue());
        assertEquals(Duration.ofDays(2), new ConfigReader(ConfigSource.of(Map.of("K", "2d")))
                .duration("K", Duration.ZERO, Duration.ZERO, Duration.ofDays(3)));
    }

    @Test
    void aRecordingMayNotOutliveItsCallOrItsConsentEvidence() {
        assertTrue(problem("CR_RETENTION_EVIDENCE", "60d").contains("CR_RETENTION_EVIDENCE"));
        assertTrue(problem("CR_RETENTION_CALLS", "30d").contains("CR_RETENTION_CALLS"));
        assertTrue(problem("CR_RETENTION_RECORDINGS", "off").contains("CR_RETENTION_EVIDENCE"),
                "recordings kept forever while evidence expires");
        assertTrue(problem("CR_DSAR_DUE", "1 month").contains("CR_DSAR_DUE"));
        assertTrue(problem("CR_DSAR_DUE", "4mo").contains("CR_DSAR_DUE"), "at most three months (Art. 12(3))");
        assertTrue(problem("CR_RETENTION_RECORDINGS", "90x").contains("90d"));
        assertTrue(problem("CR_RETENTION_BATCH", "0").contains("CR_RETENTION_BATCH"));
    }
}
