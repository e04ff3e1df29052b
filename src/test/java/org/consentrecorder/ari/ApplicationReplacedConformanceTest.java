package org.consentrecorder.ari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.Test;

/**
 * The double against {@code src/test/resources/ari-captures/application-replaced.jsonl}, captured from the
 * lab's Asterisk 22.10.1 by {@code bench/asterisk-captures/ApplicationReplacedCapture.java}: the same steps,
 * and the same answers (which socket sees what, the event's fields, the statuses).
 */
class ApplicationReplacedConformanceTest {
    private static final String APP = "consent-recorder";

    /** One socket of the replay, and what it saw: events as JSON, and pongs. */
    private static final class Socket {
        final List<JsonObject> events = new CopyOnWriteArrayList<>();
        final List<String> pongs = new CopyOnWriteArrayList<>();
        WebSocket ws;
    }

    private static List<JsonObject> capture() throws IOException {
        try (InputStream in = ApplicationReplacedConformanceTest.class.getResourceAsStream("/ari-captures/application-replaced.jsonl")) {
            List<JsonObject> lines = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    lines.add(new JsonObject(line));
                }
            }
            return lines;
        }
    }

    private static List<JsonObject> captured(List<JsonObject> lines, String kind, String socket) {
        return lines.stream().filter(l -> l.getString("kind").equals(kind)
                && (socket == null || socket.equals(l.getString("socket")))).toList();
    }

    @Test
    void aSecondConsumerReplacesTheFirst_whichIsToldOnceAndKeptOpenWithoutEvents() throws Exception {
        List<JsonObject> lines = capture();
        // what the real Asterisk did, read from the capture rather than restated here
        List<JsonObject> firstEvents = captured(lines, "ws_event", "first");
        List<JsonObject> secondEvents = captured(lines, "ws_event", "second");
        List<JsonObject> rests = captured(lines, "rest", null);
        assertEquals(1, firstEvents.size(), "capture: the first socket hears one event");
        JsonObject replacedCaptured = firstEvents.get(0).getJsonObject("event");
        assertEquals("ApplicationReplaced", replacedCaptured.getString("type"));
        assertEquals(1, captured(lines, "ws_pong", "first").size(), "capture: the first socket still answers a ping");
        assertEquals(1, secondEvents.size());
        assertEquals(2, rests.size());

        HttpClient http = HttpClient.newHttpClient();
        try (FakeAsterisk fake = FakeAsterisk.start()) {
            Socket first = open(http, fake, "first");
            Socket second = open(http, fake, "second");
            await("ApplicationReplaced on the first socket", () -> first.events.size() == 1);
            JsonObject replaced = first.events.get(0);
            assertEquals(replacedCaptured.fieldNames(), replaced.fieldNames(), "the event's fields, as captured");
            assertEquals(replacedCaptured.getString("application"), replaced.getString("application"));
            assertEquals(replacedCaptured.getString("asterisk_id"), replaced.getString("asterisk_id"));

            first.ws.sendPing(ByteBuffer.wrap(new byte[] {1}));
            await("the first socket's pong", () -> first.pongs.size() == 1);
            assertTrue(!first.ws.isInputClosed() && !first.ws.isOutputClosed(), "the replaced socket stays open");

            HttpResponse<String> during = post(http, fake, rests.get(0).getString("path"));
            assertEquals(rests.get(0).getInteger("status"), during.statusCode());
            await("the user event on the second socket", () -> second.events.size() == 1);
            JsonObject userEvent = second.events.get(0);
            JsonObject userEventCaptured = secondEvents.get(0).getJsonObject("event");
            assertEquals(userEventCaptured.getString("type"), userEvent.getString("type"));
            assertEquals(userEventCaptured.fieldNames(), userEvent.fieldNames());
            Thread.sleep(200);
            assertEquals(1, first.events.size(), "nothing more reaches the replaced socket");

            second.ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
            Thread.sleep(200);
            HttpResponse<String> after = post(http, fake, rests.get(1).getString("path"));
            assertEquals(rests.get(1).getInteger("status"), after.statusCode(),
                    "with its consumer gone the application is not found, the replaced socket does not count");
            assertEquals(rests.get(1).getJsonObject("body").getString("message"),
                    new JsonObject(after.body()).getString("message"));
            assertEquals(1, first.events.size());
            first.ws.abort();
        }
    }

    private static Socket open(HttpClient http, FakeAsterisk fake, String name) {
        Socket s = new Socket();
        String url = "ws://127.0.0.1:" + fake.port() + "/ari/events?app=" + APP + "&subscribeAll=false&api_key="
                + URLEncoder.encode(FakeAsterisk.USER + ":" + FakeAsterisk.PASSWORD, StandardCharsets.UTF_8);
        s.ws = http.newWebSocketBuilder().buildAsync(URI.create(url), new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    s.events.add(new JsonObject(text.toString()));
                    text.setLength(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
                s.pongs.add(name);
                ws.request(1);
                return null;
            }
        }).join();
        return s;
    }

    private static HttpResponse<String> post(HttpClient http, FakeAsterisk fake, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fake.port() + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (FakeAsterisk.USER + ":" + FakeAsterisk.PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
