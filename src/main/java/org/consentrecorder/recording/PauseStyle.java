package org.consentrecorder.recording;

import java.util.Locale;

/**
 * How a payment segment appears in the file. SILENCE uses ARI mute: the file keeps the call's
 * length, so timeline offsets are offsets into the file. SKIP uses ARI pause: the gap is cut out,
 * so the file is shorter and later offsets shift by the paused time.
 */
public enum PauseStyle {
    SILENCE,
    SKIP;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
