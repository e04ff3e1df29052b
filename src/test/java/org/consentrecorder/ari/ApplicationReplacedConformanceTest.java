package org.consentrecorder.ari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.Test;

/**
 * The double against {@code src/test/resources/ari-captures/application-replaced.jsonl}, captured from the
 * lab's Asterisk 22.10.1 by {@code bench/asterisk-captures/AriCaptures.java application-replaced}: the same steps,
 * and the same answers (which socket sees what, the event's fields, the statuses).
 */
class ApplicationReplacedConformanceTest {
    @Test
    void aSecondConsumerReplacesTheFirst_whichIsToldOnceAndKeptOpenWithoutEvents() throws Exception {
        List<JsonObject> lines = CaptureReplay.capture("application-replaced.jsonl");
        // what the real Asterisk did, read from the capture rather than restated here
        List<JsonObject> firstEvents = CaptureReplay.captured(lines, "ws_event", "first");
        List<JsonObject> secondEvents = CaptureReplay.captured(lines, "ws_event", "second");
        List<JsonObject> rests = CaptureReplay.captured(lines, "rest", null);
        assertEquals(1, firstEvents.size(), "capture: the first socket hears one event");
        JsonObject replacedCaptured = firstEvents.get(0).getJsonObject("event");
        assertEquals("ApplicationReplaced", replacedCaptured.getString("type"));
        assertEquals(1, CaptureReplay.captured(lines, "ws_pong", "first").size(), "capture: the first socket still answers a ping");
        assertEquals(1, secondEvents.size());
        assertEquals(2, rests.size());

        try (FakeAsterisk fake = FakeAsterisk.start()) {
            CaptureReplay replay = new CaptureReplay(fake);
            CaptureReplay.Socket first = replay.open("first");
            CaptureReplay.Socket second = replay.open("second");
            CaptureReplay.await("ApplicationReplaced on the first socket", () -> first.events.size() == 1);
            JsonObject replaced = first.events.get(0);
            assertEquals(replacedCaptured.fieldNames(), replaced.fieldNames(), "the event's fields, as captured");
            assertEquals(replacedCaptured.getString("application"), replaced.getString("application"));
            assertEquals(replacedCaptured.getString("asterisk_id"), replaced.getString("asterisk_id"));

            first.ws.sendPing(ByteBuffer.wrap(new byte[] {1}));
            CaptureReplay.await("the first socket's pong", () -> first.pongs.size() == 1);
            assertTrue(!first.ws.isInputClosed() && !first.ws.isOutputClosed(), "the replaced socket stays open");

            HttpResponse<String> during = replay.replay(rests.get(0));
            assertEquals(rests.get(0).getInteger("status"), during.statusCode());
            CaptureReplay.await("the user event on the second socket", () -> second.events.size() == 1);
            JsonObject userEvent = second.events.get(0);
            JsonObject userEventCaptured = secondEvents.get(0).getJsonObject("event");
            assertEquals(userEventCaptured.getString("type"), userEvent.getString("type"));
            assertEquals(userEventCaptured.fieldNames(), userEvent.fieldNames());
            Thread.sleep(200);
            assertEquals(1, first.events.size(), "nothing more reaches the replaced socket");

            second.ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
            Thread.sleep(200);
            HttpResponse<String> after = replay.replay(rests.get(1));
            assertEquals(rests.get(1).getInteger("status"), after.statusCode(),
                    "with its consumer gone the application is not found, the replaced socket does not count");
            assertEquals(rests.get(1).getJsonObject("body").getString("message"),
                    new JsonObject(after.body()).getString("message"));
            assertEquals(1, first.events.size());
            first.ws.abort();
        }
    }
}
