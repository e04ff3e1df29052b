package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The TOTP second factor end to end, with the production default of which roles need it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MfaApiTest {
    private AppHarness h;
    private ApiClient c;
    private String admin;
    private byte[] adminSecret;

    @BeforeAll
    void start() {
        h = AppHarness.start(Map.of("CR_MFA_REQUIRED_ROLES", "admin,compliance,supervisor,auditor"));
        c = new ApiClient(h.app.httpPort());
        Signed s = enrolFirstTime(AppHarness.ADMIN_USER, AppHarness.ADMIN_PASSWORD);
        admin = s.token;
        adminSecret = s.secret;
    }

    @AfterAll
    void stop() {
        c.close();
        h.close();
    }

    record Signed(String token, byte[] secret, List<String> recoveryCodes) {
    }

    private ApiClient.Reply login(String user, String password) {
        return c.post("/api/v1/auth/login", null, new JsonObject().put("username", user).put("password", password));
    }

    private static long step() {
        return Totp.step(System.currentTimeMillis() / 1000);
    }

    /** Password, enrolment-only session, enrol, confirm: the session becomes a full one. */
    private Signed enrolFirstTime(String user, String password) {
        ApiClient.Reply r = login(user, password);
        assertEquals(200, r.status(), r.toString());
        assertEquals("mfa_enrolment", r.json().getString("scope"));
        String token = r.json().getString("token");
        ApiClient.Reply enrol = c.post("/api/v1/auth/mfa/enrol", token, null);
        assertEquals(200, enrol.status(), enrol.toString());
        String uri = enrol.json().getString("otpauth_uri");
        assertTrue(uri.startsWith("otpauth://totp/consent-recorder:" + user + "?secret="), uri);
        byte[] secret = base32(enrol.json().getString("secret"));
        assertEquals(400, c.post("/api/v1/auth/mfa/confirm", token, new JsonObject().put("code", wrongCode(secret))).status());
        ApiClient.Reply confirmed = c.post("/api/v1/auth/mfa/confirm", token,
                new JsonObject().put("code", Totp.code(secret, step())));
        assertEquals(200, confirmed.status(), confirmed.toString());
        JsonArray codes = confirmed.json().getJsonArray("recovery_codes");
        assertEquals(10, codes.size());
        return new Signed(token, secret, codes.stream().map(Object::toString).toList());
    }

    private ApiClient.Reply secondStep(String user, String password, JsonObject factor) {
        ApiClient.Reply first = login(user, password);
        assertEquals(200, first.status(), first.toString());
        assertTrue(first.json().getBoolean("mfa_required"), first.toString());
        assertFalse(first.json().containsKey("token"), "no token before the second factor");
        return c.post("/api/v1/auth/login/mfa", null, factor.copy().put("challenge", first.json().getString("challenge")));
    }

    @Test
    void aDataRole_cannotReadPersonalData_withoutTheSecondFactor() {
        ApiTestSupport.tokenFor(h, c, admin, "carol", "compliance");
        ApiClient.Reply first = login("carol", ApiTestSupport.PASSWORD);
        String limited = first.json().getString("token");
        assertEquals("mfa_enrolment", first.json().getString("scope"));
        assertTrue(first.json().getBoolean("mfa_enrolment_required"));
        for (String path : List.of("/api/v1/calls", "/api/v1/recordings", "/api/v1/audit", "/api/v1/privacy/requests")) {
            ApiClient.Reply r = c.get(path, limited);
            assertEquals(403, r.status(), path + ": " + r);
            assertEquals("mfa_enrolment_required", r.error());
        }
        assertEquals(0, c.get("/api/v1/auth/me", limited).json().getJsonArray("permissions").size());
        // API tokens have no second factor: they may search but never play audio or export subject data
        String api = ApiTestSupport.approvedToken(c, admin, enrolAccount("approving-admin", "admin").token(), "crm", "compliance");
        assertEquals(200, c.get("/api/v1/calls", api).status());
        ApiClient.Reply play = c.get("/api/v1/recordings/" + UUID.randomUUID() + "/audio", api);
        assertEquals(403, play.status(), play.toString());
        assertTrue(play.json().getString("message").contains("CR_TOKENS_MAY_PLAY"));
        assertEquals(403, c.get("/api/v1/privacy/requests/" + UUID.randomUUID() + "/export", api).status());
    }

    @Test
    void twoStepSignIn_codesAreSingleUse_challengesRunOut() {
        Signed dave = enrolAccount("dave", "supervisor");
        long s = step();
        String next = Totp.code(dave.secret, s + 1);
        ApiClient.Reply ok = secondStep("dave", ApiTestSupport.PASSWORD, new JsonObject().put("code", next));
        assertEquals(200, ok.status(), ok.toString());
        assertTrue(ok.json().getBoolean("second_factor"));
        assertEquals(200, c.get("/api/v1/calls", ok.json().getString("token")).status());

        ApiClient.Reply reused = secondStep("dave", ApiTestSupport.PASSWORD, new JsonObject().put("code", next));
        assertEquals(401, reused.status(), "a code already used in its window is refused: " + reused);
        assertEquals("unauthorized", reused.error(), "a wrong code: the same challenge may try again");
        ApiClient.Reply older = secondStep("dave", ApiTestSupport.PASSWORD,
                new JsonObject().put("code", Totp.code(dave.secret, s)));
        assertEquals(401, older.status(), "an older code than the last one used is refused too");

        // five wrong codes use up a challenge: the right one then fails as well
        ApiClient.Reply first = login("dave", ApiTestSupport.PASSWORD);
        String challenge = first.json().getString("challenge");
        for (int i = 0; i < AuthRoutes.CHALLENGE_ATTEMPTS; i++) {
            ApiClient.Reply wrong = c.post("/api/v1/auth/login/mfa", null, new JsonObject().put("challenge", challenge)
                    .put("code", "99999" + i));
            assertEquals(401, wrong.status());
            assertEquals("unauthorized", wrong.error(), wrong.toString());
        }
        ApiClient.Reply usedUp = c.post("/api/v1/auth/login/mfa", null, new JsonObject().put("challenge", challenge)
                .put("recovery_code", dave.recoveryCodes.get(0)));
        assertEquals(401, usedUp.status());
        assertEquals(AuthRoutes.CHALLENGE_EXPIRED, usedUp.error(), "the client is told to start again with the password");
        assertEquals(400, c.post("/api/v1/auth/login/mfa", null, new JsonObject().put("challenge", challenge)).status(),
                "neither a code nor a recovery code");
    }

    @Test
    void recoveryCodes_workOnce_andAreStoredHashed_secretsSealed() {
        Signed erin = enrolAccount("erin", "auditor");
        String code = erin.recoveryCodes.get(3);
        ApiClient.Reply ok = secondStep("erin", ApiTestSupport.PASSWORD, new JsonObject().put("recovery_code", code));
        assertEquals(200, ok.status(), ok.toString());
        ApiClient.Reply again = secondStep("erin", ApiTestSupport.PASSWORD, new JsonObject().put("recovery_code", code));
        assertEquals(401, again.status(), "a recovery code is single-use: " + again);
        ApiClient.Reply other = secondStep("erin", ApiTestSupport.PASSWORD,
                new JsonObject().put("recovery_code", erin.recoveryCodes.get(4).toUpperCase()));
        assertEquals(200, other.status(), "another code still works (case and dashes do not matter)");

        Map<String, Object> row = h.rows("select m.* from operator_mfa m join operator_account a on a.id = m.account_id "
                + "where a.username = 'erin'").get(0);
        byte[] sealed = ((Buffer) row.get("secret_sealed")).getBytes();
        assertFalse(Buffer.buffer(sealed).toString(java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains(new String(erin.secret, java.nio.charset.StandardCharsets.ISO_8859_1)), "the secret is not in clear");
        assertTrue(sealed.length >= erin.secret.length + 28);
        assertTrue(h.rows("select * from operator_recovery_code where encode(code_hash, 'escape') like $1",
                "%" + code.replace("-", "") + "%").isEmpty());
        assertTrue(h.rows("select * from audit_log a left join audit_text t on t.seq = a.seq where coalesce(a.detail, '') like $1 "
                + "or coalesce(t.body, '') like $1", "%" + code + "%").isEmpty());
    }

    @Test
    void anAdminResetsTheSecondFactor_withAReason_andItsSessionsEnd() {
        Signed fred = enrolAccount("fred", "supervisor");
        String id = (String) h.rows("select id::text from operator_account where username = 'fred'").get(0).get("id");
        assertEquals(400, c.post("/api/v1/accounts/" + id + "/mfa-reset", admin, new JsonObject()).status());
        assertTrue(c.get("/api/v1/accounts/" + id, admin).json().getBoolean("second_factor"), "enrolled, says the account");
        assertTrue(c.get("/api/v1/accounts?limit=200", admin).json().getJsonArray("items").stream()
                .map(o -> (JsonObject) o).filter(a -> a.getString("id").equals(id)).findFirst().orElseThrow()
                .getBoolean("second_factor"), "and the list");
        ApiClient.Reply reset = c.post("/api/v1/accounts/" + id + "/mfa-reset", admin,
                new JsonObject().put("reason", "phone lost, ticket 99"));
        assertEquals(200, reset.status(), reset.toString());
        assertTrue(reset.json().getBoolean("second_factor_removed"));
        assertEquals(401, c.get("/api/v1/auth/me", fred.token).status(), "the account's sessions end");
        List<Map<String, Object>> rows = ApiTestSupport.auditRows(h, "accounts.mfa_reset", id);
        assertEquals("phone lost, ticket 99", rows.get(rows.size() - 1).get("reason"));
        assertEquals("mfa_enrolment", login("fred", ApiTestSupport.PASSWORD).json().getString("scope"));
        assertFalse(c.get("/api/v1/accounts/" + id, admin).json().getBoolean("second_factor"), "not enrolled any more");
    }

    @Test
    void enrolmentTwice_isAConflict_andTheAdminSessionIsFull() {
        ApiClient.Reply again = c.post("/api/v1/auth/mfa/enrol", admin, null);
        assertEquals(409, again.status(), again.toString());
        JsonObject me = c.get("/api/v1/auth/me", admin).json();
        assertTrue(me.getBoolean("second_factor"));
        assertEquals("full", me.getString("scope"));
        assertNotNull(adminSecret);
    }

    private Signed enrolAccount(String user, String role) {
        h.operator(user, ApiTestSupport.PASSWORD, role);
        return enrolFirstTime(user, ApiTestSupport.PASSWORD);
    }

    /** A six-digit code that is none of the codes accepted now (the current step and its neighbours). */
    private static String wrongCode(byte[] secret) {
        long s = step();
        java.util.Set<String> valid = java.util.Set.of(Totp.code(secret, s - 1), Totp.code(secret, s), Totp.code(secret, s + 1),
                Totp.code(secret, s + 2));
        for (int i = 0; ; i++) {
            String candidate = String.format("%06d", i);
            if (!valid.contains(candidate)) {
                return candidate;
            }
        }
    }

    /** RFC 4648 base32 (test side, independent of the server's encoder). */
    static byte[] base32(String s) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int buffer = 0;
        int bits = 0;
        for (char ch : s.toCharArray()) {
            buffer = (buffer << 5) | alphabet.indexOf(ch);
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >> (bits - 8)) & 0xff);
                bits -= 8;
            }
        }
        return out.toByteArray();
    }
}
