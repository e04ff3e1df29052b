package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An admin cannot give itself, an account or an API token a role that reads callers' data (or
 * admin) on its own: the change waits for a second admin, the one who asked cannot approve it,
 * and with a single admin it is refused (the command line is the break-glass path).
 */
class SeparatedDutiesApiTest {
    private AppHarness h;
    private ApiClient client;
    private String admin;

    @BeforeEach
    void start() {
        h = AppHarness.start(Map.of());
        client = new ApiClient(h.app.httpPort());
        admin = ApiTestSupport.adminToken(client);
    }

    @AfterEach
    void stop() {
        client.close();
        h.close();
    }

    private ApiClient.Reply newAccount(String user, String role) {
        return client.post("/api/v1/accounts", admin, new JsonObject().put("username", user)
                .put("password", "Temporary-passphrase-41").put("role", role));
    }

    @Test
    void aSingleAdmin_cannotGiveAnyoneADataRole_norMintADataRoleToken() {
        for (String role : List.of("compliance", "supervisor", "auditor", "admin")) {
            ApiClient.Reply r = newAccount("puppet-" + role, role);
            assertEquals(409, r.status(), role + ": " + r);
            assertTrue(r.json().getString("message").contains("admin create"), "points at the break-glass path");
            ApiClient.Reply t = client.post("/api/v1/tokens", admin, new JsonObject().put("name", "t-" + role).put("role", role));
            assertEquals(role.equals("admin") ? 400 : 409, t.status(), role + ": " + t);
        }
        assertEquals(0, h.rows("select * from operator_account where username like 'puppet-%'").size());
        assertEquals(0, h.rows("select * from access_token where kind = 'api'").size());
        assertEquals(0, h.rows("select * from role_approval").size());
        // an agent needs no second admin
        assertEquals(201, newAccount("agent-1", "agent").status());
        String agentId = h.rows("select id from operator_account where username = 'agent-1'").get(0).get("id").toString();
        ApiClient.Reply promote = client.patch("/api/v1/accounts/" + agentId, admin, new JsonObject().put("role", "compliance"));
        assertEquals(409, promote.status(), promote.toString());
        assertEquals("agent", client.get("/api/v1/accounts/" + agentId, admin).json().getString("role"));
        // refusals are in the trail
        assertEquals(4, h.rows("select * from audit_log where action = 'accounts.create' and outcome = 'rejected:conflict'").size());
    }

    @Test
    void aDataRoleAccount_waitsForASecondAdmin_whoCannotBeTheOneWhoAsked() {
        String second = ApiTestSupport.secondAdmin(h, client, "second-admin");
        ApiClient.Reply asked = newAccount("carla", "compliance");
        assertEquals(202, asked.status(), asked.toString());
        String request = asked.json().getString("id");
        assertEquals("pending", asked.json().getString("status"));
        assertNull(asked.json().getString("password_hash"));
        assertEquals(0, h.rows("select * from operator_account where username = 'carla'").size(), "nothing yet");

        ApiClient.Reply self = client.post("/api/v1/approvals/" + request + "/approve", admin, null);
        assertEquals(403, self.status(), "the admin who asked cannot approve: " + self);
        assertEquals(0, h.rows("select * from operator_account where username = 'carla'").size());
        assertEquals(1, client.get("/api/v1/approvals", second).json().getJsonArray("items").size());

        ApiClient.Reply approved = client.post("/api/v1/approvals/" + request + "/approve", second, null);
        assertEquals(200, approved.status(), approved.toString());
        assertEquals("approved", approved.json().getString("status"));
        assertEquals(409, client.post("/api/v1/approvals/" + request + "/approve", second, null).status(), "once");
        Map<String, Object> carla = h.rows("select * from operator_account where username = 'carla'").get(0);
        assertEquals("compliance", carla.get("role"));
        assertEquals(true, carla.get("must_change_password"), "the admin's password is temporary");
        assertNull(h.rows("select password_hash from role_approval where id = $1", java.util.UUID.fromString(request)).get(0).get("password_hash"),
                "the temporary password's hash is not kept in the request");

        // not even the approver's admin session can read data with it: carla signs in and sets her own
        ApiClient.Reply step = client.post("/api/v1/auth/login", null, new JsonObject().put("username", "carla")
                .put("password", "Temporary-passphrase-41"));
        assertTrue(step.json().getBoolean("password_change_required"), step.toString());
        assertNull(step.json().getString("token"));

        List<Map<String, Object>> trail = ApiTestSupport.auditRows(h, "approvals.approve", request);
        assertEquals(List.of("second-admin"), trail.stream().filter(r -> "ok".equals(r.get("outcome")))
                .map(r -> r.get("actor_name")).toList(), "approved once, by the second admin");
        assertTrue(ApiTestSupport.auditRows(h, "approvals.approve", request).stream()
                .anyMatch(r -> "denied".equals(r.get("outcome")) || "failed".equals(r.get("outcome"))
                        || "root-admin".equals(r.get("actor_name"))), "the self-approval attempt is in the trail");
    }

