package org.consentrecorder.admin;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A blocking HTTP client for tests: real requests over loopback to the running application. */
final class ApiClient implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx();
    private final HttpClientAgent client;
    private final int port;

    ApiClient(int port) {
        this(port, false);
    }

    ApiClient(int port, boolean tls) {
        this.port = port;
        this.client = vertx.createHttpClient(new HttpClientOptions().setSsl(tls).setTrustAll(tls).setVerifyHost(false)
                .setKeepAlive(true));
    }

    record Reply(int status, MultiMap headers, Buffer body) {
        JsonObject json() {
            return body.length() == 0 ? new JsonObject() : new JsonObject(body);
        }

        String error() {
            return json().getString("error");
        }

        @Override
        public String toString() {
            return status + " " + (body.length() > 400 ? body.getString(0, 400) + "..." : body.toString());
        }
    }

    Reply send(HttpMethod method, String uri, String token, Buffer body, Map<String, String> headers) {
        RequestOptions o = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri);
        if (token != null) {
            o.putHeader("authorization", "Bearer " + token);
        }
        if (body != null && !headers.containsKey("content-type")) {
            o.putHeader("content-type", "application/json");
        }
        headers.forEach(o::putHeader);
        try {
            return client.request(o)
                    .compose(req -> (body == null ? req.send() : req.send(body))
                            .compose(res -> res.body().map(b -> new Reply(res.statusCode(), res.headers(), b))))
                    .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + uri + ": " + e, e);
        }
    }

    Reply get(String uri, String token) {
        return send(HttpMethod.GET, uri, token, null, Map.of());
    }

    Reply get(String uri, String token, Map<String, String> headers) {
        return send(HttpMethod.GET, uri, token, null, headers);
    }

    Reply post(String uri, String token, JsonObject body) {
        return send(HttpMethod.POST, uri, token, body == null ? null : body.toBuffer(), Map.of());
    }

    Reply patch(String uri, String token, JsonObject body) {
        return send(HttpMethod.PATCH, uri, token, body.toBuffer(), Map.of());
    }

    Reply delete(String uri, String token) {
        return send(HttpMethod.DELETE, uri, token, null, Map.of());
    }

    /** Logs in and returns the session token; fails the test when login fails. */
    String login(String username, String password) {
        Reply r = post("/api/v1/auth/login", null, new JsonObject().put("username", username).put("password", password));
        if (r.status() != 200) {
            throw new AssertionError("login of " + username + " failed: " + r);
        }
        return r.json().getString("token");
    }

    Vertx vertx() {
        return vertx;
    }

    @Override
    public void close() {
        vertx.close();
    }
}
