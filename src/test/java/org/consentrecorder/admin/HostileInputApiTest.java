package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.Test;

/**
 * Driven by the served OpenAPI document: for every operation, as every role (and anonymously),
 * hostile values in every path parameter, query parameter and body field, and hostile bodies.
 * Never a 5xx, always the JSON error shape, never a stack trace or class name; the audit chain
 * verifies afterwards. Each field gets several hostile values, rotated over the roles, so the run
 * stays short while covering every operation and every field.
 */
class HostileInputApiTest {
    private static final String HUGE = "A".repeat(100_000);
    /** Values for a string slot, as raw JSON (body) and as the percent-encoded text (query and path). */
    private static final List<Object> BODY_VALUES = List.of("\u0000", "a\u0000b", HUGE, "../../../../etc/passwd",
            "' OR 1=1; DROP TABLE audit_log; --", "\uD83D\uDE00\uD83D\uDCA9", "2025-02-30T25:61:00Z", -1, -9_223_372_036_854_775_807L,
            1e308, new JsonObject().put("x", 1), new JsonArray().add(1), true, "\r\nX-Injected: 1", "\u202e\ufeff");
    private static final List<String> QUERY_VALUES = List.of("%00", "a%00b", "%C3%28", "%FF%FE", HUGE,
            "..%2F..%2F..%2Fetc%2Fpasswd", "'%20OR%201%3D1%3B--", "%F0%9F%98%80", "2025-02-30T25:61:00Z", "-1",
            "99999999999999999999999", "1e308", "%0D%0AX-Injected:%201", "NaN");
    private static final List<String> PATH_VALUES = List.of("%00", "%C3%28", "..%2F..%2Fetc%2Fpasswd", "'%20OR%201%3D1--",
            "%F0%9F%98%80", "-1", "99999999999999999999999", HUGE.substring(0, 4000), "00000000-0000-0000-0000-00000000000g");

    private static final List<String> ROLES = List.of("admin", "compliance", "supervisor", "auditor", "agent");
    private static final List<String> FORBIDDEN_IN_BODIES = List.of("Exception", "\tat ", "java.", "io.vertx", "org.consentrecorder",
            "com.fasterxml", "PSQLException", "SQLSTATE", "ERROR:");

    record Operation(HttpMethod method, String path, List<String> pathParams, List<String> queryParams, List<String> bodyFields,
                     boolean hasBody) {
    }

    @Test
    void everyOperation_everyRole_everyField() {
        try (AppHarness h = AppHarness.start(Map.of("CR_LOGIN_MAX_FAILURES_PER_ADDRESS", "100000", "CR_LOGIN_MAX_FAILURES", "1000"));
             ApiClient c = new ApiClient(h.app.httpPort())) {
            String admin = ApiTestSupport.adminToken(c);
            Map<String, String> tokens = new LinkedHashMap<>();
            for (String role : ROLES) {
                tokens.put(role, ApiTestSupport.tokenFor(h, c, admin, "hostile-" + role, role));
            }
            tokens.put("anonymous", null);
            JsonObject doc = c.get("/api/v1/openapi.json", null).json();
            List<Operation> ops = operations(doc);
            assertTrue(ops.size() >= 40, "the document lists the operations: " + ops.size());

            List<String> problems = new ArrayList<>();
            int requests = 0;
            int rotation = 0;
            for (Operation op : ops) {
                if (op.path().equals("/auth/logout")) {
                    continue; // would end the session the rest of the run uses; its input is empty anyway
                }
                for (Map.Entry<String, String> who : tokens.entrySet()) {
                    String token = who.getValue();
                    // path parameters
                    for (String p : op.pathParams()) {
                        for (int k = 0; k < 2; k++) {
                            String v = PATH_VALUES.get(rotation++ % PATH_VALUES.size());
                            requests++;
                            check(problems, op, who.getKey(), "path " + p, c.send(op.method(), uri(op, p, v, null, null),
                                    token, op.hasBody() ? Buffer.buffer("{}") : null, Map.of()));
                        }
                    }
                    // query parameters
                    for (String q : op.queryParams()) {
                        for (int k = 0; k < 2; k++) {
                            String v = QUERY_VALUES.get(rotation++ % QUERY_VALUES.size());
                            requests++;
                            check(problems, op, who.getKey(), "query " + q, c.send(op.method(), uri(op, null, null, q, v),
                                    token, op.hasBody() ? Buffer.buffer("{}") : null, Map.of()));
                        }
                    }
                    // body fields
                    for (String f : op.bodyFields()) {
                        for (int k = 0; k < 2; k++) {
                            Object v = BODY_VALUES.get(rotation++ % BODY_VALUES.size());
                            requests++;
                            check(problems, op, who.getKey(), "body " + f, c.send(op.method(), uri(op, null, null, null, null),
                                    token, new JsonObject().put(f, v).toBuffer(), Map.of()));
                        }
                    }
                    // whole hostile bodies (also on routes without one)
                    for (Buffer b : hostileBodies(op, rotation++)) {
                        requests++;
                        check(problems, op, who.getKey(), "hostile body", c.send(op.method(), uri(op, null, null, null, null),
                                token, b, Map.of()));
                    }
                }
            }
            assertTrue(problems.isEmpty(), problems.size() + " of " + requests + " requests went wrong:\n"
                    + String.join("\n", problems.subList(0, Math.min(40, problems.size()))));

            ApiClient.Reply verify = c.get("/api/v1/audit/verify", tokens.get("auditor"));
            assertEquals(200, verify.status(), verify.toString());
            assertEquals(true, verify.json().getBoolean("intact"), verify.toString());
        }
    }