    @Test
    void promotionAndPasswordResetOfADataRoleAccount_waitForASecondAdmin_andARefusalChangesNothing() {
        String second = ApiTestSupport.secondAdmin(h, client, "second-admin");
        assertEquals(201, newAccount("sam", "agent").status());
        String id = h.rows("select id from operator_account where username = 'sam'").get(0).get("id").toString();
        ApiClient.Reply promote = client.patch("/api/v1/accounts/" + id, admin, new JsonObject().put("role", "supervisor"));
        assertEquals(202, promote.status(), promote.toString());
        ApiClient.Reply refused = client.post("/api/v1/approvals/" + promote.json().getString("id") + "/refuse", second, null);
        assertEquals(200, refused.status(), refused.toString());
        assertEquals("agent", client.get("/api/v1/accounts/" + id, admin).json().getString("role"));

        ApiClient.Reply again = client.patch("/api/v1/accounts/" + id, admin, new JsonObject().put("role", "supervisor"));
        assertEquals(200, client.post("/api/v1/approvals/" + again.json().getString("id") + "/approve", second, null).status());
        assertEquals("supervisor", client.get("/api/v1/accounts/" + id, admin).json().getString("role"));

        // resetting a supervisor's password would let the admin sign in as them: a second admin decides
        ApiClient.Reply reset = client.patch("/api/v1/accounts/" + id, admin, new JsonObject().put("password", "Reset-passphrase-77"));
        assertEquals(202, reset.status(), reset.toString());
        assertEquals(401, client.post("/api/v1/auth/login", null, new JsonObject().put("username", "sam")
                .put("password", "Reset-passphrase-77")).status(), "not before the approval");

        // an admin cannot promote itself, even with a second admin around
        String me = client.get("/api/v1/auth/me", admin).json().getString("id");
        assertEquals(409, client.patch("/api/v1/accounts/" + me, admin, new JsonObject().put("role", "compliance")).status());
    }

    @Test
    void aDataRoleToken_isIssuedOnlyOnASecondAdminsApproval_andExpires() {
        String second = ApiTestSupport.secondAdmin(h, client, "second-admin");
        ApiClient.Reply asked = client.post("/api/v1/tokens", admin, new JsonObject().put("name", "crm").put("role", "compliance")
                .put("expires_in_days", 30));
        assertEquals(202, asked.status(), asked.toString());
        assertNull(asked.json().getString("token"), "no token for the admin who asked");
        assertEquals(0, h.rows("select * from access_token where kind = 'api'").size());
        String request = asked.json().getString("id");
        assertEquals(403, client.post("/api/v1/approvals/" + request + "/approve", admin, null).status());

        ApiClient.Reply approved = client.post("/api/v1/approvals/" + request + "/approve", second, null);
        assertEquals(200, approved.status(), approved.toString());
        String token = approved.json().getString("token");
        assertNotNull(token);
        JsonObject me = client.get("/api/v1/auth/me", token).json();
        assertEquals("compliance", me.getString("role"));
        Map<String, Object> row = h.rows("select extract(epoch from expires_at - created_at)::bigint as ttl "
                + "from access_token where kind = 'api'").get(0);
        assertEquals(30L * 86400, ((Number) row.get("ttl")).longValue(), "it expires as asked");
    }
}
