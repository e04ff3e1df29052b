package org.consentrecorder.admin;

/**
 * Text from outside (addresses, user names, error messages that quote input) made safe for a log
 * line: CR, LF and other control characters are escaped so nobody can forge a log line, and the
 * length is bounded.
 */
public final class LogText {
    static final int MAX = 200;

    private LogText() {
    }

    public static String clean(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX) + 8);
        for (int i = 0; i < s.length() && out.length() < MAX; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (out.length() >= MAX && s.length() > MAX) {
            out.append("...");
        }
        return out.toString();
    }
}
