package org.consentrecorder.observability;

import ch.loway.oss.ari4java.generated.models.Event;
import ch.loway.oss.ari4java.generated.models.Message;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.consentrecorder.ari.AriConnection;
import org.consentrecorder.ari.AriMetrics;
import org.consentrecorder.ari.AriOperation;

/**
 * One Asterisk server's ARI connection as Micrometer meters: its state (read from the connection at scrape time),
 * reconnects, events by type, event lag, and REST latency by operation and status class. Every meter carries the
 * server's name as the {@code server} label: a name from the configuration, never from a caller or an event.
 */
final class MicrometerAriMetrics implements AriMetrics {
    static final Duration[] LAG_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5)};
    static final Duration[] REQUEST_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5)};

    private final Counter reconnects;
    private final Counter disconnections;
    private final BoundedLabels<Counter> events;
    private final Timer eventLag;
    private final BoundedLabels<Timer> requests;

    /**
     * The meters of one server's connection, with the series known in advance registered now: an event counter for
     * each type in {@code expectedEvents} (none when the connection takes every type), and the answered (2xx) timer
     * of each recording control.
     *
     * <p>Why: a series that appears on first use is missing from the first {@code rate()} over it (Prometheus'
     * instrumentation guide: initialise the label values you know). And registered on first use, the first
     * pause's answered timer took a fresh process 0.24-7.2 ms of the call's event loop between Asterisk's answer
     * and the call hearing it, and the first user event's counter was registered on the event socket's loop as
     * the trigger went to its call (issue 14; bench/results/asterisk-2026-11-28-exp-first-calls.md).
     */
    MicrometerAriMetrics(MeterRegistry registry, String server, Supplier<AriConnection.State> state,
                         Set<String> expectedEvents) {
        // strong references: a gauge holds its object weakly, and nothing else holds this supplier
        Gauge.builder("consent_recorder.ari.connected", state, s -> s.get() == AriConnection.State.CONNECTED ? 1 : 0)
                .description("1 while the ARI event WebSocket is open and resynchronized").tag("server", server)
                .strongReference(true).register(registry);
        for (AriConnection.State s : AriConnection.State.values()) {
            Gauge.builder("consent_recorder.ari.connection.state", state, current -> current.get() == s ? 1 : 0)
                    .description("1 for the ARI connection's current state").tag("state", s.name().toLowerCase(Locale.ROOT))
                    .tag("server", server).strongReference(true).register(registry);
        }
        reconnects = Counter.builder("consent_recorder.ari.reconnects")
                .description("Connection attempts after the connection failed or dropped").tag("server", server)
                .register(registry);
        disconnections = Counter.builder("consent_recorder.ari.disconnections")
                .description("Times the open event connection dropped (events raised meanwhile are lost)")
                .tag("server", server).register(registry);
        events = new BoundedLabels<>(100, type -> Counter.builder("consent_recorder.ari.events")
                .description("ARI events handed to the application, by type").tag("type", type).tag("server", server)
                .register(registry));
        eventLag = Timer.builder("consent_recorder.ari.event.lag")
                .description("From Asterisk's event timestamp to the event being handled").tag("server", server)
                .serviceLevelObjectives(LAG_BUCKETS).register(registry);
        requests = new BoundedLabels<>(200, key -> {
            int sep = key.lastIndexOf(' ');
            return Timer.builder("consent_recorder.ari.request.duration")
                    .description("ARI REST requests, by operation and status class (none: no answer)")
                    .tag("operation", key.substring(0, sep)).tag("status", key.substring(sep + 1)).tag("server", server)
                    .serviceLevelObjectives(REQUEST_BUCKETS).register(registry);
        });
        expectedEvents.forEach(events::get);
        AriOperation.RECORDING_CONTROLS.forEach(operation -> requests.get(operation + " " + statusClass(204)));
    }

    @Override
    public void stateChanged(AriConnection.State from, AriConnection.State to) {
        if (to == AriConnection.State.CONNECTING && from == AriConnection.State.DISCONNECTED) {
            reconnects.increment();
        }
        if (to == AriConnection.State.DISCONNECTED
                && (from == AriConnection.State.CONNECTED || from == AriConnection.State.RESYNCING)) {
            disconnections.increment();
        }
    }

    @Override
    public void eventDelivered(Message event) {
        events.get(event.getType()).increment();
        if (event instanceof Event e && e.getTimestamp() != null) {
            recordLag(e.getTimestamp().getTime());
        }
    }

    /** Counted and lagged as eventDelivered counts a decoded event (AriConnection calls it after the call's turn). */
    @Override
    public void triggerDelivered(org.consentrecorder.ari.TriggerFrame trigger) {
        events.get(trigger.type()).increment();
        long stamped = trigger.timestampMillis();
        if (stamped >= 0) {
            recordLag(stamped);
        }
    }

    /** From Asterisk's stamp (epoch ms) to now; a stamp ahead of our clock counts as no lag. */
    private void recordLag(long stampedAtMillis) {
        eventLag.record(Math.max(0, System.currentTimeMillis() - stampedAtMillis), TimeUnit.MILLISECONDS);
    }

    @Override
    public void requestCompleted(String method, String path, int status, long durationNanos) {
        requests.get(AriOperation.of(method, path) + " " + statusClass(status)).record(durationNanos, TimeUnit.NANOSECONDS);
    }

    /** "2xx" rather than "204": a status is a number, and no label value may be a number. */
    static String statusClass(int status) {
        return status < 100 || status > 599 ? "none" : (status / 100) + "xx";
    }
}
