package org.consentrecorder.observability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Blocking HTTP for these tests: real requests over loopback to the running application. */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {
    }

    static HttpResponse<String> get(int port, String path, String bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).GET();
        if (bearer != null) {
            b.header("authorization", "Bearer " + bearer);
        }
        return send(b.build());
    }

    static HttpResponse<String> postJson(int port, String path, String bearer, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (bearer != null) {
            b.header("authorization", "Bearer " + bearer);
        }
        return send(b.build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + ": " + e, e);
        }
    }

    /** Logs in through the admin API; returns the session token. */
    static String login(int port, String user, String password) {
        HttpResponse<String> r = postJson(port, "/api/v1/auth/login", null,
                new io.vertx.core.json.JsonObject().put("username", user).put("password", password).encode());
        if (r.statusCode() != 200) {
            throw new AssertionError("login " + user + ": " + r.statusCode() + " " + r.body());
        }
        return new io.vertx.core.json.JsonObject(r.body()).getString("token");
    }

    static Scrape scrape(int port, String bearer) {
        HttpResponse<String> r = get(port, "/metrics", bearer);
        if (r.statusCode() != 200) {
            throw new AssertionError("/metrics: " + r.statusCode() + " " + r.body());
        }
        return Scrape.parse(r.body());
    }
}
