package org.consentrecorder.ari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.List;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.Test;

/**
 * The double against {@code src/test/resources/ari-captures/event-rehearsal.jsonl}, captured from the lab's Asterisk
 * 22.10.1 by {@code bench/asterisk-captures/AriCaptures.java event-rehearsal}: user events with no source, addressed to an
 * application of their own, are answered and arrive on its socket as Asterisk's did, an application nobody
 * registered is refused, and the application is gone once its socket closes.
 */
class EventRehearsalConformanceTest {

    @Test
    void theDoubleAnswersUserEventsToAnApplicationOfTheirOwnAsAsteriskDid() throws Exception {
        List<JsonObject> lines = CaptureReplay.capture("event-rehearsal.jsonl");
        List<JsonObject> rests = CaptureReplay.captured(lines, "rest", null);
        List<JsonObject> frames = CaptureReplay.captured(lines, "ws_event", "rehearsal").stream()
                .map(l -> l.getJsonObject("event")).toList();
        String app = rests.get(0).getString("path").substring("/ari/applications/".length());
        List<JsonObject> posted = rests.stream().filter(r -> r.getString("method").equals("POST")
                && r.getString("path").endsWith("application=" + app)).toList();
        assertEquals(5, posted.size(), "capture: four user events while the socket was open, one after");
        assertEquals(4, frames.size(), "capture: a frame for each answered one");
        assertTrue(frames.stream().noneMatch(f -> f.containsKey("channel")), "capture: no channel in the frames");

        try (FakeAsterisk fake = FakeAsterisk.start()) {
            CaptureReplay replay = new CaptureReplay(fake);
            CaptureReplay.Socket socket = replay.open("rehearsal", app);
            CaptureReplay.await("the application registered", () -> status(replay, rests.get(0)) == 200);
            HttpResponse<String> registered = replay.replay(rests.get(0));
            assertEquals(rests.get(0).getJsonObject("body").fieldNames(), new JsonObject(registered.body()).fieldNames());

            for (int i = 0; i < 4; i++) {
                HttpResponse<String> answer = replay.replay(posted.get(i));
                assertEquals(posted.get(i).getInteger("status"), answer.statusCode(), posted.get(i).encode());
                assertTrue(answer.body().isEmpty(), "204 has no body");
                int n = i + 1;
                CaptureReplay.await("frame " + n, () -> socket.events.size() >= n);
                JsonObject here = socket.events.get(i);
                JsonObject there = frames.get(i);
                assertEquals(there.fieldNames(), here.fieldNames(), "the frame's fields, as captured");
                assertEquals(there.getString("type"), here.getString("type"));
                assertEquals(there.getString("eventname"), here.getString("eventname"));
                assertEquals(there.getJsonObject("userevent"), here.getJsonObject("userevent"),
                        "the name, and a body's variables, in userevent");
                assertEquals(app, here.getString("application"));
            }

            JsonObject unknown = rests.stream().filter(r -> r.getString("path").contains("no-such-capture-app"))
                    .findFirst().orElseThrow();
            HttpResponse<String> refused = replay.replay(unknown);
            assertEquals(unknown.getInteger("status"), refused.statusCode());
            assertEquals(unknown.getJsonObject("body").getString("message"), new JsonObject(refused.body()).getString("message"));

            socket.ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
            JsonObject gone = rests.stream().filter(r -> r.getString("method").equals("GET") && r.getInteger("status") == 404)
                    .findFirst().orElseThrow();
            CaptureReplay.await("the application gone with its socket", () -> status(replay, gone) == gone.getInteger("status"));
            HttpResponse<String> late = replay.replay(posted.get(4));
            assertEquals(posted.get(4).getInteger("status"), late.statusCode());
            assertEquals(posted.get(4).getJsonObject("body").getString("message"), new JsonObject(late.body()).getString("message"));
            assertEquals(4, socket.events.size(), "nothing arrived after the close");
            assertFalse(rests.stream().anyMatch(r -> r.getInteger("status") >= 500), "capture: no server error");
        }
    }

    private static int status(CaptureReplay replay, JsonObject rest) {
        try {
            return replay.send(rest.getString("method"), rest.getString("path"), null).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
