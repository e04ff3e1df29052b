package org.consentrecorder.bench.asterisk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * ARI over the JDK's own HTTP client and WebSocket, nothing else: no ari4java, no Vert.x, no
 * database. The benchmark's caller and its reference pause app use it, so that what they measure
 * is Asterisk and the product, not a shared client library.
 */
final class RawAri implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Status and parsed body (null when empty or not JSON). */
    record Response(int status, JsonNode body, byte[] bytes) {
        boolean ok() {
            return status / 100 == 2;
        }
    }

    private final URI base;
    private final String authorization;
    private final String credentials;
    private final HttpClient http;
    private WebSocket ws;
    /** The instrument client's executor: completes requests and hands over events; the polls block callers, not it. */
    private static final int INSTRUMENT_THREADS = 8;

    RawAri(URI base, String user, String password) {
        this(base, user, password, false);
    }

    /**
     * instrument: every thread of this client (its selector, and the executor that completes its requests and
     * hands over its events) runs at the instrument's priority ({@link InstrumentPriority}); the reference app's
     * client is not one.
     */
    RawAri(URI base, String user, String password, boolean instrument) {
        this.base = base;
        this.credentials = user + ":" + password;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
        // HTTP/1.1 keep-alive; Asterisk serves one request at a time per connection, the client pools
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(3));
        if (!instrument || InstrumentPriority.priority() <= 0) {
            this.http = builder.build();
            return;
        }
        // a fixed pool, every thread promoted before the first request (see InstrumentPriority.prestarted)
        builder.executor(InstrumentPriority.prestarted(INSTRUMENT_THREADS, "instrument-http"));
        // the selector thread starts while the client is built: it is the one that appears
        java.util.Set<Long> before = InstrumentPriority.threads();
        this.http = builder.build();
        java.util.Set<Long> started = InstrumentPriority.threads();
        started.removeAll(before);
        for (long tid : started) {
            InstrumentPriority.promote(tid);
        }
    }

    URI base() {
        return base;
    }

    /** The Basic credentials header value, for the benchmark's own poller (never logged). */
    String authorization() {
        return authorization;
    }

    static String query(Map<String, String> params) {
        StringJoiner j = new StringJoiner("&", "?", "");
        j.setEmptyValue("");
        params.forEach((k, v) -> j.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return j.toString();
    }

    CompletableFuture<Response> request(String method, String path, Map<String, String> params) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/ari" + path + query(params)))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", authorization);
        b.method(method, HttpRequest.BodyPublishers.noBody());
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray()).thenApply(r -> {
            JsonNode body = null;
            byte[] bytes = r.body();
            if (bytes.length > 0 && r.headers().firstValue("content-type").orElse("").contains("json")) {
                try {
                    body = JSON.readTree(bytes);
                } catch (IOException e) {
                    body = null;
                }
            }
            return new Response(r.statusCode(), body, bytes);
        });
    }

    Response call(String method, String path, Map<String, String> params) {
        return request(method, path, params).join();
    }

    /** Opens the event WebSocket for the given applications; events are handed over in order, on the socket's thread. */
    void connect(String apps, boolean subscribeAll, Consumer<JsonNode> onEvent) {
        String wsBase = base.toString().replaceFirst("^http", "ws");
        URI uri = URI.create(wsBase + "/ari/events" + query(Map.of("app", apps, "subscribeAll", String.valueOf(subscribeAll),
                "api_key", credentials)));
        ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(3)).buildAsync(uri, new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String text = partial.toString();
                    partial.setLength(0);
                    try {
                        onEvent.accept(JSON.readTree(text));
                    } catch (IOException | RuntimeException e) {
                        System.err.println("bench: event not handled: " + e);
                    }
                }
                socket.request(1);
                return null;
            }
        }).join();
    }

    @Override
    public void close() {
        if (ws != null) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null).join();
            ws.abort();
        }
    }
}
