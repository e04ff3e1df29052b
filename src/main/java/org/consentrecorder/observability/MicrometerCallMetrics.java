package org.consentrecorder.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;
import org.consentrecorder.call.CallMetrics;
import org.consentrecorder.call.LawfulBasis;
import org.consentrecorder.call.Outcome;
import org.consentrecorder.call.TimelineEntry;
import org.consentrecorder.call.TriggerKind;

/**
 * Calls, consent decisions and recording changes as Micrometer meters. Every label value comes
 * from an enum and every series is registered up front at zero, so {@code increase()} in an alert
 * sees the first event after a start too.
 */
final class MicrometerCallMetrics implements CallMetrics {
    /** Trigger-to-accepted pause latency buckets: 2 ms to 1 s (the fail-closed deadline is 500 ms by default). */
    static final Duration[] PAUSE_BUCKETS = {Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1)};
    static final String NONE = "none";

    private final Counter started;
    private final Map<Outcome, Counter> ended = new EnumMap<>(Outcome.class);
    private final Counter endedWithoutDecision;
    private final Map<Outcome, Map<LawfulBasis, Counter>> decisions = new EnumMap<>(Outcome.class);
    private final Counter evidenceWriteFailures;
    private final Counter recordingsStarted;
    private final Map<TriggerKind, Timer> pauseLatency;
    private final Map<TriggerKind, Counter> resumes;
    private final Map<TriggerKind, Counter> pausesFailedClosed;
    private final Map<TriggerKind, Counter> resumesFailed;
    private final Map<TriggerKind, Counter> withdrawals;
    private final Counter operatorStops;

    MicrometerCallMetrics(MeterRegistry registry) {
        started = Counter.builder("consent_recorder.calls.started")
                .description("Caller channels that entered the application").register(registry);
        for (Outcome o : Outcome.values()) {
            ended.put(o, endedCounter(registry, o.wire()));
            Map<LawfulBasis, Counter> byBasis = new EnumMap<>(LawfulBasis.class);
            for (LawfulBasis b : LawfulBasis.values()) {
                byBasis.put(b, Counter.builder("consent_recorder.consent.decisions")
                        .description("Consent decisions written to the evidence (withdrawals included)")
                        .tag("outcome", o.wire()).tag("lawful_basis", b.wire()).register(registry));
            }
            decisions.put(o, byBasis);
        }
        endedWithoutDecision = endedCounter(registry, NONE);
        evidenceWriteFailures = Counter.builder("consent_recorder.consent.evidence.write.failures")
                .description("Consent decisions that could not be stored after every retry (the call was not recorded)")
                .register(registry);
        recordingsStarted = Counter.builder("consent_recorder.recordings.started")
                .description("Recordings started after a decision that allows recording").register(registry);
        pauseLatency = byTrigger(t -> Timer.builder("consent_recorder.pause.latency")
                .description("From a pause trigger to Asterisk accepting the pause")
                .tag("trigger", t).serviceLevelObjectives(PAUSE_BUCKETS).register(registry));
        resumes = byTrigger(t -> Counter.builder("consent_recorder.resumes")
                .description("Recordings resumed after a pause").tag("trigger", t).register(registry));
        pausesFailedClosed = byTrigger(t -> Counter.builder("consent_recorder.pauses.failed.closed")
                .description("Pauses Asterisk refused or did not accept in time: the recording was stopped instead")
                .tag("trigger", t).register(registry));
        resumesFailed = byTrigger(t -> Counter.builder("consent_recorder.resumes.failed")
                .description("Resumes Asterisk refused: the recording stayed paused").tag("trigger", t).register(registry));
        withdrawals = byTrigger(t -> Counter.builder("consent_recorder.withdrawals")
                .description("Consent withdrawn during a call: the recording was stopped and discarded")
                .tag("trigger", t).register(registry));
        operatorStops = Counter.builder("consent_recorder.operator.stops")
                .description("Recordings an operator stopped and discarded through the API (not a withdrawal)")
                .register(registry);
    }

    private static Counter endedCounter(MeterRegistry registry, String outcome) {
        return Counter.builder("consent_recorder.calls.ended")
                .description("Calls released, by consent outcome (none: ended before a decision)")
                .tag("outcome", outcome).register(registry);
    }

    private static <M> Map<TriggerKind, M> byTrigger(Function<String, M> create) {
        Map<TriggerKind, M> m = new EnumMap<>(TriggerKind.class);
        for (TriggerKind t : TriggerKind.values()) {
            m.put(t, create.apply(t.wire()));
        }
        return m;
    }

    @Override
    public void callStarted() {
        started.increment();
    }

    @Override
    public void callEnded(Outcome outcome) {
        (outcome == null ? endedWithoutDecision : ended.get(outcome)).increment();
    }

    @Override
    public void decisionRecorded(Outcome outcome, LawfulBasis basis) {
        if (outcome != null && basis != null) {
            decisions.get(outcome).get(basis).increment();
        }
    }

    @Override
    public void evidenceWriteFailed() {
        evidenceWriteFailures.increment();
    }

    @Override
    public void recordingChanged(TimelineEntry entry) {
        TriggerKind trigger = entry.trigger() == null ? TriggerKind.HANGUP : entry.trigger();
        switch (entry.change()) {
            case STARTED -> recordingsStarted.increment();
            case PAUSED -> {
                if (entry.requestedAt() != null && entry.acceptedAt() != null) {
                    Duration latency = Duration.between(entry.requestedAt(), entry.acceptedAt());
                    pauseLatency.get(trigger).record(latency.isNegative() ? Duration.ZERO : latency);
                }
            }
            case RESUMED -> resumes.get(trigger).increment();
            case PAUSE_FAILED_STOPPED -> pausesFailedClosed.get(trigger).increment();
            case RESUME_FAILED -> resumesFailed.get(trigger).increment();
            case WITHDRAWN_DISCARDED -> withdrawals.get(trigger).increment();
            case STOPPED_BY_OPERATOR -> operatorStops.increment();
            default -> {
                // ENDED: the call's end is counted by callEnded
            }
        }
    }
}
