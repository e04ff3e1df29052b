package org.consentrecorder.admin;

import io.vertx.core.json.JsonObject;

/**
 * One row of the audit trail before it is chained: who (actor), what (action), which record
 * (target), why (reason), from where (source address), the outcome, and a small JSON detail
 * (filters, ranges). Never a secret, token or password. When it is appended, {@link AuditText#split} takes the
 * free text (reason, and {@code note} / {@code message} of the detail) out of the chained row.
 */
public record AuditEntry(String actorKind, String actorId, String actorName, String action,
                         String targetType, String targetId, String reason, String sourceAddress,
                         String outcome, String detail) {

    public static AuditEntry of(Principal who, String source, String action, String targetType, String targetId,
                                String reason, String outcome, JsonObject detail) {
        return new AuditEntry(who == null ? "anonymous" : who.kind().wire(),
                who == null ? null : who.id().toString(), who == null ? null : who.name(),
                action, targetType, targetId, reason, source, outcome,
                detail == null || detail.isEmpty() ? null : detail.encode());
    }

    public AuditEntry withOutcome(String newOutcome) {
        return new AuditEntry(actorKind, actorId, actorName, action, targetType, targetId, reason, sourceAddress,
                newOutcome, detail);
    }
}
