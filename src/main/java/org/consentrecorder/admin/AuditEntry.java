package org.consentrecorder.admin;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;

/**
 * One row of the audit trail before it is chained: who (actor), what (action), which record
 * (target), why (reason), from where (source address), the outcome, and a small JSON detail
 * (filters, ranges). Never a secret, token or password.
 */
public record AuditEntry(String actorKind, String actorId, String actorName, String action,
                         String targetType, String targetId, String reason, String sourceAddress,
                         String outcome, String detail) {

    private static final byte[] DOMAIN = "consent-recorder audit v1\n".getBytes(StandardCharsets.UTF_8);

    public static AuditEntry of(Principal who, String source, String action, String targetType, String targetId,
                                String reason, String outcome, JsonObject detail) {
        return new AuditEntry(who == null ? "anonymous" : who.kind().wire(),
                who == null ? null : who.id().toString(), who == null ? null : who.name(),
                action, targetType, targetId, reason, source, outcome,
                detail == null || detail.isEmpty() ? null : detail.encode());
    }

    public AuditEntry withOutcome(String newOutcome) {
        return new AuditEntry(actorKind, actorId, actorName, action, targetType, targetId, reason, sourceAddress,
                newOutcome, detail);
    }

    /**
     * The bytes that are hashed: a domain tag, seq, time in epoch milliseconds, then every field
     * in a fixed order as a 4-byte length (-1 for null) and its UTF-8 bytes. Unambiguous, so
     * moving text between fields changes the hash.
     */
    public byte[] canonical(long seq, Instant at) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(DOMAIN);
            out.writeLong(seq);
            out.writeLong(at.toEpochMilli());
            for (String field : new String[] {actorKind, actorId, actorName, action, targetType, targetId, reason,
                    sourceAddress, outcome, detail}) {
                if (field == null) {
                    out.writeInt(-1);
                } else {
                    byte[] b = field.getBytes(StandardCharsets.UTF_8);
                    out.writeInt(b.length);
                    out.write(b);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    /** SHA-256(prevHash || canonical(seq, at)). */
    public byte[] chainHash(byte[] prevHash, long seq, Instant at) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(prevHash);
            sha.update(canonical(seq, at));
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
