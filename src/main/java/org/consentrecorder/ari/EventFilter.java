package org.consentrecorder.ari;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

/**
 * The event types an application asks Asterisk for ({@code PUT /applications/{app}/eventFilter}, ARI since
 * 13.26 and 16.3). Why: Asterisk sends an application every event of every channel it holds, and many of them
 * are types this application ignores (ChannelVarset for each variable set, ChannelDialplan for each dialplan
 * step, ChannelStateChange, ChannelCallerId, ChannelConnectedLine, bridge events: 142 of the 340 events
 * captured in ../shared/ari-fixtures). Each one costs Asterisk a JSON dump and a WebSocket write at real-time
 * priority, and costs us a decode on the one thread that reads every event, where a payment trigger waits
 * behind it (issue 14). Asterisk drops a filtered event before
 * writing it ({@code ari_websocket_send_event}, res/ari/ari_websockets.c).
 *
 * <p>As a real Asterisk 22 does it ({@code src/test/resources/ari-captures/event-filter.jsonl}): the body is the
 * filter itself, {@code {"allowed":[{"type":…},…]}}; a list that is not an array of objects with a type is
 * refused (400), an unknown application is 404, and the filter is forgotten with the application when its last
 * WebSocket closes. ari4java's request for this endpoint wraps the body in {@code {"filter":…}}, which Asterisk
 * answers 200 and ignores, hence a request of our own.
 */
public final class EventFilter {
    private final Set<String> allowed;

    private EventFilter(Set<String> allowed) {
        this.allowed = allowed;
    }

    /** Allows exactly these types; an empty set would mean "every type" to Asterisk, so it is refused. */
    public static EventFilter allowing(Set<String> types) {
        TreeSet<String> all = new TreeSet<>(types);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("an event filter allows at least one type");
        }
        for (String type : all) {
            if (type == null || !type.matches("[A-Za-z]{1,64}")) {
                throw new IllegalArgumentException("not an ARI event type: " + type);
            }
        }
        return new EventFilter(java.util.Collections.unmodifiableSet(all));
    }

    public Set<String> allowed() {
        return allowed;
    }

    public int size() {
        return allowed.size();
    }

    /** The request path, below ARI's base path. */
    public String path(String application) {
        return "/applications/" + URLEncoder.encode(application, StandardCharsets.UTF_8).replace("+", "%20") + "/eventFilter";
    }

    /** The request body, the filter itself. */
    public String body() {
        JsonArray list = new JsonArray();
        allowed.forEach(type -> list.add(new JsonObject().put("type", type)));
        return new JsonObject().put("allowed", list).encode();
    }
}
