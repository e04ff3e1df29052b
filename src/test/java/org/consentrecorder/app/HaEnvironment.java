package org.consentrecorder.app;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.ari.FakeAsterisk;

/**
 * The environment of one packaged instance in an active/standby pair on one PostgreSQL (its {@code postgres}
 * database for the recordings, {@code keys} for the shared key store) and the ARI double: what
 * {@link FailoverIT} and {@link FailoverBenchmark} start, so that the figures and the tests run the same set-up.
 */
final class HaEnvironment {
    private HaEnvironment() {
    }

    static Map<String, String> of(String instanceId, Duration lease, String ariUrl, int databasePort) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("CR_HA", "true");
        env.put("CR_INSTANCE_ID", instanceId);
        env.put("CR_ARI_LEASE", lease.toMillis() + "ms");
        env.put("CR_ARI_URL", ariUrl);
        env.put("CR_ARI_USER", FakeAsterisk.USER);
        env.put("CR_ARI_PASSWORD", FakeAsterisk.PASSWORD);
        env.put("CR_ARI_RECONNECT_MIN", "50ms");
        env.put("CR_ARI_RECONNECT_MAX", "300ms");
        env.put("CR_DB_URL", "postgresql://127.0.0.1:" + databasePort + "/postgres");
        env.put("CR_DB_USER", "postgres");
        env.put("CR_KEYSTORE_URL", "postgresql://127.0.0.1:" + databasePort + "/keys");
        env.put("CR_KEYSTORE_USER", "postgres");
        env.put("CR_KEYRING", AppHarness.TEST_KEYRING);
        env.put("CR_HTTP_HOST", "127.0.0.1");
        env.put("CR_HTTP_PORT", String.valueOf(AppProcess.freePort()));
        env.put("CR_ADMIN_PASSWORD", "Failover-admin-secret-1");
        env.put("CR_MFA_REQUIRED_ROLES", "none");
        env.put("CR_IVR_TIMEOUT", "2s");
        env.put("CR_TEARDOWN_TIMEOUT", "2s");
        env.put("CR_ARCHIVE_POLL", "200ms");
        return env;
    }
}
