package org.consentrecorder.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns a subject id (maybe a phone number) into a file name that does not reveal it: HMAC-SHA256 under a
 * store-local index key. A plain or salted hash would not do: phone numbers are few enough to try them all, so the
 * key must be secret; it is kept wrapped under a KEK.
 */
final class SubjectLookup {

    private SubjectLookup() {
    }

    /** Label of the suppression-list key derived from the index key (domain separation from file names). */
    private static final byte[] SUPPRESSION_LABEL =
            "consent-recorder/suppression-list/1".getBytes(StandardCharsets.US_ASCII);

    static String name(SecretKeyMaterial indexKey, String subjectId) {
        return HexFormat.of().formatHex(hmac(indexKey.bytes(), subjectId.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * HMAC-SHA256(k, subject id) with k = HMAC-SHA256(index key, label): a key of its own (one HKDF-Expand block),
     * so a suppression digest never equals the subject's file name in the store and one cannot stand in for the other.
     */
    static String suppressionDigest(SecretKeyMaterial indexKey, String subjectId) {
        byte[] derived = hmac(indexKey.bytes(), SUPPRESSION_LABEL);
        try {
            return HexFormat.of().formatHex(hmac(derived, subjectId.getBytes(StandardCharsets.UTF_8)));
        } finally {
            java.util.Arrays.fill(derived, (byte) 0);
        }
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
