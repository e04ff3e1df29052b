package org.consentrecorder.admin;

/**
 * Free text from a client (a reason, a note, a filter) may hold tab and newline but no other C0
 * control character: PostgreSQL refuses NUL in text (a query or an audit row would fail and the
 * client would see a 500 or 503), and an escape or carriage return has no place in an audit row
 * or a log line. {@link InputBoundary} refuses them before any handler, with a 400 that names
 * the field.
 */
final class ControlCharacters {
    static final String RULE = "must not contain control characters (tab and newline are allowed)";

    private ControlCharacters() {
    }

    static boolean present(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n') {
                return true;
            }
        }
        return false;
    }
}
