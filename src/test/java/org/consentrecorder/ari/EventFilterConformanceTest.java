package org.consentrecorder.ari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.Test;

/**
 * The double against {@code src/test/resources/ari-captures/event-filter.jsonl}, captured from the lab's Asterisk
 * 22.10.1 by {@code bench/asterisk-captures/AriCaptures.java event-filter}: the same filter requests get the same
 * statuses and lists, a filtered application hears only the allowed types, and the filter is gone once the
 * application's last WebSocket closes.
 *
 * <p>The capture originates a Local channel into the application; the double does not originate (it answers
 * 501), so its call is placed from the phone side. What is compared is what follows from the same REST steps on
 * that channel up to its StasisEnd: a user event, a variable, a hang-up. (An originated channel stays subscribed
 * after its StasisEnd, so the capture also shows its ChannelDestroyed; a call placed from the phone side does not.)
 */
class EventFilterConformanceTest {
    private static final String FILTER_PATH = "/ari/applications/" + CaptureReplay.APP + "/eventFilter";

    @Test
    void theDoubleFiltersAsAsteriskDid() throws Exception {
        List<JsonObject> lines = CaptureReplay.capture("event-filter.jsonl");
        List<JsonObject> rests = CaptureReplay.captured(lines, "rest", null);
        JsonObject put = rests.get(0);
        assertEquals(FILTER_PATH, put.getString("path"));
        JsonArray allowedCaptured = put.getJsonObject("body").getJsonArray("events_allowed");
        Set<String> allowed = types(allowedCaptured);
        assertEquals(5, allowed.size(), "capture: five types allowed");
        // what a filtered socket heard, on the channel the steps were made on
        Set<String> filteredHeard = typesOn(CaptureReplay.captured(lines, "ws_event", "first"), "capture-filter-1");
        assertTrue(allowed.containsAll(filteredHeard), "capture: only allowed types reached the filtered socket");
        Set<String> unfilteredHeard = typesOn(CaptureReplay.captured(lines, "ws_event", "second"), "capture-filter-2");
        assertTrue(unfilteredHeard.containsAll(Set.of("ChannelVarset", "ChannelHangupRequest")),
                "capture: unfiltered, the variable and the hang-up are heard: " + unfilteredHeard);

        try (FakeAsterisk fake = FakeAsterisk.start()) {
            CaptureReplay replay = new CaptureReplay(fake);
            CaptureReplay.Socket first = replay.open("first");
            CaptureReplay.await("the application registered", () -> appStatus(replay) == 200);

            HttpResponse<String> filtered = replay.replay(put);
            assertEquals(put.getInteger("status"), filtered.statusCode());
            assertEquals(allowedCaptured, new JsonObject(filtered.body()).getJsonArray("events_allowed"));
            assertEquals(put.getJsonObject("body").fieldNames(), new JsonObject(filtered.body()).fieldNames(),
                    "the Application model's fields, as captured");

            String call = steps(replay, fake);
            CaptureReplay.await("the filtered call's end", () -> typesOn(first.events, call).contains("StasisEnd"));
            Thread.sleep(200);
            Set<String> filteredHere = typesOn(first.events, call);
            assertTrue(filteredHeard.containsAll(filteredHere), "the filtered socket hears what Asterisk's did: " + filteredHere);
            assertTrue(allowed.containsAll(first.events.stream().map(e -> e.getString("type")).collect(Collectors.toSet())));

            // the shapes Asterisk refuses or ignores, each answered as captured and leaving the filter as it was
            for (JsonObject rest : rests) {
                if (rest.getString("method").equals("PUT") && rest != put && rest.getValue("request_body") != null
                        && !rest.getJsonObject("request_body").isEmpty()) {
                    HttpResponse<String> answer = replay.replay(rest);
                    assertEquals(rest.getInteger("status"), answer.statusCode(), rest.encode());
                    JsonObject body = new JsonObject(answer.body());
                    if (rest.getInteger("status") == 200) {
                        assertEquals(allowedCaptured, body.getJsonArray("events_allowed"), "ignored: " + rest.encode());
                    } else {
                        assertEquals(rest.getJsonObject("body").getString("message"), body.getString("message"));
                    }
                }
            }
            assertEquals(allowedCaptured, new JsonObject(replay.send("GET", "/ari/applications/" + CaptureReplay.APP, null)
                    .body()).getJsonArray("events_allowed"));

            first.ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
            JsonObject afterClose = rests.stream().filter(r -> r.getInteger("status") == 404
                    && r.getString("method").equals("GET")).findFirst().orElseThrow();
            CaptureReplay.await("the application gone with its socket", () -> appStatus(replay) == afterClose.getInteger("status"));

            CaptureReplay.Socket second = replay.open("second");
            CaptureReplay.await("the application registered again", () -> appStatus(replay) == 200);
            assertEquals(new JsonArray(), new JsonObject(replay.send("GET", "/ari/applications/" + CaptureReplay.APP, null)
                    .body()).getJsonArray("events_allowed"), "registered again, the application starts unfiltered");
            String again = steps(replay, fake);
            CaptureReplay.await("the unfiltered call's end", () -> typesOn(second.events, again).contains("StasisEnd"));
            Thread.sleep(200);
            Set<String> unfilteredHere = typesOn(second.events, again);
            assertTrue(unfilteredHere.containsAll(Set.of("ChannelVarset", "ChannelHangupRequest")),
                    "unfiltered, the variable and the hang-up are heard: " + unfilteredHere);
            Set<String> passed = new TreeSet<>(unfilteredHere);
            passed.retainAll(allowed);
            assertEquals(passed, filteredHere, "filtered, the same steps are heard but for the types not allowed");

            JsonObject clear = rests.stream().filter(r -> r.getValue("request_body") instanceof JsonObject b && b.isEmpty())
                    .findFirst().orElseThrow();
            replay.replay(put);
            HttpResponse<String> cleared = replay.replay(clear);
            assertEquals(clear.getInteger("status"), cleared.statusCode());
            assertEquals(clear.getJsonObject("body").getJsonArray("events_allowed"),
                    new JsonObject(cleared.body()).getJsonArray("events_allowed"), "{} clears the filter");
            assertFalse(rests.stream().anyMatch(r -> r.getInteger("status") >= 500), "capture: no server error");
            second.ws.abort();
        }
    }

