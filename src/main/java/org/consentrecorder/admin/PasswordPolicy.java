package org.consentrecorder.admin;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What an operator password must be: long enough, not absurdly long (it is hashed with Argon2id
 * on every login), and not a placeholder or a well-known default. Messages never repeat the value.
 */
public final class PasswordPolicy {
    public static final int MIN_LENGTH = 12;
    public static final int MAX_LENGTH = 256;
    private static final Set<String> DEFAULTS = Set.of("admin", "administrator", "password", "changeme", "change-me",
            "secret", "consent-recorder", "consentrecorder", "letmein", "123456789012", "password1234",
            "adminadminadmin", "admin1234567", "passwordpassword");

    private PasswordPolicy() {
    }

    /** Empty when acceptable; otherwise what is wrong, without the value. */
    public static Optional<String> problem(String username, String password) {
        if (password == null || password.isBlank()) {
            return Optional.of("is empty");
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (lower.startsWith("change-me") || lower.startsWith("changeme") || DEFAULTS.contains(lower)
                || lower.equals(username == null ? "" : username.toLowerCase(Locale.ROOT))) {
            return Optional.of("is a default or placeholder value; choose a real secret");
        }
        if (password.length() < MIN_LENGTH) {
            return Optional.of("must be at least " + MIN_LENGTH + " characters");
        }
        if (password.length() > MAX_LENGTH) {
            return Optional.of("must be at most " + MAX_LENGTH + " characters");
        }
        if (password.chars().distinct().count() < 4) {
            return Optional.of("is too repetitive");
        }
        return Optional.empty();
    }
}
