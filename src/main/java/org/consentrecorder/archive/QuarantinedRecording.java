package org.consentrecorder.archive;

import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/**
 * A recording found on Asterisk that belongs to no call in the database, as compliance sees it
 * ({@link RecordingQuarantine}). Holds no caller data: the name is {@code cr-<call id>}.
 *
 * @param deleteAfter when the grace period deletes it if nobody decides; null when it will not be
 *                    deleted automatically (not {@code held}, or no grace period configured)
 * @param lastDecision the latest decision about it, null when there is none yet
 * @param server       the Asterisk server it was found on (and is deleted from)
 */
public record QuarantinedRecording(String name, UUID callId, String format, Instant foundAt, Status status,
                                   Instant deleteAfter, Instant deletedAt, QuarantineDecision lastDecision,
                                   String server) {

    /** Stored in {@code recording_quarantine.status}; V21__archive_quarantine.sql describes each. */
    public enum Status {
        /** Kept on Asterisk, waiting for a decision. */
        HELD,
        /** Compliance decided to keep it on Asterisk; never deleted automatically. */
        KEPT,
        /** Deletion decided, not yet confirmed by Asterisk (the reconciliation finishes it). */
        DELETING,
        /** Deleted on Asterisk. */
        DELETED,
        /** Its call is in the database again: the reconciliation handles it as usual. */
        RELEASED;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Status fromWire(String wire) {
            return valueOf(wire.toUpperCase(Locale.ROOT));
        }

        /** A deletion was decided: it must go from Asterisk, whatever else is learnt about it. */
        boolean deletionDecided() {
            return this == DELETING || this == DELETED;
        }

        /** Still quarantined: kept on Asterisk, nothing more decided. */
        boolean open() {
            return this == HELD || this == KEPT;
        }
    }
}
