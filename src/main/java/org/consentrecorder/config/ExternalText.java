package org.consentrecorder.config;

/**
 * Text that came from outside (a caller ID a phone company passed on, a dialled number, a user
 * event's name, an HTTP client's input, an error message quoting any of them) made safe for where
 * it goes. One class for the whole application, at the bottom of the layering so every feature may
 * use it (it belongs to no feature and imports nothing of the project).
 *
 * <ul>
 *   <li>{@link #forLog}: for a log line. CR, LF and every other control character are escaped, so
 *   nobody can forge a log line, and the length is bounded.</li>
 *   <li>{@link #bounded}: for a value that is stored and shown (SQL text, JSON). Control characters
 *   (NUL, which PostgreSQL refuses in text, CR, LF, escape, ...) and unpaired surrogates (which
 *   UTF-8 cannot encode) become U+FFFD, and the length is capped without splitting a pair. A
 *   hostile caller ID then is data like any other, and never breaks the call that carries it.</li>
 * </ul>
 */
public final class ExternalText {
    /** The longest external string quoted in one log line. */
    public static final int LOG_MAX = 200;
    static final char REPLACEMENT = '\uFFFD';

    private ExternalText() {
    }

    /** Escaped for a log line: {@code \n}, {@code \r}, {@code \t}, {@code \\uXXXX}; at most {@link #LOG_MAX} characters and "...". */
    public static String forLog(Object value) {
        if (value == null) {
            return "null";
        }
        String s = value.toString();
        StringBuilder out = new StringBuilder(Math.min(s.length(), LOG_MAX) + 8);
        for (int i = 0; i < s.length() && out.length() < LOG_MAX; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isHighSurrogate(c) && pairedAt(s, i)) {
                        out.append(c).append(s.charAt(++i));
                    } else if (isControl(c) || Character.isSurrogate(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (out.length() >= LOG_MAX && s.length() > LOG_MAX) {
            out.append("...");
        }
        return out.toString();
    }

    /**
     * At most {@code max} characters, control characters and unpaired surrogates replaced by
     * U+FFFD; null stays null. Returns {@code s} itself when there was nothing to change.
     */
    public static String bounded(String s, int max) {
        if (s == null) {
            return null;
        }
        if (s.length() <= max && clean(s)) {
            return s;
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && out.length() < max; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && pairedAt(s, i)) {
                if (out.length() + 2 > max) {
                    break; // a pair is kept whole or not at all
                }
                out.append(c).append(s.charAt(++i));
            } else if (isControl(c) || Character.isSurrogate(c)) {
                out.append(REPLACEMENT);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean clean(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isControl(c)) {
                return false;
            }
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || !pairedAt(s, i)) {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    /** C0, DEL, C1 and the Unicode line and paragraph separators (which some log viewers break lines at). */
    private static boolean isControl(char c) {
        return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029';
    }

    /** Whether the surrogate at {@code i} is half of a valid pair. */
    private static boolean pairedAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
