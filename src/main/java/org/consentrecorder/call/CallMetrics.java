package org.consentrecorder.call;

/**
 * What the call shell reports for monitoring, from the commands it carries out: the pure
 * {@link CallFlow} and {@link RecordingControl} know nothing of it. Called on the call's own
 * context, so an implementation must not block. Arguments are bounded vocabularies (outcome,
 * lawful basis, trigger kind); an implementation never labels anything by caller, digit or call id.
 */
public interface CallMetrics {
    /** Reports nothing: the default until the application plugs in its metrics. */
    CallMetrics NOOP = new CallMetrics() {
    };

    /** A new caller channel entered the application (not a call taken over after a restart). */
    default void callStarted() {
    }

    /** The call is released; outcome is null when it ended before any decision. */
    default void callEnded(Outcome outcome) {
    }

    /** A consent decision (a withdrawal included) goes to the evidence. */
    default void decisionRecorded(Outcome outcome, LawfulBasis basis) {
    }

    /** Consent evidence could not be stored after every retry (the call is then not recorded). */
    default void evidenceWriteFailed() {
    }

    /** A change of a live recording, as written to its pause timeline. */
    default void recordingChanged(TimelineEntry entry) {
    }
}
