package org.consentrecorder.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The AAD strings that bind each wrapped key to where it belongs (see docs/encryption-format.md, "Key wrapping"). */
final class WrapContext {

    static final String SUBJECT_KEY_LABEL = "consent-recorder subject-key-wrap v1";
    static final String DATA_KEY_LABEL = "consent-recorder dek-wrap v1";

    private WrapContext() {
    }

    /** label || 0x00 || len(keyId) || keyId || len(kekId) || kekId, lengths as one unsigned byte. */
    static byte[] forSubjectKey(String keyId, KekId kekId) {
        ByteArrayOutputStream out = labelled(SUBJECT_KEY_LABEL);
        shortString(out, keyId);
        shortString(out, kekId.toString());
        return out.toByteArray();
    }

    /** label || 0x00 || len(subjectKeyId) || subjectKeyId || associated data (the recording id bytes, to the end). */
    static byte[] forDataKey(String subjectKeyId, byte[] associatedData) {
        ByteArrayOutputStream out = labelled(DATA_KEY_LABEL);
        shortString(out, subjectKeyId);
        out.writeBytes(associatedData);
        return out.toByteArray();
    }

    private static ByteArrayOutputStream labelled(String label) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        out.write(0);
        return out;
    }

    private static void shortString(ByteArrayOutputStream out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > 255) {
            throw new IllegalArgumentException("identifier longer than 255 bytes");
        }
        out.write(bytes.length);
        out.writeBytes(bytes);
    }
}
