package org.consentrecorder.admin;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Operator roles and what each may do; deny by default. */
public enum Role {
    ADMIN(EnumSet.of(Permission.MANAGE_ACCOUNTS, Permission.MANAGE_TOKENS, Permission.MANAGE_RETENTION,
            Permission.ROTATE_KEYS, Permission.READ_PRIVACY_REPORTS, Permission.READ_STATISTICS,
            Permission.READ_OPERATIONS_STATUS)),
    // data-subject rights, legal holds and what becomes of audio of no known call are legal
    // decisions: compliance, not the technical admin
    COMPLIANCE(EnumSet.of(Permission.SEARCH, Permission.PLAYBACK, Permission.EXPORT, Permission.ERASURE,
            Permission.READ_AUDIT, Permission.WITHDRAW_CONSENT, Permission.HANDLE_SUBJECT_REQUESTS,
            Permission.MANAGE_LEGAL_HOLDS, Permission.RESTRICT_PROCESSING, Permission.CORRECT_DATA,
            Permission.MANAGE_BREACHES, Permission.READ_PRIVACY_REPORTS, Permission.READ_STATISTICS,
            Permission.MANAGE_QUARANTINE)),
    // a supervisor may act on every live call; an agent only on its own (AgentScope)
    SUPERVISOR(EnumSet.of(Permission.SEARCH, Permission.PLAYBACK, Permission.READ_STATISTICS,
            Permission.CONTROL_LIVE_CALLS)),
    AUDITOR(EnumSet.of(Permission.READ_AUDIT, Permission.READ_PRIVACY_REPORTS, Permission.READ_STATISTICS)),
    AGENT(EnumSet.of(Permission.CONTROL_LIVE_CALLS));

    private final Set<Permission> permissions;

    Role(Set<Permission> permissions) {
        this.permissions = permissions;
    }

    public boolean allows(Permission p) {
        return permissions.contains(p);
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> fromWire(String s) {
        for (Role r : values()) {
            if (r.wire().equals(s)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** Each role and the permissions it holds (lower case), for the records of processing. */
    public static java.util.Map<String, java.util.List<String>> permissionTable() {
        java.util.Map<String, java.util.List<String>> table = new java.util.LinkedHashMap<>();
        for (Role r : values()) {
            table.put(r.wire(), r.permissions.stream().map(p -> p.name().toLowerCase(Locale.ROOT)).sorted().toList());
        }
        return table;
    }

    public static String choices() {
        return "admin, compliance, supervisor, auditor, agent";
    }
}
