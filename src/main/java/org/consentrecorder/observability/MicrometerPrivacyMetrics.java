package org.consentrecorder.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.consentrecorder.privacy.PrivacyMetrics;

/** Retention runs of this instance as Micrometer meters (the last success of any instance is a database gauge). */
final class MicrometerPrivacyMetrics implements PrivacyMetrics {
    private final Counter completed;
    private final Counter failed;
    private final BoundedLabels<Counter> rows;

    MicrometerPrivacyMetrics(MeterRegistry registry) {
        completed = runs(registry, "completed");
        failed = runs(registry, "failed");
        rows = new BoundedLabels<>(32, kind -> Counter.builder("consent_recorder.retention.rows")
                .description("Rows the retention job removed, redacted or aggregated, by kind").tag("kind", kind)
                .register(registry));
    }

    private static Counter runs(MeterRegistry registry, String result) {
        return Counter.builder("consent_recorder.retention.runs").description("Retention runs of this instance, by result")
                .tag("result", result).register(registry);
    }

    @Override
    public void retentionRun(boolean succeeded, Map<String, Long> counts) {
        (succeeded ? completed : failed).increment();
        counts.forEach((kind, n) -> {
            if (n != null && n >= 0) {   // zero too: every kind has a series after the first run
                rows.get(kind).increment(n);
            }
        });
    }
}
