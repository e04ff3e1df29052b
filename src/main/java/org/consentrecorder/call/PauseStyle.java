package org.consentrecorder.call;

import java.util.Locale;

/**
 * How a payment segment appears in the file. SKIP (the default) uses ARI pause: the gap is cut
 * out, so the file is shorter and later offsets shift by the paused time; Asterisk reports the
 * state back ("paused"), so a taken-over recording can be checked. SILENCE uses ARI mute: the
 * file keeps the call's length, but Asterisk does not report a mute, and releases before the fix
 * for asterisk/asterisk#322 ignore a second mute, so it is used once per recording (see
 * {@link RecordingControl}).
 */
public enum PauseStyle {
    SILENCE,
    SKIP;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
