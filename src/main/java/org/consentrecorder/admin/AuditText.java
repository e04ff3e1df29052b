package org.consentrecorder.admin;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * The free text of an audit row (an operator's reason, a note, an error message that may echo input), kept in
 * {@code audit_text} beside the chain so that an erasure can clear it. The chained row holds only the commitment
 * {@code SHA-256("consent-recorder audit text v1\n" || nonce || UTF-8 body)}; the random nonce is kept (and cleared)
 * with the text, so after an erasure the commitment cannot be tested against guesses of a short text.
 *
 * @param body  a JSON object with the keys {@code reason}, {@code note}, {@code message} that were present
 * @param nonce 16 random bytes
 */
public record AuditText(String body, byte[] nonce) {
    /** The free-text keys taken out of an entry's JSON detail. */
    static final String[] DETAIL_KEYS = {"note", "message"};
    private static final byte[] DOMAIN = "consent-recorder audit text v1\n".getBytes(StandardCharsets.UTF_8);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** An entry cut in two: the structured detail that is chained, and the free text (null if none). */
    record Split(String detail, AuditText text, String subject) {
    }

    static Split split(AuditEntry entry) {
        JsonObject detail = entry.detail() == null ? null : new JsonObject(entry.detail());
        JsonObject free = new JsonObject();
        if (entry.reason() != null) {
            free.put("reason", entry.reason());
        }
        if (detail != null) {
            for (String key : DETAIL_KEYS) {
                Object value = detail.remove(key);
                if (value != null) {
                    free.put(key, value);
                }
            }
        }
        String chained = detail == null || detail.isEmpty() ? null : detail.encode();
        AuditText text = free.isEmpty() ? null : new AuditText(free.encode(), freshNonce());
        return new Split(chained, text, subjectOf(entry, detail));
    }

    /** The pseudonym of the caller the row is about, if it names one: an erasure of that caller clears the text. */
    private static String subjectOf(AuditEntry entry, JsonObject detail) {
        if ("subject".equals(entry.targetType()) && entry.targetId() != null) {
            return entry.targetId();
        }
        Object caller = detail == null ? null : detail.getValue("caller");
        return caller instanceof String s && !s.isEmpty() ? s : null;
    }

    public byte[] commitment() {
        return commitment(nonce, body);
    }

    public static byte[] commitment(byte[] nonce, String body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(DOMAIN);
            sha.update(nonce);
            sha.update(body.getBytes(StandardCharsets.UTF_8));
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] freshNonce() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }
}
