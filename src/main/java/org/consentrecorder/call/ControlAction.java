package org.consentrecorder.call;

import java.util.Locale;

/** What an operator, an agent desktop or a payment system can ask of a live recording. */
public enum ControlAction {
    PAUSE,
    RESUME,
    /** Stop and discard: the caller withdrew consent. */
    WITHDRAW;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
