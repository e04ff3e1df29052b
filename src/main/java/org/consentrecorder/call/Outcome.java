package org.consentrecorder.call;

import java.util.Locale;

/** What the caller decided, as stored in the evidence and exposed to the dialplan as CONSENT_OUTCOME. */
public enum Outcome {
    /** Accept key pressed. */
    GRANTED,
    /** Decline key pressed under the consent basis. */
    DECLINED,
    /** Objection key pressed under the legitimate-interest basis. */
    OPTED_OUT,
    /** No valid key after every attempt: never consent; under legitimate interest, no objection. */
    NO_RESPONSE,
    /** Caller hung up before a decision. */
    ABANDONED,
    /** A "do not record" preference was already on file, so the caller was not asked again. */
    DO_NOT_RECORD,
    /** The caller stopped a running recording during the call; that recording is discarded. */
    WITHDRAWN,
    /** The notice could not be played (missing prompt, ARI error): the caller was not informed, so no recording. */
    ERROR;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Outcome fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }

    /** Whether this decision allows the call to be recorded under the given basis. */
    public boolean allowsRecording(LawfulBasis basis) {
        return this == GRANTED || (this == NO_RESPONSE && basis == LawfulBasis.LEGITIMATE_INTEREST);
    }
}
