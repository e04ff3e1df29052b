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
    void accounts_create_disable_resetPassword() {
        ApiClient.Reply created = client.post("/api/v1/accounts", admin, new JsonObject()
                .put("username", "Dana").put("password", "Dana-temporary-passphrase-1").put("role", "agent"));
        assertEquals(201, created.status(), created.toString());
        String id = created.json().getString("id");
        assertEquals("dana", created.json().getString("username"), "user names are lower case");
        assertNull(created.json().getString("password_hash"));
        assertTrue(created.json().getBoolean("must_change_password"));
        assertEquals(409, client.post("/api/v1/accounts", admin, new JsonObject()
                .put("username", "dana").put("password", "Dana-strong-passphrase-1").put("role", "agent")).status());
        assertEquals(400, client.post("/api/v1/accounts", admin, new JsonObject()
                .put("username", "erin").put("password", "change-me-please").put("role", "agent")).status());
        assertEquals(400, client.post("/api/v1/accounts", admin, new JsonObject()
                .put("username", "erin").put("password", "short").put("role", "agent")).status());

        // the admin's password is temporary: the first sign-in sets the operator's own
        String dana = firstSignIn("dana", "Dana-temporary-passphrase-1", "Dana-strong-passphrase-1");
        assertEquals(200, client.get("/api/v1/live-calls", dana).status());
        assertFalse(client.get("/api/v1/accounts/" + id, admin).json().getBoolean("must_change_password"));
        ApiClient.Reply moved = client.patch("/api/v1/accounts/" + id, admin, new JsonObject().put("role", "agent")
                .put("disabled", true));
        assertEquals(200, moved.status(), moved.toString());
        assertEquals(401, client.get("/api/v1/auth/me", dana).status(), "a change ends the account's sessions");
        assertEquals(401, login("dana", "Dana-strong-passphrase-1").status(), "a disabled account cannot log in");

        assertEquals(200, client.patch("/api/v1/accounts/" + id, admin, new JsonObject()
                .put("disabled", false).put("password", "Another-dana-passphrase-2")).status());
        assertEquals(401, login("dana", "Dana-strong-passphrase-1").status());
        assertNotNull(firstSignIn("dana", "Another-dana-passphrase-2", "Dana-own-passphrase-3"));
        assertTrue(ApiTestSupport.auditRows(h, "accounts.update", id).stream()
                .anyMatch(row -> ((String) row.get("detail")).contains("\"password\"")));
        assertTrue(h.rows("select * from audit_log a left join audit_text t on t.seq = a.seq "
                + "where a.detail like '%Another-dana%' or t.body like '%Another-dana%'").isEmpty());
    }

    /** Sign-in with an admin-set password: no token, a password-change step, then the operator's own. */
    private String firstSignIn(String user, String temporary, String own) {
        ApiClient.Reply step = login(user, temporary);
        assertEquals(200, step.status(), step.toString());
        assertTrue(step.json().getBoolean("password_change_required"), step.toString());
        assertNull(step.json().getString("token"), "no token with a temporary password");
        assertEquals(400, client.post("/api/v1/auth/password", null, new JsonObject().put("username", user)
                .put("password", temporary).put("new_password", temporary)).status(), "the same password again");
        assertEquals(401, client.post("/api/v1/auth/password", null, new JsonObject().put("username", user)
                .put("password", "Not-the-temporary-one-9").put("new_password", own)).status());
        ApiClient.Reply changed = client.post("/api/v1/auth/password", null, new JsonObject().put("username", user)
                .put("password", temporary).put("new_password", own));
        assertEquals(200, changed.status(), changed.toString());
        assertEquals(401, login(user, temporary).status(), "the temporary password is gone");
        assertNotNull(client.login(user, own));
        return changed.json().getString("token");
    }

    @Test
    void anExpiredTemporaryPassword_letsNoOneIn() {
        ApiClient.Reply created = client.post("/api/v1/accounts", admin, new JsonObject()
                .put("username", "late-agent").put("password", "Late-temporary-passphrase-1").put("role", "agent"));
        assertEquals(201, created.status(), created.toString());
        h.rows("update operator_account set password_expires_at = now() - interval '1 second' where username = 'late-agent'");
        ApiClient.Reply r = login("late-agent", "Late-temporary-passphrase-1");
        assertEquals(401, r.status(), r.toString());
        assertEquals("password_expired", r.error());
        assertEquals(401, client.post("/api/v1/auth/password", null, new JsonObject().put("username", "late-agent")
                .put("password", "Late-temporary-passphrase-1").put("new_password", "Late-own-passphrase-2")).status());
    }

    @Test
    void apiTokens_expireAfter90DaysByDefault_andAtMostAYear() {
        ApiClient.Reply plain = client.post("/api/v1/tokens", admin, new JsonObject().put("name", "ivr-default").put("role", "agent"));
        assertEquals(201, plain.status(), plain.toString());
        java.time.Instant created = java.time.Instant.parse(plain.json().getString("created_at"));
        java.time.Duration lifetime = java.time.Duration.between(created, java.time.Instant.parse(plain.json().getString("expires_at")));
        assertTrue(lifetime.minus(java.time.Duration.ofDays(90)).abs().compareTo(java.time.Duration.ofSeconds(1)) < 0,
                "90 days: " + lifetime);
        ApiClient.Reply year = client.post("/api/v1/tokens", admin, new JsonObject().put("name", "ivr-year").put("role", "agent")
                .put("expires_in_days", 365));
        assertEquals(201, year.status(), year.toString());
        ApiClient.Reply tooLong = client.post("/api/v1/tokens", admin, new JsonObject().put("name", "ivr-long").put("role", "agent")
                .put("expires_in_days", 366));
        assertEquals(400, tooLong.status(), tooLong.toString());
        assertEquals(0, h.rows("select * from access_token where name = 'ivr-long'").size(), "nothing created");
        assertEquals(0, h.rows("select * from access_token where kind = 'api' and expires_at is null").size());
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
