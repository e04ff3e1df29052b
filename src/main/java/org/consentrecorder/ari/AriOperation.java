package org.consentrecorder.ari;

import java.util.Locale;
import java.util.Set;

/**
 * The operation an ARI request performs, as a low-cardinality name for metrics: the method and
 * the path with every segment that is not a word of the ARI REST API replaced by {@code {id}},
 * e.g. {@code POST /recordings/live/{id}/pause}. Channel ids, recording names and playback ids
 * never survive; an unknown word does not either, so the set of names stays bounded.
 */
public final class AriOperation {
    /** The words of ARI's resource paths (rest-api/resources.json of Asterisk 20 to 23). */
    private static final Set<String> WORDS = Set.of(
            "api-docs", "resources.json", "asterisk", "info", "ping", "variable", "config", "dynamic", "modules",
            "logging", "rotate", "endpoints", "sendMessage", "refer", "bridges", "addChannel", "removeChannel",
            "videoSource", "moh", "play", "record", "channels", "create", "externalMedia", "answer", "ring", "dtmf",
            "mute", "hold", "silence", "snoop", "dial", "continue", "move", "redirect", "rtp_statistics",
            "transfer_progress", "deviceStates", "mailboxes", "playbacks", "control", "recordings", "stored", "live",
            "file", "copy", "stop", "pause", "sounds", "applications", "subscription", "eventFilter", "events", "user");

    /** The recording controls a call sends (VertxAriHttpClient#isControl): pause, mute, their undoing, stop, cancel. */
    public static final java.util.List<String> RECORDING_CONTROLS = java.util.List.of(
            "POST /recordings/live/{id}/pause", "DELETE /recordings/live/{id}/pause",
            "POST /recordings/live/{id}/mute", "DELETE /recordings/live/{id}/mute",
            "POST /recordings/live/{id}/stop", "DELETE /recordings/live/{id}");

    private AriOperation() {
    }

    /** {@code path} is relative to the ARI base ({@code /channels/...}), with or without a query. */
    public static String of(String method, String path) {
        String p = path == null ? "" : path;
        int query = p.indexOf('?');
        if (query >= 0) {
            p = p.substring(0, query);
        }
        StringBuilder sb = new StringBuilder(method == null ? "?" : method.toUpperCase(Locale.ROOT)).append(' ');
        int segments = 0;
        for (String segment : p.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            // ARI paths are at most five segments deep; more is not a path of ours
            if (++segments > 6) {
                sb.append("/...");
                break;
            }
            sb.append('/').append(WORDS.contains(segment) ? segment : "{id}");
        }
        if (segments == 0) {
            sb.append('/');
        }
        return sb.toString();
    }
}
