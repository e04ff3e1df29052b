package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Walks the whole role x route matrix over HTTP. The expected matrix is written out here, not
 * derived from the production role table, and must name every mounted route: a new route without
 * a line here fails the test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoleMatrixApiTest {
    private static final List<String> ROLES = List.of("admin", "compliance", "supervisor", "auditor", "agent");
    private static final Set<String> ANY = Set.copyOf(ROLES);
    private static final Set<String> SEARCHERS = Set.of("compliance", "supervisor");

    /** "METHOD path" -> roles allowed; null means public. */
    private static final Map<String, Set<String>> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put("POST /auth/login", null);
        EXPECTED.put("POST /auth/login/mfa", null);
        EXPECTED.put("POST /auth/password", null);
        // separated duties (issue 19): the second admin's decision
        EXPECTED.put("GET /approvals", Set.of("admin"));
        EXPECTED.put("POST /approvals/:id/approve", Set.of("admin"));
        EXPECTED.put("POST /approvals/:id/refuse", Set.of("admin"));
        EXPECTED.put("POST /auth/mfa/enrol", ANY);
        EXPECTED.put("POST /auth/mfa/confirm", ANY);
        EXPECTED.put("GET /openapi.json", null);
        EXPECTED.put("POST /auth/logout", ANY);
        EXPECTED.put("GET /auth/me", ANY);
        EXPECTED.put("GET /accounts", Set.of("admin"));
        EXPECTED.put("POST /accounts", Set.of("admin"));
        EXPECTED.put("GET /accounts/:id", Set.of("admin"));
        EXPECTED.put("PATCH /accounts/:id", Set.of("admin"));
        EXPECTED.put("POST /accounts/:id/unlock", Set.of("admin"));
        EXPECTED.put("POST /accounts/:id/mfa-reset", Set.of("admin"));
        EXPECTED.put("GET /tokens", Set.of("admin"));
        EXPECTED.put("POST /tokens", Set.of("admin"));
        EXPECTED.put("DELETE /tokens/:id", Set.of("admin"));
        EXPECTED.put("GET /calls", SEARCHERS);
        EXPECTED.put("GET /calls/:id", SEARCHERS);
        EXPECTED.put("GET /recordings", SEARCHERS);
        EXPECTED.put("POST /recordings/search", SEARCHERS);
        EXPECTED.put("GET /recordings/:id", SEARCHERS);
        EXPECTED.put("GET /recordings/:id/audio", SEARCHERS);
        // recordings of no known call (issue 12): what becomes of them is compliance's decision
        EXPECTED.put("GET /recordings/quarantine", Set.of("compliance"));
        EXPECTED.put("GET /recordings/quarantine/:name", Set.of("compliance"));
        EXPECTED.put("POST /recordings/quarantine/:name/decision", Set.of("compliance"));
        EXPECTED.put("POST /recordings/:id/playback", SEARCHERS);
        EXPECTED.put("POST /calls/search", SEARCHERS);
        EXPECTED.put("GET /consent", SEARCHERS);
        EXPECTED.put("GET /consent/history", SEARCHERS);
        // the same lookups with the caller number in a body (issue 19)
        EXPECTED.put("POST /consent/search", SEARCHERS);
        EXPECTED.put("POST /consent/history/search", SEARCHERS);
        EXPECTED.put("GET /live-calls", Set.of("agent", "supervisor"));
        EXPECTED.put("POST /live-calls/:id/pause", Set.of("agent", "supervisor"));
        EXPECTED.put("POST /live-calls/:id/resume", Set.of("agent", "supervisor"));
        EXPECTED.put("POST /live-calls/:id/stop", Set.of("agent", "supervisor"));
        EXPECTED.put("GET /audit", Set.of("compliance", "auditor"));
        EXPECTED.put("GET /audit/verify", Set.of("compliance", "auditor"));
        // the privacy lifecycle (issue 6): data-subject rights and legal holds are compliance's
        EXPECTED.put("POST /consent/withdraw", Set.of("compliance"));
        EXPECTED.put("GET /privacy/requests", Set.of("compliance"));
        EXPECTED.put("POST /privacy/requests", Set.of("compliance"));
        EXPECTED.put("GET /privacy/requests/overdue", Set.of("compliance"));
        EXPECTED.put("GET /privacy/requests/:id", Set.of("compliance"));
        EXPECTED.put("GET /privacy/requests/:id/export", Set.of("compliance"));
        EXPECTED.put("POST /privacy/requests/:id/export", Set.of("compliance"));
        EXPECTED.put("POST /privacy/requests/:id/erase", Set.of("compliance"));
        EXPECTED.put("POST /privacy/requests/:id/verify", Set.of("compliance"));
        EXPECTED.put("GET /legal-holds", Set.of("compliance"));
        EXPECTED.put("POST /legal-holds/search", Set.of("compliance"));
        EXPECTED.put("POST /legal-holds", Set.of("compliance"));
        EXPECTED.put("POST /legal-holds/:id/release", Set.of("compliance"));
        EXPECTED.put("GET /restrictions", Set.of("compliance"));
        EXPECTED.put("POST /restrictions/search", Set.of("compliance"));
        EXPECTED.put("POST /restrictions", Set.of("compliance"));
        EXPECTED.put("POST /restrictions/:id/lift", Set.of("compliance"));
        EXPECTED.put("GET /corrections", Set.of("compliance"));
        EXPECTED.put("POST /corrections/search", Set.of("compliance"));
        EXPECTED.put("POST /corrections", Set.of("compliance"));
        EXPECTED.put("GET /breaches", Set.of("compliance"));
        EXPECTED.put("POST /breaches", Set.of("compliance"));
        EXPECTED.put("GET /breaches/overdue", Set.of("compliance"));
        EXPECTED.put("GET /breaches/account-access", Set.of("compliance"));
        EXPECTED.put("GET /breaches/:id", Set.of("compliance"));
        EXPECTED.put("POST /breaches/:id/authority-notification", Set.of("compliance"));
        EXPECTED.put("POST /breaches/:id/callers-decision", Set.of("compliance"));
        EXPECTED.put("GET /breaches/:id/report", Set.of("compliance"));
        EXPECTED.put("GET /privacy/register", Set.of("admin", "compliance", "auditor"));
        EXPECTED.put("GET /retention/policy", Set.of("admin", "compliance", "auditor"));
        EXPECTED.put("GET /retention/runs", Set.of("admin", "compliance", "auditor"));
        EXPECTED.put("POST /retention/runs", Set.of("admin"));
        EXPECTED.put("GET /statistics/daily", Set.of("admin", "compliance", "supervisor", "auditor"));
    }

    private AppHarness h;
    private ApiClient client;
    private final Map<String, String> tokens = new LinkedHashMap<>();

    @BeforeAll
    void start() {
        h = AppHarness.start(Map.of());
        client = new ApiClient(h.app.httpPort());
        String admin = ApiTestSupport.adminToken(client);
        for (String role : ROLES) {
            tokens.put(role, ApiTestSupport.tokenFor(h, client, admin, "matrix-" + role, role));
        }
    }

    @AfterAll
    void stop() {
        client.close();
        h.close();
    }

    private static Set<String> mounted(AppHarness h) {
        Set<String> out = new TreeSet<>();
        for (Route r : h.app.router().getRoutes()) {
            if (r.getPath() != null && r.getPath().startsWith("/api/v1/") && r.methods() != null && !r.methods().isEmpty()) {
                for (HttpMethod m : r.methods()) {
                    out.add(m.name() + " " + r.getPath().substring("/api/v1".length()));
                }
            }
        }
        return out;
    }

    private ApiClient.Reply call(String route, String token) {
        String[] parts = route.split(" ", 2);
        String path = "/api/v1" + parts[1].replaceAll(":[a-z_]+", UUID.randomUUID().toString());
        HttpMethod method = HttpMethod.valueOf(parts[0]);
        Buffer body = method == HttpMethod.POST || method == HttpMethod.PATCH ? Buffer.buffer("{}") : null;
        return client.send(method, path, token, body, Map.of());
    }

    @Test
    void theMatrixNamesEveryMountedRoute() {
        assertEquals(new TreeSet<>(EXPECTED.keySet()), mounted(h));
    }

    @Test
    void everyRoleOnEveryRoute() {
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : EXPECTED.entrySet()) {
            if (e.getKey().equals("POST /auth/logout")) {
                continue;
            }
            if (e.getValue() == null) {
                ApiClient.Reply r = call(e.getKey(), null);
                if (r.status() == 401 || r.status() == 403) {
                    wrong.add(e.getKey() + " public but answered " + r);
                }
                continue;
            }
            ApiClient.Reply anonymous = call(e.getKey(), null);
            if (anonymous.status() != 401 || !"unauthorized".equals(anonymous.error())) {
                wrong.add(e.getKey() + " without a token: " + anonymous);
            }
            ApiClient.Reply forged = call(e.getKey(), Tokens.newToken(Tokens.SESSION_PREFIX));
            if (forged.status() != 401) {
                wrong.add(e.getKey() + " with an unknown token: " + forged);
            }
            for (String role : ROLES) {
                ApiClient.Reply r = call(e.getKey(), tokens.get(role));
                boolean allowed = e.getValue().contains(role);
                if (allowed && (r.status() == 401 || r.status() == 403 || r.status() >= 500)) {
                    wrong.add(e.getKey() + " as " + role + " should be allowed: " + r);
                }
                if (!allowed && (r.status() != 403 || !"forbidden".equals(r.error()))) {
                    wrong.add(e.getKey() + " as " + role + " should be 403: " + r);
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        // every denial is in the audit trail
        long denials = (long) h.rows("select count(*) as n from audit_log where outcome = 'denied'").get(0).get("n");
        long expectedDenials = EXPECTED.values().stream().filter(v -> v != null && v != ANY)
                .mapToLong(v -> ROLES.size() - v.size()).sum();
        assertEquals(expectedDenials, denials);
        assertEquals(expectedDenials, (long) h.rows("select count(*) as n from audit_log where outcome = 'denied' "
                + "and actor_name like 'matrix-%' and source_address = '127.0.0.1'").get(0).get("n"));
    }

    @Test
    void logoutWorksForEveryRoleAndEndsTheSession() {
        for (String role : ROLES) {
            String token = client.login("matrix-" + role, ApiTestSupport.PASSWORD);
            assertEquals(200, client.get("/api/v1/auth/me", token).status());
            assertEquals(204, client.post("/api/v1/auth/logout", token, null).status());
            ApiClient.Reply after = client.get("/api/v1/auth/me", token);
            assertEquals(401, after.status());
            assertNotEquals(null, after.headers().get("www-authenticate"));
        }
    }
}
