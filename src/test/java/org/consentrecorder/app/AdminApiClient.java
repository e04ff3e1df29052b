package org.consentrecorder.app;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** The admin API of an application process, over plain HTTP, as an operator's script would use it. */
final class AdminApiClient {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Reply(int status, String body) {
        JsonObject json() {
            return new JsonObject(body);
        }
    }

    private final int port;
    private final String token;

    private AdminApiClient(int port, String token) {
        this.port = port;
        this.token = token;
    }

    static AdminApiClient login(int port, String user, String password) throws Exception {
        AdminApiClient anonymous = new AdminApiClient(port, null);
        Reply r = anonymous.send("POST", "/auth/login", new JsonObject().put("username", user).put("password", password));
        if (r.status() != 200) {
            throw new AssertionError("login of " + user + ": " + r);
        }
        return new AdminApiClient(port, r.json().getString("token"));
    }

    Reply get(String path) throws Exception {
        return send("GET", path, null);
    }

    Reply post(String path, JsonObject body) throws Exception {
        return send("POST", path, body);
    }

    /** A request whose answer may never come (the application is stopped at a crash point meanwhile). */
    CompletableFuture<HttpResponse<String>> postAsync(String path, JsonObject body) {
        return HTTP.sendAsync(request("POST", path, body), HttpResponse.BodyHandlers.ofString());
    }

    byte[] audio(java.util.UUID recordingId, String reason) throws IOException, InterruptedException {
        HttpResponse<byte[]> res = HTTP.send(request("GET", "/recordings/" + recordingId + "/audio?reason="
                + URLEncoder.encode(reason, StandardCharsets.UTF_8), null), HttpResponse.BodyHandlers.ofByteArray());
        if (res.statusCode() != 200) {
            throw new AssertionError("playback of " + recordingId + ": HTTP " + res.statusCode() + " "
                    + new String(res.body(), StandardCharsets.UTF_8));
        }
        return res.body();
    }

    private Reply send(String method, String path, JsonObject body) throws IOException, InterruptedException {
        HttpResponse<String> res = HTTP.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
        return new Reply(res.statusCode(), res.body());
    }

    private HttpRequest request(String method, String path, JsonObject body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1" + path))
                .timeout(Duration.ofSeconds(60));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("content-type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return b.build();
    }
}
