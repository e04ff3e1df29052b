package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.Test;

/** Every mounted route is in the served OpenAPI document, and every documented operation answers. */
class OpenApiDocumentTest {

    @Test
    void theDocumentAndTheRoutesAgree() {
        try (AppHarness h = AppHarness.start(Map.of()); ApiClient client = new ApiClient(h.app.httpPort())) {
            ApiClient.Reply r = client.get("/api/v1/openapi.json", null);
            assertEquals(200, r.status());
            JsonObject doc = r.json();
            assertTrue(doc.getString("openapi").startsWith("3."));
            assertEquals("/api/v1", doc.getJsonArray("servers").getJsonObject(0).getString("url"));

            Set<String> documented = new TreeSet<>();
            JsonObject paths = doc.getJsonObject("paths");
            for (String path : paths.fieldNames()) {
                for (String method : paths.getJsonObject(path).fieldNames()) {
                    documented.add(method.toUpperCase() + " " + path);
                }
            }
            Set<String> mounted = new TreeSet<>();
            for (Route route : h.app.router().getRoutes()) {
                if (route.getPath() != null && route.getPath().startsWith("/api/v1/") && route.methods() != null) {
                    for (HttpMethod m : route.methods()) {
                        mounted.add(m.name() + " " + route.getPath().substring(7).replaceAll(":([A-Za-z_]+)", "{$1}"));
                    }
                }
            }
            assertEquals(documented, mounted, "documented vs mounted");

            // and each documented operation is answered by a route (not the no_route/405 fallback)
            String admin = ApiTestSupport.adminToken(client);
            List<String> missing = new ArrayList<>();
            for (String op : documented) {
                String[] parts = op.split(" ", 2);
                HttpMethod method = HttpMethod.valueOf(parts[0]);
                String uri = "/api/v1" + parts[1].replaceAll("\\{[a-z_]+\\}", UUID.randomUUID().toString());
                ApiClient.Reply answer = client.send(method, uri, op.endsWith("/auth/logout") ? null : admin,
                        method == HttpMethod.GET || method == HttpMethod.DELETE ? null : Buffer.buffer("{}"), Map.of());
                if ("no_route".equals(answer.error()) || "method_not_allowed".equals(answer.error())) {
                    missing.add(op + ": " + answer);
                }
                // every documented error status of the operation exists as a number
                JsonObject responses = paths.getJsonObject(parts[1]).getJsonObject(parts[0].toLowerCase())
                        .getJsonObject("responses");
                assertTrue(responses.fieldNames().stream().allMatch(s -> s.matches("[1-5]\\d\\d")), op);
            }
            assertTrue(missing.isEmpty(), String.join("\n", missing));
        }
    }
}
