package org.consentrecorder.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one input boundary of the admin API. The OpenAPI document is the single place where each
 * string's maximum length is written: this class reads it at start and checks every request
 * against it after authentication and before any handler runs. Path, query and header parameters
 * and the fields of a JSON body: valid UTF-8, no control character (free text may hold tab and
 * newline; a {@code format: password} field may hold anything, it is only hashed or compared), at
 * most {@code maxLength} characters; query parameters the document does not list are refused.
 * Every refusal is a 400 {@code bad_request} that names the field, and changes nothing.
 *
 * <p>{@link JsonInput} and {@link QueryInput} then read what passed; they know no lengths of their
 * own, and refuse to read a string the document gives no limit for (a programming error, so that
 * no field can slip past the boundary unbounded).
 */
final class InputBoundary {
    /** Where {@link JsonInput} finds the body this boundary parsed, and the limits of the route. */
    static final String LIMITS = "cr.input-limits";
    static final String BODY = "cr.input-body";

    /** One operation's limits: parameter or field name to maxLength, and which body fields are secrets. */
    record Limits(Map<String, Integer> path, Map<String, Integer> query, Set<String> queryNames,
                  Map<String, Integer> headers, Map<String, Integer> body, Set<String> secrets, boolean hasBody,
                  Map<String, StringList> lists) {
    }

    /** A body field that is an array of strings: at most {@code maxItems} of them, each within {@code maxLength}. */
    record StringList(int maxItems, int maxLength) {
    }

    private final Map<String, Limits> operations;

    private InputBoundary(Map<String, Limits> operations) {
        this.operations = operations;
    }

    static InputBoundary fromDocument(JsonObject doc) {
        JsonObject schemas = doc.getJsonObject("components").getJsonObject("schemas");
        Map<String, Limits> out = new HashMap<>();
        JsonObject paths = doc.getJsonObject("paths");
        for (String path : paths.fieldNames()) {
            JsonObject item = paths.getJsonObject(path);
            for (String method : item.fieldNames()) {
                out.put(key(method, path), limits(method + " " + path, item.getJsonObject(method), schemas));
            }
        }
        return new InputBoundary(Map.copyOf(out));
    }

    /** The limits of a mounted route; a route the document does not describe is a mistake caught at start. */
    Limits of(ApiRoute route) {
        Limits limits = operations.get(key(route.method().name(), route.openApiPath()));
        if (limits == null) {
            throw new IllegalStateException("openapi.json does not describe " + route.method().name() + " "
                    + route.openApiPath() + "; every route is described there, with the limits of its input");
        }
        return limits;
    }