    /** A call in the application, then the capture's steps on it: a user event, a variable, a hang-up. */
    private static String steps(CaptureReplay replay, FakeAsterisk fake) throws Exception {
        String id = fake.placeCall("+15550100");
        assertEquals(204, replay.send("POST", "/ari/events/user/CaptureProbe?application=" + CaptureReplay.APP
                + "&source=channel:" + id, null).statusCode());
        assertEquals(204, replay.send("POST", "/ari/channels/" + id + "/variable?variable=CAPTURE_VAR&value=1", null)
                .statusCode());
        assertEquals(204, replay.send("DELETE", "/ari/channels/" + id, null).statusCode());
        return id;
    }

    private static int appStatus(CaptureReplay replay) {
        try {
            return replay.send("GET", "/ari/applications/" + CaptureReplay.APP, null).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> types(JsonArray list) {
        return list.stream().map(o -> ((JsonObject) o).getString("type")).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The types of the events about one channel; a line of a capture holds its event under "event". */
    private static Set<String> typesOn(List<JsonObject> events, String channel) {
        return events.stream().map(e -> e.containsKey("event") ? e.getJsonObject("event") : e)
                .filter(e -> e.getJsonObject("channel") != null && channel.equals(e.getJsonObject("channel").getString("id")))
                .map(e -> e.getString("type")).collect(Collectors.toCollection(TreeSet::new));
    }
}
