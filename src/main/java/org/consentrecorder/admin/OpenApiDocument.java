package org.consentrecorder.admin;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The OpenAPI 3 description of the admin API, a hand-written resource
 * ({@code src/main/resources/admin/openapi.json}); {@code OpenApiDocumentTest} checks that it and
 * the mounted routes agree in both directions.
 */
public final class OpenApiDocument {
    public static final String RESOURCE = "/admin/openapi.json";

    private OpenApiDocument() {
    }

    public static JsonObject load() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Handler<RoutingContext> handler() {
        String body = load().encodePrettily();
        return ctx -> {
            QueryInput.of(ctx);
            ctx.response().putHeader("content-type", "application/json").end(body);
        };
    }
}
