package org.consentrecorder.admin;

import java.time.Duration;

/**
 * Who may give a role on their own. Compliance, supervisor and auditor read callers' data or the
 * trail about it, and admin can hand out roles: one admin alone must not be able to give any of
 * them to an account (its own puppet included) or to an API token. Such a change waits as a
 * request until a second admin approves it; with a single admin it is refused, and the command
 * line ({@code admin create}, audited) is the break-glass path. Agents see only their own calls
 * and need no second pair of eyes.
 */
final class DutySeparation {
    /** How long an admin-set temporary password lets its account sign in to set its own. */
    static final Duration TEMPORARY_PASSWORD_TTL = Duration.ofHours(72);

    private DutySeparation() {
    }

    static boolean needsSecondAdmin(Role role) {
        return role != Role.AGENT;
    }

    static ApiError singleAdmin() {
        return ApiError.conflict("giving this role needs a second admin's approval and there is no other active "
                + "admin; use the command line ('admin create', audited) as the break-glass path");
    }
}
