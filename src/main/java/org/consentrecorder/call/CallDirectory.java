package org.consentrecorder.call;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.consentrecorder.call.CallRegistry.ControlResult;
import org.consentrecorder.call.CallRegistry.LiveCall;

/**
 * The live calls of every Asterisk server this instance serves: one {@link CallRegistry} per server, each fed by its
 * own ARI connection, so that a server going away touches only its own calls. The admin API, health and metrics read
 * through this; an API control goes to the registry that holds the call (call ids are random UUIDs, unique across
 * servers, while Asterisk's channel ids are unique on one server only).
 */
public final class CallDirectory {
    private final Map<String, CallRegistry> registries;

    public CallDirectory(List<CallRegistry> registries) {
        Map<String, CallRegistry> byServer = new LinkedHashMap<>();
        for (CallRegistry r : registries) {
            if (byServer.putIfAbsent(r.server(), r) != null) {
                throw new IllegalArgumentException("two call registries for server " + r.server());
            }
        }
        if (byServer.isEmpty()) {
            throw new IllegalArgumentException("no call registry");
        }
        this.registries = java.util.Collections.unmodifiableMap(byServer);
    }

    /** One server's calls (tests, tools). */
    public static CallDirectory of(CallRegistry registry) {
        return new CallDirectory(List.of(registry));
    }

    /** The registry of {@code server}, if it is one of ours. */
    public Optional<CallRegistry> registry(String server) {
        return Optional.ofNullable(registries.get(server));
    }

    public List<CallRegistry> registries() {
        return List.copyOf(registries.values());
    }

    public int liveCount() {
        return registries.values().stream().mapToInt(CallRegistry::liveCount).sum();
    }

    /** Every server's live calls (each call's state read on its own context). */
    public Future<List<LiveCall>> liveCalls() {
        List<Future<List<LiveCall>>> parts = new ArrayList<>();
        registries.values().forEach(r -> parts.add(r.liveCalls()));
        return Future.all(parts).map(all -> {
            List<LiveCall> out = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                out.addAll(all.<List<LiveCall>>resultAt(i));
            }
            return out;
        });
    }

    /** Pause, resume or stop a live call's recording through the server the call is on. */
    public Future<ControlResult> control(UUID callId, ControlAction action, String requestedBy) {
        for (CallRegistry r : registries.values()) {
            if (r.holds(callId)) {
                return r.control(callId, action, requestedBy);
            }
        }
        return Future.succeededFuture(ControlResult.notFound());
    }

    /** Events that arrived but could not be made sense of, on every server. */
    public long eventsUntranslatable() {
        return registries.values().stream().mapToLong(CallRegistry::eventsUntranslatable).sum();
    }

    /** Reports calls, decisions and recording changes of every server to {@code metrics} from now on. */
    public void useMetrics(CallMetrics metrics) {
        registries.values().forEach(r -> r.useMetrics(metrics));
    }
}
