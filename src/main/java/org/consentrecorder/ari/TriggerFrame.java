package org.consentrecorder.ari;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * A payment trigger (a {@code ChannelDtmfReceived} or {@code ChannelUserevent}) read straight off its event
 * frame, before ari4java maps the frame into its model: the pause path (issue 14). On a real Asterisk at
 * idle, ari4java's mapping took 250-600 µs of the 1-2 ms between the frame and the pause request (temporary
 * probes, 2026-11-28); a streaming parser reads these few fields without building any model.
 *
 * <p>The rule: {@link #read} takes only the unambiguous form of the two events (the type first, as Asterisk
 * writes it, every field it needs a JSON string, the channel an object with a string id, no duplicate key,
 * nothing after the object) and answers null for anything else. Null is not an error: the frame then takes
 * the ordinary path through ari4java, which decodes, translates or drops it exactly as it would without this
 * class. So a frame is never read two ways, and what this class accepts means what ari4java's model says.
 */
public record TriggerFrame(String type, String channelId, String digit, String eventName, String timestamp) {
    public static final String DTMF = "ChannelDtmfReceived";
    public static final String USER_EVENT = "ChannelUserevent";
    private static final String DTMF_PREFIX = "{\"type\":\"" + DTMF + "\"";
    private static final String USER_EVENT_PREFIX = "{\"type\":\"" + USER_EVENT + "\"";
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** The trigger in this frame, or null when the frame is anything else (see the class comment). */
    public static TriggerFrame read(String frame) {
        // a prefix test first: every other event (most of them) costs one comparison
        if (frame == null || !(frame.startsWith(DTMF_PREFIX) || frame.startsWith(USER_EVENT_PREFIX))) {
            return null;
        }
        try (JsonParser p = JSON.createParser(frame)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String type = null;
            String channel = null;
            String digit = null;
            String eventName = null;
            String timestamp = null;
            boolean channelSeen = false;
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                boolean wantsString = field.equals("type") || field.equals("digit") || field.equals("eventname")
                        || field.equals("timestamp");
                if (wantsString && value != JsonToken.VALUE_STRING) {
                    // a null or a number where a string belongs: ari4java decides what that means
                    return null;
                }
                switch (field) {
                    case "type" -> type = p.getText();
                    case "digit" -> digit = p.getText();
                    case "eventname" -> eventName = p.getText();
                    case "timestamp" -> timestamp = p.getText();
                    case "channel" -> {
                        channelSeen = true;
                        channel = value == JsonToken.START_OBJECT ? idOf(p) : null;
                        if (channel == null) {
                            return null;
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null || !channelSeen || type == null) {
                return null;
            }
            if (type.equals(DTMF) && digit != null && eventName == null) {
                return new TriggerFrame(type, channel, digit, null, timestamp);
            }
            if (type.equals(USER_EVENT) && eventName != null && digit == null) {
                return new TriggerFrame(type, channel, null, eventName, timestamp);
            }
            return null;
        } catch (IOException | RuntimeException e) {
            // malformed JSON, a duplicate key, nesting beyond the parser's limits: the ordinary path reports it
            return null;
        }
    }

    /** How Asterisk writes an event's timestamp: 2026-11-24T16:41:27.427+0000. */
    private static final DateTimeFormatter ASTERISK_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    /**
     * When Asterisk raised the event, in epoch milliseconds; -1 when the frame has no timestamp or one Asterisk
     * does not write (ari4java would have none either). For the event lag, after the pause has left: the
     * warm-up runs it too (app.HotPathWarmup), because interpreted, as the few triggers of the first calls left
     * it, it took 0.2-2 ms of the event socket's loop (temporary probes on the lab Asterisk, 2026-11-28).
     */
    public long timestampMillis() {
        if (timestamp == null) {
            return -1;
        }
        try {
            return OffsetDateTime.parse(timestamp, ASTERISK_TIME).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return -1;
        }
    }

    /** The channel object's id, the rest of it skipped; null when the id is missing or not a string. */
    private static String idOf(JsonParser p) throws IOException {
        String id = null;
        boolean bad = false;
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("id")) {
                if (value == JsonToken.VALUE_STRING) {
                    id = p.getText();
                } else {
                    bad = true;
                }
            }
            p.skipChildren();
        }
        return bad ? null : id;
    }
}
