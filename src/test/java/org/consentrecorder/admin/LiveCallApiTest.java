package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** An agent desktop pauses, resumes and stops the recording of a live call through the API. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveCallApiTest {
    private AppHarness h;
    private ApiClient client;
    private String agent;
    private String otherAgent;
    private String supervisor;

    @BeforeAll
    void start() {
        h = AppHarness.start(Map.of());
        client = new ApiClient(h.app.httpPort());
        String admin = ApiTestSupport.adminToken(client);
        ApiClient.Reply token = client.post("/api/v1/tokens", admin, new JsonObject().put("name", "agent-desktop")
                .put("role", "agent").put("endpoints", new JsonArray().add("PJSIP/agent-7")));
        assertEquals(201, token.status(), token.toString());
        agent = token.json().getString("token");
        otherAgent = client.post("/api/v1/tokens", admin, new JsonObject().put("name", "agent-8-desktop")
                .put("role", "agent").put("endpoints", new JsonArray().add("PJSIP/agent-8*"))).json().getString("token");
        supervisor = ApiTestSupport.tokenFor(h, client, admin, "sue", "supervisor");
    }

    @AfterAll
    void stop() {
        client.close();
        h.close();
    }

    private JsonObject control(UUID call, String action, int expectedStatus) {
        ApiClient.Reply r = client.post("/api/v1/live-calls/" + call + "/" + action, agent, new JsonObject().put("reason", "payment"));
        assertEquals(expectedStatus, r.status(), r.toString());
        return r.json();
    }

    @Test
    void findByChannel_pause_resume_stop() {
        Map<String, Object> row = ApiTestSupport.recordedCall(h, "+15551238001");
        UUID call = (UUID) row.get("id");
        String channel = (String) row.get("channel_id");
        answeredBy(call, channel, "PJSIP/agent-7-0000002a");

        JsonArray live = client.get("/api/v1/live-calls?channel_id=" + ApiTestSupport.enc(channel), agent).json().getJsonArray("items");
        assertEquals(1, live.size());
        assertEquals(call.toString(), live.getJsonObject(0).getString("call_id"));
        assertTrue(live.getJsonObject(0).getBoolean("recording"));

        assertEquals("paused", control(call, "pause", 200).getString("status"));
        assertEquals("already_paused", control(call, "pause", 200).getString("status"));
        h.awaitRows("select * from recording_timeline where call_id = $1 and change = 'paused'", call);
        assertEquals("recording", control(call, "resume", 200).getString("status"));
        assertEquals("already_recording", control(call, "resume", 200).getString("status"));
        assertEquals("discarded", control(call, "stop", 200).getString("status"));

        // each request is audited before it goes to Asterisk, and its result after
        List<Map<String, Object>> pauses = ApiTestSupport.auditRows(h, "live_calls.pause", call.toString());
        assertEquals(List.of("allowed", "paused", "allowed", "already_paused"), pauses.stream().map(r -> r.get("outcome")).toList());
        assertEquals("agent-desktop", pauses.get(0).get("actor_name"));
        assertEquals("api_token", pauses.get(0).get("actor_kind"));
        assertEquals("payment", pauses.get(0).get("reason"));
        List<Map<String, Object>> stops = ApiTestSupport.auditRows(h, "live_calls.stop", call.toString());
        assertEquals("discarded", stops.get(1).get("outcome"));
        assertEquals("agent-desktop", stops.get(0).get("actor_name"));
        assertEquals("payment", stops.get(0).get("reason"));

        // an operator stop is the operator's act: recorded as such, never as the caller's withdrawal
        h.awaitRows("select * from recording_timeline where call_id = $1 and change = 'stopped_by_operator'"
                + " and trigger_kind = 'api'", call);
        h.awaitRows("select 1 from call where id = $1 and recording_state = 'discarded'", call);
        assertEquals(0, h.rows("select * from recording_timeline where call_id = $1 and change = 'withdrawn_discarded'",
                call).size());
        assertEquals(0, h.rows("select * from consent_decision where call_id = $1 and outcome = 'withdrawn'", call).size());
        assertEquals(0, h.rows("select * from subject_preference where subject = '+15551238001'"
                + " and preference = 'do_not_record'").size());
    }

    /** The dialplan's Dial() reached the agent: the app hears it on the caller's channel. */
    private void answeredBy(UUID call, String channel, String agentChannel) {
        h.asterisk.agentAnswers(channel, agentChannel);
        h.asterisk.await("the call to be the agent's", () -> client.get("/api/v1/live-calls", supervisor).json()
                .getJsonArray("items").stream().map(JsonObject.class::cast)
                .anyMatch(c -> c.getString("call_id").equals(call.toString())
                        && c.getJsonArray("peers").contains(agentChannel)), AppHarness.WAIT);
    }

    @Test
    void anAgentSeesAndControlsOnlyTheCallsOfItsEndpoints_aSupervisorAll() {
        Map<String, Object> row = ApiTestSupport.recordedCall(h, "+15551238002");
        UUID call = (UUID) row.get("id");
        String channel = (String) row.get("channel_id");
        // before any agent answered, the call is no agent's
        assertTrue(ids(agent).isEmpty() || !ids(agent).contains(call.toString()));
        answeredBy(call, channel, "PJSIP/agent-7-0000002b");

        assertTrue(ids(agent).contains(call.toString()), "agent 7 answered it");
        assertFalse(ids(otherAgent).contains(call.toString()), "agent 8 does not see it");
        JsonObject refused = client.post("/api/v1/live-calls/" + call + "/resume", otherAgent, new JsonObject()).json();
        assertEquals("not_found", refused.getString("error"), refused.toString());
        assertEquals(404, client.post("/api/v1/live-calls/" + call + "/pause", otherAgent, new JsonObject()).status());
        assertEquals(404, client.post("/api/v1/live-calls/" + call + "/stop", otherAgent, new JsonObject()).status());
        assertTrue(h.rows("select * from recording_timeline where call_id = $1 and change <> 'started'", call).isEmpty(),
                "nothing happened to the recording");
        assertEquals("not_found", ApiTestSupport.auditRows(h, "live_calls.pause", call.toString()).get(1).get("outcome"));

        assertTrue(ids(supervisor).contains(call.toString()), "a supervisor sees every call");
        assertEquals(200, client.post("/api/v1/live-calls/" + call + "/pause", supervisor, new JsonObject()).status());
        assertEquals("recording", control(call, "resume", 200).getString("status"), "and agent 7 controls it");
        h.asterisk.callerHangsUp(channel);
    }

    private java.util.Set<String> ids(String token) {
        ApiClient.Reply r = client.get("/api/v1/live-calls", token);
        assertEquals(200, r.status(), r.toString());
        return r.json().getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("call_id"))
                .collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void anUnknownCall_is404() {
        JsonObject body = control(UUID.randomUUID(), "pause", 404);
        assertEquals("not_found", body.getString("status"));
        assertEquals("not_found", body.getString("error"));
    }
}
