package org.consentrecorder.call;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which of two concurrent things reached the application first, in the traffic captured from a
 * real Asterisk ({@code src/test/resources/ari-fixtures/*.jsonl}): an event and the answer to the
 * request that caused it, or two events raised by one hangup. The randomized test of the core
 * must have produced every order seen there.
 */
enum FixtureOrders {
    PLAYBACK_STARTED_BEFORE_PLAY_ANSWER,
    PLAYBACK_STARTED_AFTER_PLAY_ANSWER,
    SNOOP_STASIS_START_BEFORE_SNOOP_ANSWER,
    SNOOP_STASIS_START_AFTER_SNOOP_ANSWER,
    RECORDING_STARTED_BEFORE_RECORD_ANSWER,
    RECORDING_STARTED_AFTER_RECORD_ANSWER,
    STASIS_END_BEFORE_CONTINUE_ANSWER,
    STASIS_END_AFTER_CONTINUE_ANSWER,
    RECORDING_FINISHED_BEFORE_HANGUP_REQUEST,
    RECORDING_FINISHED_AFTER_HANGUP_REQUEST,
    PLAYBACK_FINISHED_AFTER_HANGUP_REQUEST,
    RECORDING_FINISHED_BEFORE_CHANNEL_LEFT,
    RECORDING_FINISHED_AFTER_CHANNEL_LEFT;

    static final List<String> SCENARIOS = List.of("command-queue-vs-playback", "consent-accept", "consent-decline",
            "continue-and-subscribe", "continue-without-subscribe", "errors", "no-input", "ws-reconnect");
    private static final String APP = "consent-recorder";
    private static final Pattern CHANNEL_REQUEST = Pattern.compile("/ari/channels/([^/?]+)/(play|snoop|record|continue)");

    /** One line of a capture: an event for the application, or the answer to one of its requests. */
    private record Line(int seq, double tMs, JsonObject event, JsonObject rest) {
    }

    /** The orders seen in all the captures. */
    static Set<FixtureOrders> observed() {
        Set<FixtureOrders> seen = EnumSet.noneOf(FixtureOrders.class);
        for (String scenario : SCENARIOS) {
            seen.addAll(observedIn(read(scenario)));
        }
        return seen;
    }

    private static Set<FixtureOrders> observedIn(List<Line> lines) {
        Set<FixtureOrders> seen = EnumSet.noneOf(FixtureOrders.class);
        Set<String> callers = new HashSet<>();
        Map<String, Line> firstEvent = new HashMap<>();
        Line hangup = null;
        for (Line l : lines) {
            if (l.event() == null) {
                continue;
            }
            JsonObject e = l.event();
            String type = e.getString("type");
            String key = type + ":" + objectId(e);
            firstEvent.putIfAbsent(key, l);
            if (type.equals("StasisStart") && e.getJsonArray("args", new io.vertx.core.json.JsonArray()).contains("inbound")) {
                callers.add(e.getJsonObject("channel").getString("id"));
            }
            if (type.equals("ChannelHangupRequest") && callers.contains(objectId(e)) && hangup == null) {
                hangup = l;
            }
        }
        for (Line l : lines) {
            if (l.rest() == null || !l.rest().getString("method").equals("POST")) {
                continue;
            }
            Matcher m = CHANNEL_REQUEST.matcher(l.rest().getString("path"));
            JsonObject body = l.rest().getJsonObject("body");
            int status = l.rest().getInteger("status");
            if (!m.find() || status >= 300) {
                continue;
            }
            String verb = m.group(2);
            Line ev = switch (verb) {
                case "play" -> body == null ? null : firstEvent.get("PlaybackStarted:" + body.getString("id"));
                case "snoop" -> body == null ? null : firstEvent.get("StasisStart:" + body.getString("id"));
                case "record" -> body == null ? null : firstEvent.get("RecordingStarted:" + body.getString("name"));
                default -> lines.stream().filter(x -> x.event() != null && x.event().getString("type").equals("StasisEnd")
                        && m.group(1).equals(objectId(x.event())) && x.tMs() >= l.rest().getDouble("request_t_ms"))
                        .findFirst().orElse(null);
            };
            if (ev == null) {
                continue;
            }
            boolean before = ev.seq() < l.seq();
            seen.add(switch (verb) {
                case "play" -> before ? PLAYBACK_STARTED_BEFORE_PLAY_ANSWER : PLAYBACK_STARTED_AFTER_PLAY_ANSWER;
                case "snoop" -> before ? SNOOP_STASIS_START_BEFORE_SNOOP_ANSWER : SNOOP_STASIS_START_AFTER_SNOOP_ANSWER;
                case "record" -> before ? RECORDING_STARTED_BEFORE_RECORD_ANSWER : RECORDING_STARTED_AFTER_RECORD_ANSWER;
                default -> before ? STASIS_END_BEFORE_CONTINUE_ANSWER : STASIS_END_AFTER_CONTINUE_ANSWER;
            });
        }
        if (hangup != null) {
            Line hung = hangup;
            String caller = objectId(hung.event());
            for (Line l : lines) {
                if (l.event() == null) {
                    continue;
                }
                String type = l.event().getString("type");
                boolean before = l.seq() < hung.seq();
                if (type.equals("RecordingFinished")) {
                    seen.add(before ? RECORDING_FINISHED_BEFORE_HANGUP_REQUEST : RECORDING_FINISHED_AFTER_HANGUP_REQUEST);
                    // the caller's channel leaving after the hangup: StasisEnd, or ChannelDestroyed when subscribed
                    lines.stream().filter(x -> x.event() != null && x.seq() > hung.seq()
                                    && caller.equals(objectId(x.event()))
                                    && List.of("StasisEnd", "ChannelDestroyed").contains(x.event().getString("type")))
                            .findFirst()
                            .ifPresent(left -> seen.add(l.seq() < left.seq() ? RECORDING_FINISHED_BEFORE_CHANNEL_LEFT
                                    : RECORDING_FINISHED_AFTER_CHANNEL_LEFT));
                } else if (type.equals("PlaybackFinished") && "failed".equals(l.event().getJsonObject("playback").getString("state"))
                        && !before) {
                    // a prompt cut short by the hangup
                    seen.add(PLAYBACK_FINISHED_AFTER_HANGUP_REQUEST);
                }
            }
        }
        return seen;
    }

    private static String objectId(JsonObject e) {
        for (String k : List.of("channel", "playback", "recording")) {
            JsonObject o = e.getJsonObject(k);
            if (o != null) {
                return o.getString(k.equals("recording") ? "name" : "id");
            }
        }
        return "";
    }

    private static List<Line> read(String scenario) {
        String resource = "/ari-fixtures/" + scenario + ".jsonl";
        List<Line> lines = new ArrayList<>();
        try (InputStream in = FixtureOrders.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String s = r.readLine(); s != null; s = r.readLine()) {
                JsonObject o = new JsonObject(s);
                if (o.getString("kind").equals("note") && o.getString("text", "").startsWith("cleanup:")) {
                    break;
                }
                JsonObject event = o.getString("kind").equals("ws_event")
                        && APP.equals(o.getJsonObject("event").getString("application")) ? o.getJsonObject("event") : null;
                JsonObject rest = o.getString("kind").equals("rest") ? o : null;
                if (event != null || rest != null) {
                    lines.add(new Line(o.getInteger("seq"), o.getDouble("t_ms"), event, rest));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }
}
