package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.consentrecorder.call.CallPhase;
import org.consentrecorder.call.CallRegistry;
import org.junit.jupiter.api.Test;

/** Which live calls an agent may act on: its endpoint patterns against the caller's and the answering channels. */
class AgentScopeTest {
    private static CallRegistry.LiveCall call(String callerChannel, Set<String> peers) {
        return new CallRegistry.LiveCall(UUID.randomUUID(), "1795538447.1", CallPhase.IN_DIALPLAN, null, true, false,
                callerChannel, peers, "default");
    }

    private static Principal agent(String... endpoints) {
        return new Principal(Principal.Kind.API_TOKEN, UUID.randomUUID(), "desk", Role.AGENT, UUID.randomUUID(), false,
                false, List.of(endpoints));
    }

    @Test
    void aPatternMatchesTheChannelNameWithOrWithoutAsterisksSuffix() {
        assertTrue(AgentScope.matches("PJSIP/agent-7", "PJSIP/agent-7-0000002a"));
        assertTrue(AgentScope.matches("PJSIP/agent-7", "PJSIP/agent-7"));
        assertFalse(AgentScope.matches("PJSIP/agent-7", "PJSIP/agent-70-0000002a"), "agent 70 is not agent 7");
        assertTrue(AgentScope.matches("PJSIP/agent-*", "PJSIP/agent-70-0000002a"));
        assertFalse(AgentScope.matches("PJSIP/agent-*", "PJSIP/trunk-0000002a"));
        assertFalse(AgentScope.matches("PJSIP/agent.7", "PJSIP/agentx7-00000001"), "a dot is a dot, not a regex");
        assertFalse(AgentScope.matches("PJSIP/agent-7", null));
    }

    @Test
    void anAgentSeesOnlyCallsWithItsEndpoints_otherRolesSeeAll() {
        CallRegistry.LiveCall answered = call("PJSIP/trunk-00000001", Set.of("PJSIP/agent-7-0000002a"));
        CallRegistry.LiveCall unanswered = call("PJSIP/trunk-00000002", Set.of());
        assertTrue(AgentScope.allows(agent("PJSIP/agent-7"), answered));
        assertFalse(AgentScope.allows(agent("PJSIP/agent-8"), answered));
        assertFalse(AgentScope.allows(agent("PJSIP/agent-7"), unanswered));
        assertFalse(AgentScope.allows(agent(), answered), "no endpoints, no calls");
        assertTrue(AgentScope.allows(agent("PJSIP/trunk-*"), unanswered), "or by the caller's own channel");
        Principal supervisor = new Principal(Principal.Kind.ACCOUNT, UUID.randomUUID(), "sue", Role.SUPERVISOR,
                UUID.randomUUID(), true, false, List.of());
        assertTrue(AgentScope.allows(supervisor, unanswered));
    }

    @Test
    void endpointsAreValidated() {
        assertEquals(List.of("PJSIP/agent-7", "SIP/desk@pbx*"), AgentScope.parse(new JsonArray().add("PJSIP/agent-7").add("SIP/desk@pbx*")));
        assertThrows(ApiError.class, () -> AgentScope.parse(new JsonArray().add("PJSIP/agent 7")));
        assertThrows(ApiError.class, () -> AgentScope.parse(new JsonArray().add(42)));
        assertThrows(ApiError.class, () -> AgentScope.parse(new JsonArray().add("")));
        // a pattern that would reach every call is a supervisor's scope, which needs a second admin's approval
        for (String everything : List.of("*", "**", "PJSIP/*", "PJSIP/**", "*/agent-7", "agent-7")) {
            ApiError refused = assertThrows(ApiError.class, () -> AgentScope.parse(new JsonArray().add(everything)),
                    everything);
            assertTrue(refused.getMessage().contains("supervisor's reach"), refused.getMessage());
        }
        assertEquals(List.of("PJSIP/a*"), AgentScope.parse(new JsonArray().add("PJSIP/a*")));
        JsonArray many = new JsonArray();
        for (int i = 0; i < 33; i++) {
            many.add("PJSIP/agent-" + i);
        }
        assertThrows(ApiError.class, () -> AgentScope.parse(many));
    }
}
