package org.consentrecorder.call;

import java.util.Locale;

/** What caused a change in a live recording; stored in the pause timeline. */
public enum TriggerKind {
    DTMF_SEQUENCE,
    USER_EVENT,
    API,
    DTMF_BURST,
    MAX_PAUSE_ELAPSED,
    /** The event WebSocket to Asterisk dropped: triggers raised meanwhile would be lost, so pause. */
    ARI_OUTAGE,
    HANGUP;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
