package org.consentrecorder.console;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** The admin API and the console's files over plain HTTP, for setting up and checking what the browser did. */
final class ApiCalls {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final String base;

    ApiCalls(String base) {
        this.base = base;
    }

    HttpResponse<byte[]> send(String method, String path, String token, JsonObject body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.encode()));
        if (token != null) {
            b.header("authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("content-type", "application/json");
        }
        headers.forEach(b::header);
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonObject json(String method, String path, String token, JsonObject body, int expected) {
        HttpResponse<byte[]> r = send(method, path, token, body, Map.of());
        String text = new String(r.body(), StandardCharsets.UTF_8);
        if (r.statusCode() != expected) {
            throw new AssertionError(method + " " + path + ": expected " + expected + ", got " + r.statusCode() + " " + text);
        }
        return text.isEmpty() ? new JsonObject() : new JsonObject(text);
    }

    JsonObject get(String path, String token) {
        return json("GET", path, token, null, 200);
    }

    int status(String path, String token) {
        return send("GET", path, token, null, Map.of()).statusCode();
    }

    String login(String username, String password) {
        return json("POST", "/api/v1/auth/login", null, new JsonObject().put("username", username).put("password", password),
                200).getString("token");
    }

    void createAccount(String adminToken, String username, String password, String role) {
        json("POST", "/api/v1/accounts", adminToken,
                new JsonObject().put("username", username).put("password", password).put("role", role), 201);
    }
}
