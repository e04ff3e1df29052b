package org.consentrecorder.simulator;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;

/** A channel as the double keeps it. Mutated only on the double's context. */
final class SimulatedChannel {
    final String id;
    final String name;
    final Instant created;
    String state;
    String callerName;
    String callerNumber;
    String connectedName;
    String connectedNumber;
    String context;
    String exten;
    long priority;
    String appName;
    String appData;
    String language;
    JsonObject channelVars;

    /** The Stasis application the channel is in, or null when it runs dialplan. */
    String stasisApp;
    /** Applications subscribed with POST /applications/{app}/subscription. */
    final Set<String> subscribedApps = new LinkedHashSet<>();
    /** For snoop channels: the channel they spy on. */
    String spiedChannelId;
    /** For snoop channels: the direction they spy on (in, out, both, none). */
    String spy;
    /** Playbacks on this channel: the head is playing, the rest are queued. */
    final Deque<SimulatedPlayback> playbacks = new ArrayDeque<>();
    /** Channel commands Asterisk holds until the current playback ends (command-queue-vs-playback). */
    final Deque<Runnable> heldCommands = new ArrayDeque<>();
    final java.util.Map<String, String> variables = new java.util.HashMap<>();
    boolean gone;

    SimulatedChannel(String id, String name, Instant created) {
        this.id = id;
        this.name = name;
        this.created = created;
    }

    boolean inStasis() {
        return stasisApp != null;
    }

    boolean isSnoop() {
        return spiedChannelId != null;
    }

    /** Applications that receive this channel's events. */
    Set<String> audience() {
        Set<String> apps = new LinkedHashSet<>(subscribedApps);
        if (stasisApp != null) {
            apps.add(stasisApp);
        }
        return apps;
    }
}
