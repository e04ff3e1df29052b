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

    static String name(SecretKeyMaterial indexKey, String subjectId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(indexKey.bytes(), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(subjectId.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
