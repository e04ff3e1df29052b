package org.consentrecorder.archive;

import java.time.Instant;
import java.util.Locale;

/**
 * One decision about a quarantined recording, as written (append-only) in
 * {@code recording_quarantine_decision}: the record of who destroyed or kept audio nobody could
 * tie to a call, and why.
 *
 * @param automatic true when the grace period made it ({@code decidedBy} is then
 *                  {@link RecordingQuarantine#GRACE_PERIOD})
 */
public record QuarantineDecision(Kind kind, String decidedBy, String reason, boolean automatic, Instant decidedAt) {

    public enum Kind {
        /** Delete Asterisk's copy. */
        DELETE,
        /** Keep it on Asterisk, out of reach of the grace period. */
        KEEP;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind fromWire(String wire) {
            return valueOf(wire.toUpperCase(Locale.ROOT));
        }
    }
}
