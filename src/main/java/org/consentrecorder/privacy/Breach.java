package org.consentrecorder.privacy;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * A suspected personal-data breach in the register (GDPR Art. 33(5): every breach is documented, notified
 * or not). The supervisory authority is due a notification within {@link #NOTIFY_WITHIN} of discovery
 * unless the breach is unlikely to result in a risk to the callers (Art. 33(1)); a high risk means the
 * callers are told too (Art. 34), and {@code callersDecision} records that decision.
 */
public record Breach(UUID id, String title, Instant discoveredAt, Instant occurredFrom, Instant occurredTo,
                     String description, String dataAffected, Integer callersAffected, Integer recordingsAffected,
                     String risk, String riskAssessment, String compromisedAccount, Instant authorityNotifiedAt,
                     String authorityReference, String notificationDelayReason, String callersDecision,
                     String callersDecisionReason, Instant callersInformedAt, String recordedBy, Instant recordedAt,
                     Instant updatedAt) {

    /** Art. 33(1): "without undue delay and, where feasible, not later than 72 hours after having become aware". */
    public static final Duration NOTIFY_WITHIN = Duration.ofHours(72);

    public Instant notifyBy() {
        return discoveredAt.plus(NOTIFY_WITHIN);
    }

    /** notified, not_required (unlikely to result in a risk), overdue, or open (the clock is running). */
    public String notificationStatus(Instant now) {
        if (authorityNotifiedAt != null) {
            return "notified";
        }
        if ("unlikely".equals(risk)) {
            return "not_required";
        }
        return now.isAfter(notifyBy()) ? "overdue" : "open";
    }

    /** Time left to notify (negative once overdue); null when no notification is due any more. */
    public Duration timeLeft(Instant now) {
        String status = notificationStatus(now);
        return status.equals("open") || status.equals("overdue") ? Duration.between(now, notifyBy()) : null;
    }
}
