package org.consentrecorder.ari;

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

/**
 * Replays a capture of {@code src/test/resources/ari-captures/} against the ARI double: reads its lines, opens
 * event WebSockets and sends REST requests the way the capture programs in {@code bench/asterisk-captures/} did.
 */
final class CaptureReplay {
    static final String APP = "consent-recorder";
    private final HttpClient http = HttpClient.newHttpClient();
    private final FakeAsterisk fake;

    CaptureReplay(FakeAsterisk fake) {
        this.fake = fake;
    }

    /** One event WebSocket of the replay, and what it saw: events as JSON, and pongs. */
    static final class Socket {
        final List<JsonObject> events = new CopyOnWriteArrayList<>();
        final List<String> pongs = new CopyOnWriteArrayList<>();
        WebSocket ws;
    }

    static List<JsonObject> capture(String name) throws IOException {
        try (InputStream in = CaptureReplay.class.getResourceAsStream("/ari-captures/" + name)) {
            List<JsonObject> lines = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    lines.add(new JsonObject(line));
                }
            }
            return lines;
        }
    }

    /** The capture's lines of one kind, from one socket (null: any). */
    static List<JsonObject> captured(List<JsonObject> lines, String kind, String socket) {
        return lines.stream().filter(l -> l.getString("kind").equals(kind)
                && (socket == null || socket.equals(l.getString("socket")))).toList();
    }

    Socket open(String name) {
        return open(name, APP);
    }

    /** An event WebSocket for another application than the product's. */
    Socket open(String name, String app) {
        Socket s = new Socket();
        String url = "ws://127.0.0.1:" + fake.port() + "/ari/events?app=" + app + "&subscribeAll=false&api_key="
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

    /** A request as a capture's "rest" line made it: its method, path and request_body (if any). */
    HttpResponse<String> replay(JsonObject rest) throws Exception {
        Object body = rest.getValue("request_body");
        return send(rest.getString("method"), rest.getString("path"), body == null ? null : body.toString());
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fake.port() + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (FakeAsterisk.USER + ":" + FakeAsterisk.PASSWORD).getBytes(StandardCharsets.UTF_8)));
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
