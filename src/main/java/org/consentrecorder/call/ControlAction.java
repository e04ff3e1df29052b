package org.consentrecorder.call;

import java.util.Locale;

/** What an operator, an agent desktop or a payment system can ask of a live recording. */
public enum ControlAction {
    PAUSE,
    RESUME,
    /**
     * An operator stops the recording and discards it. It is the operator's act, recorded as such
     * (who, and the reason in the audit trail): never evidence that the caller withdrew consent,
     * which only the caller's own withdraw sequence writes.
     */
    STOP;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
