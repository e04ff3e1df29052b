package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Login, session tokens, API tokens and account administration over real HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthApiTest {
    private AppHarness h;
    private ApiClient client;
    private String admin;

    @BeforeAll
    void start() {
        h = AppHarness.start(Map.of("CR_TOKEN_TTL", "10m"));
        client = new ApiClient(h.app.httpPort());
        admin = ApiTestSupport.adminToken(client);
    }

    @AfterAll
    void stop() {
        client.close();
        h.close();
    }

    private ApiClient.Reply login(String user, String password) {
        return client.post("/api/v1/auth/login", null, new JsonObject().put("username", user).put("password", password));
    }

    @Test
    void login_givesAShortLivedBearerToken_storedOnlyAsAHash() {
        ApiClient.Reply r = login(AppHarness.ADMIN_USER, AppHarness.ADMIN_PASSWORD);
        assertEquals(200, r.status(), r.toString());
        String token = r.json().getString("token");
        assertTrue(token.startsWith("crs_") && token.length() == 47, token);
        assertEquals("Bearer", r.json().getString("token_type"));
        assertEquals(600, r.json().getLong("expires_in"));
        assertEquals("admin", r.json().getString("role"));
        JsonObject me = client.get("/api/v1/auth/me", token).json();
        assertEquals(AppHarness.ADMIN_USER, me.getString("name"));
        assertTrue(me.getJsonArray("permissions").contains("manage_accounts"));
        // never the token itself in the database or the audit trail
        assertTrue(h.rows("select * from access_token where token_hash = sha256(convert_to($1, 'UTF8'))", token).size() == 1);
        assertTrue(h.rows("select * from audit_log a left join audit_text t on t.seq = a.seq where a.detail like $1 or t.body like $1", "%" + token.substring(4, 20) + "%").isEmpty());
        assertTrue(h.rows("select * from audit_log where coalesce(detail, '') like $1", "%" + AppHarness.ADMIN_PASSWORD + "%").isEmpty());
    }

    @Test
    void login_wrongPasswordOrUnknownUser_sameAnswer_andAudited() {
        ApiClient.Reply wrong = login(AppHarness.ADMIN_USER, "not-the-password-at-all");
        ApiClient.Reply unknown = login("nobody-here", "not-the-password-at-all");
        assertEquals(401, wrong.status());
        assertEquals(401, unknown.status());
        assertEquals(wrong.json().getString("message"), unknown.json().getString("message"));
        List<Map<String, Object>> failed = h.rows("select * from audit_log where action = 'auth.login' and outcome = 'failed'");
        assertTrue(failed.stream().anyMatch(row -> AppHarness.ADMIN_USER.equals(row.get("actor_name"))));
        assertTrue(failed.stream().anyMatch(row -> row.get("actor_name") == null
                && ((String) row.get("detail")).contains("unknown_account")), "unknown names are not written down");
    }

    @Test
    void expiredOrRevokedSessions_areRefused() {
        String token = client.login(AppHarness.ADMIN_USER, AppHarness.ADMIN_PASSWORD);
        assertEquals(200, client.get("/api/v1/auth/me", token).status());
        h.rows("update access_token set expires_at = now() - interval '1 second' "
                + "where token_hash = sha256(convert_to($1, 'UTF8'))", token);
        ApiClient.Reply r = client.get("/api/v1/auth/me", token);
        assertEquals(401, r.status());
        assertTrue(r.json().getString("message").contains("expired"));
    }

    @Test
    void apiTokens_shownOnce_usable_listedWithoutTheSecret_revocable() {
        ApiClient.Reply created = client.post("/api/v1/tokens", admin, new JsonObject()
                .put("name", "payment-ivr").put("role", "agent").put("expires_in_days", 365));
        assertEquals(201, created.status(), created.toString());
        String token = created.json().getString("token");
        String id = created.json().getString("id");
        assertTrue(token.startsWith("cra_"));
        JsonObject me = client.get("/api/v1/auth/me", token).json();
        assertEquals("api_token", me.getString("kind"));
        assertEquals("agent", me.getString("role"));
        assertEquals(200, client.get("/api/v1/live-calls", token).status());
        assertEquals(403, client.get("/api/v1/calls", token).status());

        ApiClient.Reply list = client.get("/api/v1/tokens", admin);
        assertFalse(list.body().toString().contains(token.substring(4)), "a listed token never shows the secret");
        JsonArray items = list.json().getJsonArray("items");
        assertTrue(items.stream().anyMatch(o -> id.equals(((JsonObject) o).getString("id"))));
        assertEquals(400, client.post("/api/v1/auth/logout", token, null).status(), "API tokens are revoked, not logged out");

        assertEquals(204, client.delete("/api/v1/tokens/" + id, admin).status());
        assertEquals(401, client.get("/api/v1/auth/me", token).status());
        assertEquals(404, client.delete("/api/v1/tokens/" + id, admin).status(), "already revoked");
        assertEquals(1, ApiTestSupport.auditRows(h, "tokens.revoke", id).stream()
                .filter(row -> "ok".equals(row.get("outcome"))).count());

        ApiClient.Reply adminToken = client.post("/api/v1/tokens", admin, new JsonObject().put("name", "x").put("role", "admin"));
        assertEquals(400, adminToken.status(), "API tokens cannot be admins");
    }

    @Test
    void accounts_create_disable_changeRole_resetPassword() {
        ApiClient.Reply created = client.post("/api/v1/accounts", admin, new JsonObject()
                .put("username", "Dana").put("password", "Dana-strong-passphrase-1").put("role", "auditor"));
        assertEquals(201, created.status(), created.toString());
        String id = created.json().getString("id");
        assertEquals("dana", created.json().getString("username"), "user names are lower case");
        assertNull(created.json().getString("password_hash"));
        assertEquals(409, client.post("/api/v1/accounts", admin, new JsonObject()
                .put("username", "dana").put("password", "Dana-strong-passphrase-1").put("role", "auditor")).status());
        assertEquals(400, client.post("/api/v1/accounts", admin, new JsonObject()
                .put("username", "erin").put("password", "change-me-please").put("role", "auditor")).status());
        assertEquals(400, client.post("/api/v1/accounts", admin, new JsonObject()
                .put("username", "erin").put("password", "short").put("role", "auditor")).status());

        String dana = client.login("dana", "Dana-strong-passphrase-1");
        assertEquals(200, client.get("/api/v1/audit", dana).status());
        ApiClient.Reply promoted = client.patch("/api/v1/accounts/" + id, admin, new JsonObject().put("role", "supervisor"));
        assertEquals("supervisor", promoted.json().getString("role"));
        assertEquals(401, client.get("/api/v1/auth/me", dana).status(), "a role change ends the account's sessions");

        dana = client.login("dana", "Dana-strong-passphrase-1");
        assertEquals(200, client.patch("/api/v1/accounts/" + id, admin, new JsonObject().put("disabled", true)).status());
        assertEquals(401, client.get("/api/v1/auth/me", dana).status());
        assertEquals(401, login("dana", "Dana-strong-passphrase-1").status(), "a disabled account cannot log in");

        assertEquals(200, client.patch("/api/v1/accounts/" + id, admin, new JsonObject()
                .put("disabled", false).put("password", "Another-dana-passphrase-2")).status());
        assertEquals(401, login("dana", "Dana-strong-passphrase-1").status());
        assertNotNull(client.login("dana", "Another-dana-passphrase-2"));
        assertTrue(ApiTestSupport.auditRows(h, "accounts.update", id).stream()
                .anyMatch(row -> ((String) row.get("detail")).contains("\"password\"")));
        assertTrue(h.rows("select * from audit_log a left join audit_text t on t.seq = a.seq "
                + "where a.detail like '%Another-dana%' or t.body like '%Another-dana%'").isEmpty());
    }

    @Test
    void theLastAdmin_cannotBeDisabledOrDemoted() {
        String rootId = client.get("/api/v1/auth/me", admin).json().getString("id");
        ApiClient.Reply r = client.patch("/api/v1/accounts/" + rootId, admin, new JsonObject().put("role", "auditor"));
        assertEquals(409, r.status(), r.toString());
        assertEquals(409, client.patch("/api/v1/accounts/" + rootId, admin, new JsonObject().put("disabled", true)).status());
        assertEquals("admin", client.get("/api/v1/accounts/" + rootId, admin).json().getString("role"));
    }
}
