package org.consentrecorder.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import org.consentrecorder.admin.AdminMetrics;

/** Sign-ins, lockouts and audit writes as Micrometer meters; never an account name or an address. */
final class MicrometerAdminMetrics implements AdminMetrics {
    private final Map<LoginResult, Counter> logins = new EnumMap<>(LoginResult.class);
    private final Counter lockouts;
    private final Counter auditRows;
    private final Counter auditFailures;

    MicrometerAdminMetrics(MeterRegistry registry) {
        for (LoginResult r : LoginResult.values()) {
            logins.put(r, Counter.builder("consent_recorder.logins").description("Sign-ins (POST /auth/login), by result")
                    .tag("result", r.wire()).register(registry));
        }
        lockouts = Counter.builder("consent_recorder.login.lockouts")
                .description("Failed sign-ins that brought an account or an address to its limit").register(registry);
        auditRows = Counter.builder("consent_recorder.audit.rows")
                .description("Rows appended to the audit trail").register(registry);
        auditFailures = Counter.builder("consent_recorder.audit.write.failures")
                .description("Audit rows that could not be written (the request was not served)").register(registry);
    }

    @Override
    public void login(LoginResult result) {
        logins.get(result).increment();
    }

    @Override
    public void lockout() {
        lockouts.increment();
    }

    @Override
    public void auditAppended() {
        auditRows.increment();
    }

    @Override
    public void auditFailed() {
        auditFailures.increment();
    }
}