    /** Checks the request against its route's limits; throws a 400 {@link ApiError} naming the first field that breaks one. */
    void check(RoutingContext ctx, ApiRoute route) {
        Limits limits = of(route);
        ctx.put(LIMITS, limits);
        ctx.pathParams().forEach((name, value) -> text("path parameter '" + name + "'", value,
                limits.path().get(name), false));
        Set<String> given = ctx.queryParams().names();
        Set<String> unknown = new TreeSet<>(given);
        unknown.removeAll(limits.queryNames());
        if (!unknown.isEmpty()) {
            throw ApiError.badRequest("unknown query parameter" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown.stream().map(n -> "'" + QueryInput.clip(n) + "'").toList())
                    + (limits.queryNames().isEmpty() ? "; this route takes none"
                    : "; allowed: " + String.join(", ", limits.queryNames())));
        }
        for (String name : given) {
            if (ctx.queryParams().getAll(name).size() > 1) {
                throw ApiError.badRequest("query parameter '" + name + "' is given more than once");
            }
            String value = ctx.queryParams().get(name);
            // percent-escapes that are not UTF-8 reach us as U+FFFD: refused, never stored as a guess
            if (value.indexOf('\uFFFD') >= 0) {
                throw ApiError.badRequest("query parameter '" + name + "' is not valid UTF-8");
            }
            Integer max = limits.query().get(name);
            if (max != null) {
                text("query parameter '" + name + "'", value, max, false);
            }
        }
        limits.headers().forEach((name, max) -> {
            String value = ctx.request().getHeader(name);
            if (value != null) {
                text("header '" + name + "'", value, max, false);
            }
        });
        if (limits.hasBody() && ctx.body() != null && ctx.body().length() > 0) {
            JsonObject body = JsonInput.parse(ctx);
            ctx.put(BODY, body);
            for (String field : body.fieldNames()) {
                Integer max = limits.body().get(field);
                if (max != null && body.getValue(field) instanceof String s) {
                    text("field '" + field + "'", s, max, limits.secrets().contains(field));
                }
                StringList list = limits.lists().get(field);
                if (list != null && body.getValue(field) instanceof JsonArray items) {
                    if (items.size() > list.maxItems()) {
                        throw ApiError.badRequest("field '" + field + "' has more than " + list.maxItems() + " items");
                    }
                    for (int i = 0; i < items.size(); i++) {
                        if (items.getValue(i) instanceof String item) {
                            text("field '" + field + "' item " + i, item, list.maxLength(), false);
                        }
                    }
                }
            }
        }
    }

    /** The rule for one string; {@code max} null only for a path parameter the document forgot (a mistake: 500). */
    private static void text(String what, String value, Integer max, boolean secret) {
        if (max == null) {
            throw new IllegalStateException("openapi.json gives no maxLength for " + what);
        }
        if (value.length() > max) {
            throw ApiError.badRequest(what + " is longer than " + max + " characters");
        }
        if (!secret && (value.indexOf('\uFFFD') >= 0 || ControlCharacters.present(value))) {
            throw ApiError.badRequest(what + " " + ControlCharacters.RULE);
        }
    }

    private static String key(String method, String openApiPath) {
        return method.toUpperCase(java.util.Locale.ROOT) + " " + openApiPath;
    }

    private static Limits limits(String op, JsonObject operation, JsonObject schemas) {
        Map<String, Integer> path = new LinkedHashMap<>();
        Map<String, Integer> query = new LinkedHashMap<>();
        Set<String> queryNames = new LinkedHashSet<>();
        Map<String, Integer> headers = new LinkedHashMap<>();
        JsonArray params = operation.getJsonArray("parameters", new JsonArray());
        for (int i = 0; i < params.size(); i++) {
            JsonObject p = params.getJsonObject(i);
            String name = p.getString("name");
            Integer max = maxLength(op + " parameter " + name, p.getJsonObject("schema"));
            switch (p.getString("in")) {
                case "path" -> path.put(name, max);
                case "query" -> {
                    queryNames.add(name);
                    if (max != null) {
                        query.put(name, max);
                    }
                }
                case "header" -> headers.put(name, max);
                default -> throw new IllegalStateException(op + ": parameter " + name + " in " + p.getString("in"));
            }
        }
        Map<String, Integer> body = new LinkedHashMap<>();
        Set<String> secrets = new LinkedHashSet<>();
        Map<String, StringList> lists = new LinkedHashMap<>();
        JsonObject rb = operation.getJsonObject("requestBody");
        if (rb != null) {
            fields(op, rb.getJsonObject("content").getJsonObject("application/json").getJsonObject("schema"), schemas,
                    body, secrets, lists);
        }
        path.values().removeIf(java.util.Objects::isNull);
        headers.values().removeIf(java.util.Objects::isNull);
        return new Limits(Map.copyOf(path), Map.copyOf(query), Set.copyOf(queryNames), Map.copyOf(headers),
                Map.copyOf(body), Set.copyOf(secrets), rb != null, Map.copyOf(lists));
    }

    private static void fields(String op, JsonObject schema, JsonObject schemas, Map<String, Integer> body,
                               Set<String> secrets, Map<String, StringList> lists) {
        if (schema.containsKey("$ref")) {
            String name = schema.getString("$ref").substring("#/components/schemas/".length());
            fields(op, schemas.getJsonObject(name), schemas, body, secrets, lists);
            return;
        }
        for (String combined : new String[] {"oneOf", "anyOf", "allOf"}) {
            JsonArray alternatives = schema.getJsonArray(combined);
            if (alternatives != null) {
                for (int i = 0; i < alternatives.size(); i++) {
                    fields(op, alternatives.getJsonObject(i), schemas, body, secrets, lists);
                }
            }
        }
        JsonObject properties = schema.getJsonObject("properties");
        if (properties != null) {
            for (String f : properties.fieldNames()) {
                JsonObject p = properties.getJsonObject(f);
                if ("array".equals(p.getValue("type")) && p.getJsonObject("items") != null
                        && isString(p.getJsonObject("items"))) {
                    Integer items = p.getInteger("maxItems");
                    if (items == null) {
                        throw new IllegalStateException("openapi.json: " + op + " field " + f + " is an array without maxItems");
                    }
                    lists.put(f, new StringList(items, maxLength(op + " field " + f + " items", p.getJsonObject("items"))));
                    continue;
                }
                Integer max = maxLength(op + " field " + f, p);
                if (max != null) {
                    body.put(f, max);
                    if ("password".equals(p.getString("format"))) {
                        secrets.add(f);
                    }
                }
            }
        }
    }

    /** The maxLength of a string schema; null for a schema that is no string; a string without one is refused at start. */
    private static Integer maxLength(String where, JsonObject schema) {
        if (!isString(schema)) {
            return null;
        }
        Integer max = schema.getInteger("maxLength");
        if (max == null) {
            throw new IllegalStateException("openapi.json: " + where + " is a string without maxLength");
        }
        return max;
    }

    static boolean isString(JsonObject schema) {
        Object type = schema.getValue("type");
        return "string".equals(type) || (type instanceof JsonArray a && a.contains("string"));
    }
}
