package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.Test;

/**
 * The input limits live in one place, the OpenAPI document: every string parameter and request
 * body field there has a maxLength, and the server refuses a value one character over it, before
 * any handler, with a 400 that names the field; a value exactly at the limit is not refused for
 * its length. Driven by the document, so a new field is covered the day it is documented.
 */
class InputLimitsApiTest {

    /** One string slot of one operation: where it goes, its name and its documented maxLength. */
    record Slot(String method, String path, String in, String name, int max) {
        @Override
        public String toString() {
            return method.toUpperCase() + " " + path + " " + in + " " + name + " (maxLength " + max + ")";
        }
    }

    @Test
    void everyStringParameterAndBodyFieldInTheDocumentHasAMaxLength() {
        JsonObject doc = OpenApiDocument.load();
        List<String> missing = new ArrayList<>();
        List<Slot> slots = slots(doc, missing);
        assertTrue(missing.isEmpty(), "strings without maxLength in openapi.json:\n" + String.join("\n", missing));
        assertTrue(slots.size() >= 60, "the walk found the strings: " + slots.size());
    }

    @Test
    void aDocumentWithAStringWithoutMaxLengthIsRefusedAtStart() {
        JsonObject doc = OpenApiDocument.load();
        doc.getJsonObject("components").getJsonObject("schemas").getJsonObject("Reason").getJsonObject("properties")
                .getJsonObject("reason").remove("maxLength");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> InputBoundary.fromDocument(doc));
        assertTrue(e.getMessage().contains("field reason"), e.getMessage());
        List<String> missing = new ArrayList<>();
        slots(doc, missing);
        assertFalse(missing.isEmpty(), "the walk of the first test sees it too");
    }

    @Test
    void oneCharacterOverEachLimitIsRefusedNamingTheField_andExactlyAtTheLimitIsNot() {
        try (AppHarness h = AppHarness.start(Map.of("CR_LOGIN_MAX_FAILURES_PER_ADDRESS", "100000"));
             ApiClient c = new ApiClient(h.app.httpPort())) {
            String admin = ApiTestSupport.adminToken(c);
            Map<String, String> tokens = new LinkedHashMap<>();
            tokens.put("anonymous", null);
            for (String role : List.of("admin", "compliance", "supervisor", "auditor", "agent")) {
                tokens.put(role, ApiTestSupport.tokenFor(h, c, admin, "limits-" + role, role));
            }
            List<String> missing = new ArrayList<>();
            List<Slot> slots = slots(c.get("/api/v1/openapi.json", null).json(), missing);
            List<String> wrong = new ArrayList<>();
            for (Slot slot : slots) {
                if (slot.path().equals("/auth/logout")) {
                    continue;
                }
                String label = slot.in().equals("body") ? "field '" + slot.name() + "'"
                        : (slot.in().equals("header") ? "header '" : slot.in() + " parameter '") + slot.name() + "'";
                ApiClient.Reply over = null;
                for (String token : tokens.values()) {
                    over = send(c, slot, "a".repeat(slot.max() + 1), token);
                    if (over.status() != 401 && over.status() != 403) {
                        ApiClient.Reply at = send(c, slot, "a".repeat(slot.max()), token);
                        if (at.toString().contains("longer than")) {
                            wrong.add(slot + ": exactly at the limit refused: " + at);
                        }
                        break;
                    }
                }
                String expected = label + " is longer than " + slot.max() + " characters";
                if (over.status() != 400 || !"bad_request".equals(over.error())
                        || !over.json().getString("message").contains(expected)) {
                    wrong.add(slot + ": expected 400 '" + expected + "', got " + over);
                }
            }
            assertTrue(wrong.isEmpty(), wrong.size() + " of " + slots.size() + " limits not held:\n" + String.join("\n", wrong));
        }
    }

    private static ApiClient.Reply send(ApiClient c, Slot slot, String value, String token) {
        String path = slot.path();
        for (String p : pathParams(path)) {
            path = path.replace("{" + p + "}", slot.in().equals("path") && slot.name().equals(p) ? value
                    : UUID.randomUUID().toString());
        }
        String uri = "/api/v1" + path + (slot.in().equals("query") ? "?" + slot.name() + "=" + value : "");
        HttpMethod method = HttpMethod.valueOf(slot.method().toUpperCase());
        Buffer body = slot.in().equals("body") ? new JsonObject().put(slot.name(), value).toBuffer()
                : (method == HttpMethod.GET || method == HttpMethod.DELETE ? null : Buffer.buffer("{}"));
        return c.send(method, uri, token, body, slot.in().equals("header") ? Map.of(slot.name(), value) : Map.of());
    }

    private static List<String> pathParams(String path) {
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([a-z_]+)\\}").matcher(path);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** Every string slot of every operation; the ones without maxLength go to {@code missing}. */
    static List<Slot> slots(JsonObject doc, List<String> missing) {
        JsonObject schemas = doc.getJsonObject("components").getJsonObject("schemas");
        List<Slot> out = new ArrayList<>();
        JsonObject paths = doc.getJsonObject("paths");
        for (String path : paths.fieldNames()) {
            for (String method : paths.getJsonObject(path).fieldNames()) {
                JsonObject op = paths.getJsonObject(path).getJsonObject(method);
                JsonArray params = op.getJsonArray("parameters", new JsonArray());
                for (int i = 0; i < params.size(); i++) {
                    JsonObject p = params.getJsonObject(i);
                    slot(out, missing, method, path, p.getString("in"), p.getString("name"), p.getJsonObject("schema"));
                }
                JsonObject rb = op.getJsonObject("requestBody");
                if (rb != null) {
                    fields(out, missing, method, path,
                            rb.getJsonObject("content").getJsonObject("application/json").getJsonObject("schema"), schemas);
                }
            }
        }
        return out;
    }

    private static void fields(List<Slot> out, List<String> missing, String method, String path, JsonObject schema,
                               JsonObject schemas) {
        if (schema.containsKey("$ref")) {
            fields(out, missing, method, path,
                    schemas.getJsonObject(schema.getString("$ref").substring("#/components/schemas/".length())), schemas);
            return;
        }
        for (String k : List.of("oneOf", "anyOf", "allOf")) {
            JsonArray alts = schema.getJsonArray(k, new JsonArray());
            for (int i = 0; i < alts.size(); i++) {
                fields(out, missing, method, path, alts.getJsonObject(i), schemas);
            }
        }
        JsonObject props = schema.getJsonObject("properties", new JsonObject());
        for (String f : props.fieldNames()) {
            JsonObject p = props.getJsonObject(f);
            boolean stringList = "array".equals(p.getValue("type")) && p.getJsonObject("items") != null
                    && InputBoundary.isString(p.getJsonObject("items"));
            if (stringList && (p.getInteger("maxItems") == null || p.getJsonObject("items").getInteger("maxLength") == null)) {
                missing.add(method + " " + path + " field " + f + ": a list of strings needs maxItems and items' maxLength");
            } else if (!stringList && (p.containsKey("properties") || p.containsKey("items") || p.containsKey("$ref"))) {
                missing.add(method + " " + path + " field " + f + ": nested input is not covered by the boundary");
            }
            slot(out, missing, method, path, "body", f, p);
        }
    }

    private static void slot(List<Slot> out, List<String> missing, String method, String path, String in, String name,
                             JsonObject schema) {
        if (!InputBoundary.isString(schema)) {
            return;
        }
        Integer max = schema.getInteger("maxLength");
        if (max == null) {
            missing.add(method.toUpperCase() + " " + path + " " + in + " " + name);
        } else {
            out.add(new Slot(method, path, in, name, max));
        }
    }
}
