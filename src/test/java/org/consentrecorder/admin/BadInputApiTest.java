package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A client's mistake is a 4xx with a JSON body that names the problem, never a 500. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputApiTest {
    private AppHarness h;
    private ApiClient client;
    private String admin;
    private String compliance;

    @BeforeAll
    void start() {
        h = AppHarness.start(Map.of("CR_API_BODY_LIMIT", "4096"));
        client = new ApiClient(h.app.httpPort());
        admin = ApiTestSupport.adminToken(client);
        compliance = ApiTestSupport.tokenFor(h, client, admin, "cleo", "compliance");
    }

    @AfterAll
    void stop() {
        client.close();
        h.close();
    }

    private static void assertError(ApiClient.Reply r, int status, String code, String messagePart) {
        assertEquals(status, r.status(), r.toString());
        assertEquals("application/json", r.headers().get("content-type"), r.toString());
        assertEquals(code, r.error(), r.toString());
        assertTrue(r.json().getString("message").contains(messagePart), "'" + messagePart + "' in " + r);
    }

    private ApiClient.Reply postRaw(String path, String token, String body, String type) {
        return client.send(HttpMethod.POST, path, token, Buffer.buffer(body), Map.of("content-type", type));
    }

    @Test
    void malformedJson() {
        assertError(postRaw("/api/v1/auth/login", null, "{\"username\": ", "application/json"), 400, "bad_request", "not valid JSON");
        assertError(postRaw("/api/v1/accounts", admin, "[1,2]", "application/json"), 400, "bad_request", "JSON object");
        assertError(postRaw("/api/v1/accounts", admin, "\"x\"", "application/json"), 400, "bad_request", "JSON object");
        assertError(postRaw("/api/v1/auth/login", null, "{}", "text/plain"), 415, "unsupported_media_type", "application/json");
        assertError(client.send(HttpMethod.POST, "/api/v1/accounts", admin, null, Map.of()), 400, "bad_request", "body is required");
    }

    @Test
    void unknownFields_andWrongTypes() {
        assertError(client.post("/api/v1/auth/login", null, new JsonObject().put("username", "a").put("password", "b")
                .put("remember_me", true)), 400, "bad_request", "unknown field 'remember_me'");
        assertError(client.post("/api/v1/accounts", admin, new JsonObject().put("username", 42).put("password", "x")
                .put("role", "agent")), 400, "bad_request", "field 'username' must be a string");
        assertError(client.post("/api/v1/tokens", admin, new JsonObject().put("name", "n").put("role", "agent")
                .put("expires_in_days", "soon")), 400, "bad_request", "field 'expires_in_days' must be a whole number");
        assertError(client.post("/api/v1/tokens", admin, new JsonObject().put("name", "n").put("role", "root")),
                400, "bad_request", "field 'role' must be one of");
        assertError(client.patch("/api/v1/accounts/" + java.util.UUID.randomUUID(), admin, new JsonObject().put("disabled", "yes")),
                400, "bad_request", "field 'disabled' must be true or false");
        assertError(client.patch("/api/v1/accounts/" + java.util.UUID.randomUUID(), admin, new JsonObject()),
                400, "bad_request", "at least one of");
        assertError(client.post("/api/v1/auth/login", null, new JsonObject().put("username", "a")), 400, "bad_request",
                "field 'password' is required");
    }

    @Test
    void oversizedBodies() {
        String big = "{\"username\":\"" + "a".repeat(10_000) + "\",\"password\":\"x\"}";
        assertError(postRaw("/api/v1/auth/login", null, big, "application/json"), 413, "payload_too_large", "4096 bytes");
    }

    @Test
    void badIds() {
        for (String id : List.of("abc", "123", "00000000-0000-0000-0000-00000000000g", "%27%20or%201=1--")) {
            assertError(client.get("/api/v1/calls/" + id, compliance), 400, "bad_request", "not a valid call id");
        }
        assertError(client.get("/api/v1/recordings/nope/audio?reason=because", compliance), 400, "bad_request", "recording id");
        assertError(client.delete("/api/v1/tokens/nope", admin), 400, "bad_request", "token id");
    }

    @Test
    void injectionStrings_areJustData() {
        String injection = "' or 1=1; drop table audit_log; --";
        assertError(client.get("/api/v1/calls?caller=" + ApiTestSupport.enc(injection), compliance), 400, "bad_request",
                "'caller' is not a phone number");
        assertError(client.get("/api/v1/calls?outcome=" + ApiTestSupport.enc(injection), compliance), 400, "bad_request",
                "'outcome' must be one of");
        ApiClient.Reply audit = client.get("/api/v1/audit?action=" + ApiTestSupport.enc(injection), compliance);
        assertEquals(200, audit.status(), audit.toString());
        assertEquals(0, audit.json().getJsonArray("items").size());
        assertEquals(401, client.post("/api/v1/auth/login", null, new JsonObject().put("username", injection)
                .put("password", injection)).status());
        assertTrue(h.rows("select count(*) as n from audit_log").get(0).get("n") instanceof Long, "the table is still there");
    }

    @Test
    void badQueryParameters() {
        assertError(client.get("/api/v1/calls?outcom=granted", compliance), 400, "bad_request", "unknown query parameter 'outcom'");
        assertError(client.get("/api/v1/calls?limit=0", compliance), 400, "bad_request", "'limit' must be from 1 to 200");
        assertError(client.get("/api/v1/calls?limit=1000", compliance), 400, "bad_request", "maximum page size");
        assertError(client.get("/api/v1/calls?limit=ten", compliance), 400, "bad_request", "'limit' must be a whole number");
        assertError(client.get("/api/v1/calls?cursor=garbage", compliance), 400, "bad_request", "'cursor'");
        assertError(client.get("/api/v1/audit?cursor=-5", compliance), 400, "bad_request", "'cursor'");
        assertError(client.get("/api/v1/calls?from=yesterday", compliance), 400, "bad_request", "'from' must be a UTC time");
        assertError(client.get("/api/v1/calls?from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z", compliance), 400,
                "bad_request", "'from' is after 'to'");
        assertError(client.get("/api/v1/calls?has_recording=maybe", compliance), 400, "bad_request", "true or false");
        assertError(client.get("/api/v1/calls?limit=1&limit=2", compliance), 400, "bad_request", "more than once");
        assertError(client.get("/api/v1/accounts?offset=-1", admin), 400, "bad_request", "'offset'");
    }

    @Test
    void controlCharactersInFreeText_areA400NamingTheField_andChangeNothing() {
        for (String filter : List.of("action", "actor", "outcome", "target")) {
            for (String control : List.of("%00", "%1B", "a%0Db")) {
                assertError(client.get("/api/v1/audit?" + filter + "=" + control, compliance), 400, "bad_request",
                        "query parameter '" + filter + "' must not contain control characters");
            }
        }
        // tab and newline are text
        ApiClient.Reply tabbed = client.get("/api/v1/audit?action=a%09b%0Ac", compliance);
        assertEquals(200, tabbed.status(), tabbed.toString());
        assertEquals(0, tabbed.json().getJsonArray("items").size());

        String agent = ApiTestSupport.tokenFor(h, client, admin, "ada", "agent");
        String call = java.util.UUID.randomUUID().toString();
        for (String action : List.of("pause", "resume", "stop")) {
            assertError(client.post("/api/v1/live-calls/" + call + "/" + action, agent,
                    new JsonObject().put("reason", "card\0payment")), 400, "bad_request",
                    "field 'reason' must not contain control characters");
        }
        ApiClient.Reply tab = client.post("/api/v1/live-calls/" + call + "/pause", agent,
                new JsonObject().put("reason", "card\tpayment"));
        assertEquals(404, tab.status(), "a tab is text: the request goes on to find no live call; " + tab);

        ApiClient.Reply placed = client.post("/api/v1/legal-holds", compliance, new JsonObject()
                .put("caller", "+15550009999").put("reason", "case 2025-17"));
        assertEquals(201, placed.status(), placed.toString());
        String hold = placed.json().getString("id");
        assertError(client.post("/api/v1/legal-holds/" + hold + "/release", compliance,
                new JsonObject().put("reason", "closed\0")), 400, "bad_request",
                "field 'reason' must not contain control characters");
        assertEquals(Boolean.TRUE, h.rows("select released_at is null as active from legal_hold where id = $1",
                java.util.UUID.fromString(hold)).get(0).get("active"), "the rejected release changed nothing");
        ApiClient.Reply released = client.post("/api/v1/legal-holds/" + hold + "/release", compliance,
                new JsonObject().put("reason", "case closed\n\tref 2025-17"));
        assertEquals(200, released.status(), released.toString());
        assertEquals("case closed\n\tref 2025-17", released.json().getString("release_reason"));
    }

    @Test
    void unknownRoutes_andWrongMethods() {
        assertError(client.get("/api/v1/nothing-here", compliance), 404, "no_route", "no such route");
        assertError(client.get("/api/v1/nothing-here", null), 404, "no_route", "no such route");
        assertError(client.get("/api/v1/calls/" + java.util.UUID.randomUUID() + "/extra", compliance), 404, "no_route", "no such route");
        ApiClient.Reply r = client.send(HttpMethod.DELETE, "/api/v1/calls", compliance, null, Map.of());
        assertError(r, 405, "method_not_allowed", "allowed: GET");
        assertNotNull(r.headers().get("allow"));
        assertError(client.send(HttpMethod.PUT, "/api/v1/auth/login", null, Buffer.buffer("{}"), Map.of()), 405,
                "method_not_allowed", "POST");
    }

    @Test
    void authenticationProblems() {
        assertError(client.get("/api/v1/calls", null), 401, "unauthorized", "Authorization: Bearer");
        assertError(client.send(HttpMethod.GET, "/api/v1/calls", null, null, Map.of("authorization", "Basic YWRtaW46YWRtaW4=")),
                401, "unauthorized", "Authorization: Bearer");
        assertError(client.get("/api/v1/calls", "not-a-token"), 401, "unauthorized", "unknown, expired or revoked");
    }
}
