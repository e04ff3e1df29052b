package org.consentrecorder.admin;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A strictly read JSON request body: it must be a JSON object with only the fields the route
 * knows, each of the right type. Every problem is a 400 that names the field. Lengths and
 * characters were checked before the handler by {@link InputBoundary}, from the OpenAPI document.
 */
public final class JsonInput {
    private final JsonObject json;
    /** The route's limits as the boundary read them from the OpenAPI document; null outside the API's chain. */
    private final InputBoundary.Limits limits;

    private JsonInput(JsonObject json, InputBoundary.Limits limits) {
        this.json = json;
        this.limits = limits;
    }

    /** The body as a JSON object with only {@code allowed} fields; an empty body is an empty object when {@code optional}. */
    public static JsonInput of(RoutingContext ctx, boolean optional, String... allowed) {
        InputBoundary.Limits limits = ctx.get(InputBoundary.LIMITS);
        JsonObject json = ctx.get(InputBoundary.BODY);
        if (json == null) {
            Buffer body = ctx.body() == null ? null : ctx.body().buffer();
            if (body == null || body.length() == 0) {
                if (optional) {
                    return new JsonInput(new JsonObject(), limits);
                }
                throw ApiError.badRequest("a JSON object body is required");
            }
            json = parse(ctx);
        }
        Set<String> unknown = new TreeSet<>(json.fieldNames());
        unknown.removeAll(Arrays.asList(allowed));
        if (!unknown.isEmpty()) {
            throw ApiError.badRequest("unknown field" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown.stream().map(JsonInput::quote).toList())
                    + "; allowed: " + String.join(", ", allowed));
        }
        return new JsonInput(json, limits);
    }

    /**
     * A non-empty body read strictly: sent as JSON, valid UTF-8, no field twice, not too deep, and a
     * JSON object. {@link InputBoundary} calls it before any handler runs.
     */
    static JsonObject parse(RoutingContext ctx) {
        String type = ctx.request().getHeader("content-type");
        if (type == null || !type.toLowerCase(Locale.ROOT).trim().startsWith("application/json")) {
            throw new ApiError(415, "unsupported_media_type", "the body must be sent as Content-Type: application/json");
        }
        String text = strictUtf8(ctx.body().buffer()).trim();
        if (!text.startsWith("{")) {
            throw ApiError.badRequest("the body must be a JSON object");
        }
        checkStructure(text);
        try {
            return new JsonObject(text);
        } catch (DecodeException e) {
            throw ApiError.badRequest("the body is not valid JSON");
        }
    }

    static final int MAX_DEPTH = 16;
    private static final com.fasterxml.jackson.core.JsonFactory STRICT = com.fasterxml.jackson.core.JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** The body as text, refusing bytes that are not UTF-8 (never replaced silently). */
    static String strictUtf8(Buffer body) {
        try {
            return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(body.getBytes())).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw ApiError.badRequest("the body is not valid UTF-8");
        }
    }

    /** No field twice in one object, and no deeper nesting than any route needs. */
    private static void checkStructure(String text) {
        try (com.fasterxml.jackson.core.JsonParser p = STRICT.createParser(text)) {
            int depth = 0;
            com.fasterxml.jackson.core.JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t.isStructStart() && ++depth > MAX_DEPTH) {
                    throw ApiError.badRequest("the body is nested deeper than " + MAX_DEPTH + " levels");
                } else if (t.isStructEnd()) {
                    depth--;
                }
            }
        } catch (com.fasterxml.jackson.core.JsonParseException e) {
            throw ApiError.badRequest(e.getMessage() != null && e.getMessage().startsWith("Duplicate field")
                    ? "a field appears twice in the body" : "the body is not valid JSON");
        } catch (java.io.IOException e) {
            throw ApiError.badRequest("the body is not valid JSON");
        }
    }

    private static String quote(String field) {
        String shown = field.length() > 64 ? field.substring(0, 64) + "..." : field;
        return "'" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }

    /** A JSON array, or empty when the field is absent or null. */
    public Optional<io.vertx.core.json.JsonArray> optionalArray(String field) {
        Object v = json.getValue(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof io.vertx.core.json.JsonArray a)) {
            throw ApiError.badRequest("field '" + field + "' must be an array");
        }
        return Optional.of(a);
    }

    /** The checked body as it is (for routes that read it as search filters). */
    io.vertx.core.json.JsonObject raw() {
        return json;
    }

    public boolean has(String field) {
        return json.containsKey(field) && json.getValue(field) != null;
    }

    public String requiredString(String field) {
        return optionalString(field).orElseThrow(() -> ApiError.badRequest("field '" + field + "' is required"));
    }

    /**
     * Free text, as the boundary let it through: within the field's maxLength and without control
     * characters other than tab and newline.
     */
    public Optional<String> optionalString(String field) {
        return optionalSecret(field);
    }

    public String requiredSecret(String field) {
        return optionalSecret(field).orElseThrow(() -> ApiError.badRequest("field '" + field + "' is required"));
    }

    /**
     * A password or a code ({@code format: password} in the document): any characters, since it is
     * only hashed or compared (never stored as text, logged or audited), and refusing some could
     * lock out an account whose password has them. Its length was checked by the boundary.
     */
    public Optional<String> optionalSecret(String field) {
        if (limits == null || !limits.body().containsKey(field)) {
            // a field without a documented maxLength would pass the boundary unbounded: a mistake, not bad input
            throw new IllegalStateException("openapi.json gives field '" + field + "' of this route no maxLength");
        }
        Object v = json.getValue(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String s)) {
            throw ApiError.badRequest("field '" + field + "' must be a string");
        }
        return Optional.of(s);
    }

    public Optional<Boolean> optionalBoolean(String field) {
        Object v = json.getValue(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof Boolean b)) {
            throw ApiError.badRequest("field '" + field + "' must be true or false");
        }
        return Optional.of(b);
    }

    public Optional<Integer> optionalInteger(String field, int min, int max) {
        Object v = json.getValue(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof Integer || v instanceof Long)) {
            throw ApiError.badRequest("field '" + field + "' must be a whole number");
        }
        long n = ((Number) v).longValue();
        if (n < min || n > max) {
            throw ApiError.badRequest("field '" + field + "' must be between " + min + " and " + max);
        }
        return Optional.of((int) n);
    }

    public Optional<Role> optionalRole(String field) {
        return optionalString(field).map(s -> Role.fromWire(s).orElseThrow(() ->
                ApiError.badRequest("field '" + field + "' must be one of " + Role.choices())));
    }
}
