package org.consentrecorder.simulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** JSON bodies shaped exactly like Asterisk 22's (see ../shared/ari-fixtures). */
final class AriJson {
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ")
            .withZone(ZoneOffset.UTC);

    private AriJson() {
    }

    static String timestamp(Instant at) {
        return TS.format(at);
    }

    static JsonObject channel(SimulatedChannel c) {
        JsonObject json = new JsonObject()
                .put("id", c.id)
                .put("name", c.name)
                .put("state", c.state)
                .put("protocol_id", "")
                .put("caller", new JsonObject().put("name", c.callerName).put("number", c.callerNumber))
                .put("connected", new JsonObject().put("name", c.connectedName).put("number", c.connectedNumber))
                .put("accountcode", "")
                .put("dialplan", new JsonObject()
                        .put("context", c.context)
                        .put("exten", c.exten)
                        .put("priority", c.priority)
                        .put("app_name", c.appName)
                        .put("app_data", c.appData))
                .put("creationtime", timestamp(c.created))
                .put("language", c.language);
        if (c.channelVars != null) {
            json.put("channelvars", c.channelVars.copy());
        }
        return json;
    }

    static JsonObject playback(SimulatedPlayback p) {
        return new JsonObject()
                .put("id", p.id)
                .put("media_uri", p.media)
                .put("target_uri", "channel:" + p.channelId)
                .put("language", p.language)
                .put("state", p.state);
    }

    static JsonObject recording(SimulatedRecording r, String state, boolean withDuration) {
        JsonObject json = new JsonObject()
                .put("name", r.name)
                .put("format", r.format)
                .put("state", state)
                .put("target_uri", "channel:" + r.channelId);
        if (withDuration) {
            json.put("duration", (int) (r.recordedMillis() / 1000));
        }
        return json;
    }

    static JsonObject application(String name, Iterable<String> channelIds) {
        JsonArray ids = new JsonArray();
        channelIds.forEach(ids::add);
        return new JsonObject()
                .put("name", name)
                .put("channel_ids", ids)
                .put("bridge_ids", new JsonArray())
                .put("endpoint_ids", new JsonArray())
                .put("device_names", new JsonArray())
                .put("events_allowed", new JsonArray())
                .put("events_disallowed", new JsonArray());
    }

    static JsonObject error(String message) {
        return new JsonObject().put("message", message);
    }
}
