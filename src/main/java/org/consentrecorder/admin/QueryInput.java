package org.consentrecorder.admin;

import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Strictly read query parameters: unknown names (typos such as {@code outcom=}) and repeated
 * names are rejected with a 400 that names them, so a filter is never silently ignored.
 */
public final class QueryInput {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;
    private final io.vertx.core.MultiMap params;
    /** The names whose length the input boundary checked (from openapi.json's maxLength). */
    private final Set<String> bounded;

    private QueryInput(io.vertx.core.MultiMap params, Set<String> bounded) {
        this.params = params;
        this.bounded = bounded;
    }

    /**
     * The same filters from a JSON object body (a search that must not put a caller number into a
     * URL, where proxies log it): flat string, number or boolean fields, checked as query
     * parameters are; the route itself then takes no query parameter.
     */
    public static QueryInput ofBody(RoutingContext ctx, String... allowed) {
        of(ctx);
        io.vertx.core.json.JsonObject body = JsonInput.of(ctx, true, allowed).raw();
        io.vertx.core.MultiMap params = io.vertx.core.MultiMap.caseInsensitiveMultiMap();
        for (String name : body.fieldNames()) {
            Object v = body.getValue(name);
            if (v == null) {
                continue;
            }
            if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
                throw ApiError.badRequest("field '" + clip(name) + "' must be a string, a number or a boolean");
            }
            params.add(name, String.valueOf(v));
        }
        // the boundary checked the body's string fields against the body schema's maxLength
        InputBoundary.Limits limits = ctx.get(InputBoundary.LIMITS);
        return new QueryInput(params, limits == null ? Set.of() : limits.body().keySet());
    }

    public static QueryInput of(RoutingContext ctx, String... allowed) {
        Set<String> unknown = new TreeSet<>(ctx.queryParams().names());
        unknown.removeAll(Arrays.asList(allowed));
        if (!unknown.isEmpty()) {
            throw ApiError.badRequest("unknown query parameter" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown.stream().map(n -> "'" + clip(n) + "'").toList())
                    + (allowed.length == 0 ? "; this route takes none" : "; allowed: " + String.join(", ", allowed)));
        }
        for (String name : ctx.queryParams().names()) {
            if (ctx.queryParams().getAll(name).size() > 1) {
                throw ApiError.badRequest("query parameter '" + name + "' is given more than once");
            }
        }
        // percent-escapes that are not UTF-8 reach us as U+FFFD: refused, never stored as a guess
        for (String value : ctx.queryParams().entries().stream().map(java.util.Map.Entry::getValue).toList()) {
            if (value.indexOf('\uFFFD') >= 0) {
                throw ApiError.badRequest("a query parameter is not valid UTF-8");
            }
        }
        ctx.pathParams().forEach((name, value) -> {
            if (value.indexOf('\uFFFD') >= 0 || ControlCharacters.present(value)) {
                throw ApiError.badRequest("path parameter '" + name + "' holds bytes that are not UTF-8 or control characters");
            }
        });
        InputBoundary.Limits limits = ctx.get(InputBoundary.LIMITS);
        return new QueryInput(ctx.queryParams(), limits == null ? Set.of() : limits.query().keySet());
    }

    static String clip(String s) {
        String shown = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return shown.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /**
     * A free-text parameter, as the boundary let it through (within its maxLength in the OpenAPI
     * document, no control characters); empty is refused.
     */
    public Optional<String> string(String name) {
        if (!bounded.contains(name)) {
            // a parameter without a documented maxLength would pass the boundary unbounded: a mistake, not bad input
            throw new IllegalStateException("openapi.json gives query parameter '" + name + "' of this route no maxLength");
        }
        return raw(name);
    }

    /** A parameter parsed into something else (a number, a time, a UUID): the parser refuses what is not one. */
    private Optional<String> raw(String name) {
        String v = params.get(name);
        if (v == null) {
            return Optional.empty();
        }
        if (v.isBlank()) {
            throw ApiError.badRequest("query parameter '" + name + "' is empty");
        }
        if (ControlCharacters.present(v)) {
            throw ApiError.badRequest("query parameter '" + name + "' " + ControlCharacters.RULE);
        }
        return Optional.of(v);
    }

    public Optional<Instant> instant(String name) {
        return string(name).map(v -> {
            try {
                return Instant.parse(v);
            } catch (DateTimeParseException e) {
                throw ApiError.badRequest("query parameter '" + name + "' must be a UTC time such as 2025-01-31T08:00:00Z");
            }
        });
    }

    public Optional<Boolean> bool(String name) {
        return raw(name).map(v -> switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiError.badRequest("query parameter '" + name + "' must be true or false");
        });
    }

    public Optional<UUID> uuid(String name) {
        return string(name).map(v -> Ids.parse(name, v));
    }

    public Optional<String> oneOf(String name, List<String> choices) {
        return string(name).map(v -> {
            if (!choices.contains(v)) {
                throw ApiError.badRequest("query parameter '" + name + "' must be one of " + String.join(", ", choices));
            }
            return v;
        });
    }

    public int limit() {
        return raw("limit").map(v -> {
            int n;
            try {
                n = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("query parameter 'limit' must be a whole number from 1 to " + MAX_LIMIT);
            }
            if (n < 1 || n > MAX_LIMIT) {
                throw ApiError.badRequest("query parameter 'limit' must be from 1 to " + MAX_LIMIT + " (the maximum page size)");
            }
            return n;
        }).orElse(DEFAULT_LIMIT);
    }

    public int offset() {
        return raw("offset").map(v -> {
            try {
                int n = Integer.parseInt(v);
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw ApiError.badRequest("query parameter 'offset' must be a whole number from 0");
        }).orElse(0);
    }

    /** Time range [from, to): both optional, from not after to. */
    public Instant[] timeRange() {
        Instant from = instant("from").orElse(null);
        Instant to = instant("to").orElse(null);
        if (from != null && to != null && from.isAfter(to)) {
            throw ApiError.badRequest("query parameter 'from' is after 'to'");
        }
        return new Instant[] {from, to};
    }
}
