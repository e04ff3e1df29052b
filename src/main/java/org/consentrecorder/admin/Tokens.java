package org.consentrecorder.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Bearer tokens: 256 random bits, base64url, with a prefix that says what the token is
 * ({@code crs_} session, {@code cra_} API token) so secret scanners and humans recognize it.
 * Only the SHA-256 of the whole token is stored.
 */
public final class Tokens {
    public static final String SESSION_PREFIX = "crs_";
    public static final String API_PREFIX = "cra_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    public static String newToken(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token that could have been issued here: prefix plus 43 base64url characters. */
    public static boolean wellFormed(String token) {
        return token != null && token.length() == 47
                && (token.startsWith(SESSION_PREFIX) || token.startsWith(API_PREFIX))
                && token.substring(4).chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_');
    }
}
