package org.consentrecorder.admin;

import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.consentrecorder.testing.AppHarness;

/** Accounts, calls and recordings for the admin API tests. */
final class ApiTestSupport {
    static final String PASSWORD = "Role-test-password-42";

    private ApiTestSupport() {
    }

    static String adminToken(ApiClient client) {
        return client.login(AppHarness.ADMIN_USER, AppHarness.ADMIN_PASSWORD);
    }

    /**
     * Creates an account with the role (password {@link #PASSWORD}) and logs it in: an agent through
     * the API (then its first sign-in sets its own password), any other role as the command line's
     * break-glass path does, since the API needs a second admin for it (SeparatedDutiesApiTest).
     */
    static String tokenFor(AppHarness h, ApiClient client, String adminToken, String username, String role) {
        if (!role.equals("agent")) {
            h.operator(username, PASSWORD, role);
            return client.login(username, PASSWORD);
        }
        ApiClient.Reply r = client.post("/api/v1/accounts", adminToken, new JsonObject()
                .put("username", username).put("password", PASSWORD + "-temporary").put("role", role));
        if (r.status() != 201) {
            throw new AssertionError("account " + username + ": " + r);
        }
        ApiClient.Reply changed = client.post("/api/v1/auth/password", null, new JsonObject().put("username", username)
                .put("password", PASSWORD + "-temporary").put("new_password", PASSWORD));
        if (changed.status() != 200) {
            throw new AssertionError("first sign-in of " + username + ": " + changed);
        }
        return changed.json().getString("token");
    }

    /** A second admin (made as the command line does), signed in: the one who approves. */
    static String secondAdmin(AppHarness h, ApiClient client, String username) {
        h.operator(username, PASSWORD, "admin");
        return client.login(username, PASSWORD);
    }

    /** An API token with a role that needs a second admin: asked for by one admin, approved by another. */
    static String approvedToken(AppHarness h, ApiClient client, String adminToken, String name, String role) {
        String second = secondAdmin(h, client, "approver-" + UUID.randomUUID().toString().substring(0, 8));
        return approvedToken(client, adminToken, second, name, role);
    }

    /** As above, with the approving admin's session given. */
    static String approvedToken(ApiClient client, String adminToken, String second, String name, String role) {
        ApiClient.Reply asked = client.post("/api/v1/tokens", adminToken, new JsonObject().put("name", name).put("role", role));
        if (asked.status() != 202) {
            throw new AssertionError("token request " + name + ": " + asked);
        }
        ApiClient.Reply approved = client.post("/api/v1/approvals/" + asked.json().getString("id") + "/approve", second, null);
        if (approved.status() != 200) {
            throw new AssertionError("approval of " + name + ": " + approved);
        }
        return approved.json().getString("token");
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Places a call that the caller grants; returns the call row once it is recording. */
    static Map<String, Object> recordedCall(AppHarness h, String caller) {
        String ch = h.asterisk.placeCall(caller);
        h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/" + ch + "/play").size() == 2,
                AppHarness.WAIT);
        h.asterisk.pressDtmf(ch, '1');
        return h.awaitRows("select * from call where channel_id = $1 and recording_state = 'recording'", ch).get(0);
    }

    /** Places a call that the caller declines; returns the call row once the decision is stored. */
    static Map<String, Object> declinedCall(AppHarness h, String caller) {
        String ch = h.asterisk.placeCall(caller);
        h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/" + ch + "/play").size() == 2,
                AppHarness.WAIT);
        h.asterisk.pressDtmf(ch, '2');
        h.awaitRows("select * from consent_decision where channel_id = $1", ch);
        return h.awaitRows("select * from call where channel_id = $1 and outcome = 'declined'", ch).get(0);
    }

    /** A row in the recording table, as the archive writes it (served by a fake archive). */
    static void insertRecording(AppHarness h, UUID recordingId, UUID callId, String subject, String state, long bytes) {
        h.rows("insert into recording (id, call_id, name, subject, format, state, duration_seconds, plaintext_bytes, "
                        + "finished_at) values ($1, $2, $3, $4, 'wav', $5, 12, $6, $7)",
                recordingId, callId, "cr-" + callId, subject, state, bytes, OffsetDateTime.now());
    }

    /** The random pseudonym that names the caller in the audit trail. */
    static String pseudonym(AppHarness h, String subject) {
        List<Map<String, Object>> rows = h.rows("select pseudonym from subject_pseudonym where subject = $1", subject);
        if (rows.isEmpty()) {
            throw new AssertionError("no pseudonym for " + subject);
        }
        return (String) rows.get(0).get("pseudonym");
    }

    static List<Map<String, Object>> auditRows(AppHarness h, String action, String target) {
        // the reason is free text beside the chain (audit_text)
        return h.rows("select a.*, t.body::jsonb ->> 'reason' as reason from audit_log a left join audit_text t "
                + "on t.seq = a.seq where a.action = $1 and a.target_id = $2 order by a.seq", action, target);
    }
}
