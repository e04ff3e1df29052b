package org.consentrecorder.admin;

import java.util.Locale;
import java.util.regex.Pattern;

/** Operator user names: lower case, so that "Alice" and "alice" are one account. */
public final class Usernames {
    public static final String RULE = "1 to 64 of a-z 0-9 . _ @ -, starting with a letter or digit";
    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9._@-]{0,63}");

    private Usernames() {
    }

    public static String normalize(String username) {
        return username == null ? "" : username.trim().toLowerCase(Locale.ROOT);
    }

    public static boolean valid(String normalized) {
        return normalized != null && VALID.matcher(normalized).matches();
    }
}
