package org.consentrecorder.observability;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.util.List;
import org.consentrecorder.call.CallDirectory;
import org.consentrecorder.call.CallRegistry;

/**
 * Live calls and live recordings by state. Each call's state belongs to its own context, so it is
 * read there ({@link CallDirectory#liveCalls()}) just before a scrape, not from another thread.
 */
final class LiveCallGauges {
    private final CallDirectory calls;
    private volatile long recording;
    private volatile long paused;

    LiveCallGauges(MeterRegistry registry, CallDirectory calls) {
        this.calls = calls;
        Gauge.builder("consent_recorder.live.calls", calls, CallDirectory::liveCount)
                .description("Calls this instance holds now").register(registry);
        Gauge.builder("consent_recorder.live.recordings", this, g -> g.recording)
                .description("Live recordings, by state").tag("state", "recording").register(registry);
        Gauge.builder("consent_recorder.live.recordings", this, g -> g.paused)
                .description("Live recordings, by state").tag("state", "paused").register(registry);
    }

    Future<Void> refresh() {
        return calls.liveCalls().map(this::count);
    }

    private Void count(List<CallRegistry.LiveCall> live) {
        recording = live.stream().filter(c -> c.recording() && !c.paused()).count();
        paused = live.stream().filter(CallRegistry.LiveCall::paused).count();
        return null;
    }
}
