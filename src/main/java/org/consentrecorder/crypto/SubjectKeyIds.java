package org.consentrecorder.crypto;

import java.util.HexFormat;
import java.util.regex.Pattern;

/** Subject key ids: random, so they say nothing about the subject; safe to store next to the recordings. */
final class SubjectKeyIds {

    /** Any store's ids: short printable ASCII without path separators. */
    static final Pattern ANY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,254}");
    /** Ids this package generates: "sk1-" and 128 random bits in hex. */
    static final Pattern GENERATED = Pattern.compile("sk1-[0-9a-f]{32}");

    private SubjectKeyIds() {
    }

    static String newId() {
        return "sk1-" + HexFormat.of().formatHex(Randomness.bytes(16));
    }

    static String check(String keyId) {
        if (keyId == null || !ANY.matcher(keyId).matches()) {
            throw new IllegalArgumentException("subject key id must be 1-255 characters of A-Z a-z 0-9 . _ : -");
        }
        return keyId;
    }
}
