package org.consentrecorder.admin;

import java.util.UUID;

/**
 * Who is calling: an operator account (through a session token from login) or an integration's
 * API token. {@code tokenId} is the token presented; for an account, {@code id} is the account.
 * {@code secondFactor}: the session's login presented a TOTP or recovery code (never for API tokens);
 * {@code enrolmentOnly}: the session may do nothing but enrol a second factor; {@code endpoints}: for
 * an agent, the channel-name patterns of the calls it may see and control ({@link AgentScope}).
 */
public record Principal(Kind kind, UUID id, String name, Role role, UUID tokenId, boolean secondFactor,
                        boolean enrolmentOnly, java.util.List<String> endpoints) {
    public Principal {
        endpoints = endpoints == null ? java.util.List.of() : java.util.List.copyOf(endpoints);
    }

    public enum Kind {
        ACCOUNT, API_TOKEN;

        public String wire() {
            return this == ACCOUNT ? "account" : "api_token";
        }
    }

    /** How the principal appears in the audit trail and in "requested by" fields. */
    public String describe() {
        return kind.wire() + ":" + name;
    }
}
