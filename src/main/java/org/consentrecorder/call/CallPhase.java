package org.consentrecorder.call;

import java.util.Locale;

/**
 * Where a call is, from StasisStart to the end. Stored (lower case) in the call table's phase
 * column and shown to operators, so a new value is a visible change.
 */
public enum CallPhase {
    NEW,
    ANSWERING,
    PROMPTING,
    WAITING_FOR_KEY,
    /** "As you asked before, this call will not be recorded" is playing (or the re-grant window runs). */
    INFORMING,
    /** Decided: the evidence is being written and a prompt still playing is being stopped. */
    CLOSING,
    SETTING_UP_RECORDING,
    SETTING_VARIABLES,
    CONTINUING,
    IN_DIALPLAN,
    ENDING,
    ENDED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CallPhase fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
