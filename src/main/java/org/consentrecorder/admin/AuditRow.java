package org.consentrecorder.admin;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import org.consentrecorder.crypto.AuditChainKeys;

/**
 * A row of the audit chain as it is hashed: the facts (who, what, which record, from where, the outcome, the
 * structured detail), a commitment to the row's free text ({@link AuditText}, kept beside the chain so erasure can
 * clear it) and the id of the key it is keyed under (null only in the legacy segment that the V28 migration
 * re-chained). The same definition is written out in SQL in {@code V28__audit_keyed_chain_and_side_text.sql}.
 */
public record AuditRow(long seq, Instant at, String actorKind, String actorId, String actorName, String action,
                       String targetType, String targetId, String sourceAddress, String outcome, String detail,
                       byte[] textRef, String keyId) {

    private static final byte[] DOMAIN = "consent-recorder audit v2\n".getBytes(StandardCharsets.UTF_8);

    /**
     * The hashed bytes: a domain tag, seq, the time in epoch milliseconds, then every field in a fixed order as a
     * 4-byte length (-1 for null) and its bytes (text as UTF-8). Unambiguous, so moving bytes between fields changes
     * the hash; the key id is inside, so a keyed row cannot pass for an unkeyed one.
     */
    public byte[] body() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(DOMAIN);
            out.writeLong(seq);
            out.writeLong(at.toEpochMilli());
            for (String field : new String[] {actorKind, actorId, actorName, action, targetType, targetId,
                    sourceAddress, outcome, detail}) {
                write(out, field == null ? null : field.getBytes(StandardCharsets.UTF_8));
            }
            write(out, textRef);
            write(out, keyId == null ? null : keyId.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    private static void write(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(b.length);
            out.write(b);
        }
    }

    /**
     * HMAC-SHA-256(K[keyId], prevHash || body) for a keyed row; SHA-256(prevHash || body) for a row of the
     * legacy segment.
     */
    public byte[] hash(byte[] prevHash, AuditChainKeys keys) {
        if (keyId != null) {
            return keys.mac(keyId, prevHash, body());
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(prevHash);
            sha.update(body());
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