    private static List<Buffer> hostileBodies(Operation op, int rotation) {
        String field = op.bodyFields().isEmpty() ? "reason" : op.bodyFields().get(rotation % op.bodyFields().size());
        List<Buffer> out = new ArrayList<>();
        out.add(Buffer.buffer("[".repeat(10_000) + "]".repeat(10_000)));
        out.add(Buffer.buffer("{\"" + field + "\":" + "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000) + "}"));
        out.add(Buffer.buffer("{\"" + field + "\":\"x\",\"" + field + "\":\"y\"}"));
        Buffer invalid = Buffer.buffer("{\"" + field + "\":\"");
        invalid.appendBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE});
        invalid.appendString("\"}");
        out.add(invalid);
        out.add(Buffer.buffer("{\"" + field + "\":\"" + "\\u0000".repeat(3) + "\"}"));
        out.add(Buffer.buffer("{\"" + field + "\": 1e999999}"));
        out.add(Buffer.buffer("not json at all \u0000", StandardCharsets.UTF_8.name()));
        return out;
    }

    private static String uri(Operation op, String hostileParam, String hostileValue, String query, String queryValue) {
        String path = op.path();
        for (String p : op.pathParams()) {
            path = path.replace("{" + p + "}", p.equals(hostileParam) ? hostileValue : UUID.randomUUID().toString());
        }
        return "/api/v1" + path + (query == null ? "" : "?" + query + "=" + queryValue);
    }

    private static void check(List<String> problems, Operation op, String role, String slot, ApiClient.Reply r) {
        String what = op.method() + " " + op.path() + " as " + role + ", " + slot + ": ";
        if (r.status() >= 500 && r.status() != 503) {
            problems.add(what + r);
            return;
        }
        if (r.status() == 503 && !"busy".equals(errorOf(r))) {
            problems.add(what + "503 that is not back-pressure: " + r);
            return;
        }
        String text = r.body().toString(StandardCharsets.UTF_8);
        if (r.status() >= 400) {
            String error = errorOf(r);
            if (error == null) {
                problems.add(what + "not the JSON error shape: " + r);
                return;
            }
        }
        if (r.status() >= 300 || !"application/json".equals(r.headers().get("content-type"))) {
            for (String bad : FORBIDDEN_IN_BODIES) {
                if (text.contains(bad)) {
                    problems.add(what + "the body shows '" + bad + "': " + r);
                    return;
                }
            }
        }
    }

    private static String errorOf(ApiClient.Reply r) {
        try {
            JsonObject o = r.json();
            return o.getValue("error") instanceof String && o.getValue("message") instanceof String ? o.getString("error") : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    static List<Operation> operations(JsonObject doc) {
        JsonObject schemas = doc.getJsonObject("components").getJsonObject("schemas");
        List<Operation> out = new ArrayList<>();
        JsonObject paths = doc.getJsonObject("paths");
        for (String path : paths.fieldNames()) {
            JsonObject item = paths.getJsonObject(path);
            for (String m : item.fieldNames()) {
                JsonObject op = item.getJsonObject(m);
                List<String> pathParams = new ArrayList<>();
                List<String> queryParams = new ArrayList<>();
                JsonArray params = op.getJsonArray("parameters", new JsonArray());
                for (int i = 0; i < params.size(); i++) {
                    JsonObject p = params.getJsonObject(i);
                    ("path".equals(p.getString("in")) ? pathParams : queryParams).add(p.getString("name"));
                }
                List<String> fields = new ArrayList<>();
                JsonObject rb = op.getJsonObject("requestBody");
                if (rb != null) {
                    JsonObject schema = rb.getJsonObject("content").getJsonObject("application/json").getJsonObject("schema");
                    collect(schema, schemas, fields);
                }
                out.add(new Operation(HttpMethod.valueOf(m.toUpperCase()), path, pathParams, queryParams, fields,
                        !m.equals("get") && !m.equals("delete")));
            }
        }
        return out;
    }

    private static void collect(JsonObject schema, JsonObject schemas, List<String> fields) {
        if (schema.containsKey("$ref")) {
            String name = schema.getString("$ref").substring("#/components/schemas/".length());
            collect(schemas.getJsonObject(name), schemas, fields);
            return;
        }
        for (String key : List.of("oneOf", "anyOf", "allOf")) {
            JsonArray alts = schema.getJsonArray(key);
            if (alts != null) {
                for (int i = 0; i < alts.size(); i++) {
                    collect(alts.getJsonObject(i), schemas, fields);
                }
            }
        }
        JsonObject props = schema.getJsonObject("properties");
        if (props != null) {
            for (String f : props.fieldNames()) {
                if (!fields.contains(f)) {
                    fields.add(f);
                }
            }
        }
    }
}
