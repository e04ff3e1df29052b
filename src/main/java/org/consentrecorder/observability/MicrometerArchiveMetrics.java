package org.consentrecorder.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.consentrecorder.archive.ArchiveMetrics;

/** What the archive pipeline did, as Micrometer meters (the backlog is a database gauge: {@link OperationsCollector}). */
final class MicrometerArchiveMetrics implements ArchiveMetrics {
    static final Duration[] LAG_BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15),
            Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5),
            Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1)};

    private final Counter recordings;
    private final Counter bytes;
    private final Timer lag;
    private final Counter verificationFailures;

    MicrometerArchiveMetrics(MeterRegistry registry) {
        recordings = Counter.builder("consent_recorder.archived.recordings")
                .description("Recordings archived: encrypted copy verified, Asterisk's copy deleted").register(registry);
        bytes = Counter.builder("consent_recorder.archived").baseUnit("bytes")
                .description("Audio bytes (plaintext) of the recordings archived").register(registry);
        lag = Timer.builder("consent_recorder.archive.lag")
                .description("From a recording finishing on Asterisk to it being archived")
                .serviceLevelObjectives(LAG_BUCKETS).register(registry);
        verificationFailures = Counter.builder("consent_recorder.archive.verification.failures")
                .description("Stored copies that did not read back as fetched (fetched again)").register(registry);
    }

    @Override
    public void archived(long plaintextBytes, Duration sinceFinished) {
        recordings.increment();
        bytes.increment(plaintextBytes);
        lag.record(sinceFinished.isNegative() ? Duration.ZERO : sinceFinished);
    }

    @Override
    public void verificationFailed() {
        verificationFailures.increment();
    }
}
