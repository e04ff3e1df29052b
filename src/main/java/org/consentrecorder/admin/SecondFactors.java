package org.consentrecorder.admin;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.consentrecorder.crypto.Keyring;
import org.consentrecorder.crypto.SealedSecrets;

/**
 * TOTP secrets and recovery codes: secrets are sealed under the keyring (bound to their account),
 * recovery codes are 80 random bits shown once and stored as SHA-256 only.
 */
final class SecondFactors {
    static final int RECOVERY_CODES = 10;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Keyring keyring;

    SecondFactors(Keyring keyring) {
        this.keyring = keyring;
    }

    private static byte[] aad(UUID accountId) {
        return ("consent-recorder/totp/v1/" + accountId).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] newSecret() {
        byte[] secret = new byte[Totp.SECRET_BYTES];
        RANDOM.nextBytes(secret);
        return secret;
    }

    SealedSecrets.Sealed seal(UUID accountId, byte[] secret) {
        return SealedSecrets.seal(keyring, secret, aad(accountId));
    }

    /** The secret in clear, for one check; the caller zeroes it. */
    byte[] open(MfaRepository.Enrolment e) {
        return SealedSecrets.open(keyring, new SealedSecrets.Sealed(e.kekId(), e.sealed()), aad(e.accountId()));
    }

    /** Ten fresh codes, e.g. {@code k7q2-mz4x-8rta-p3wn}. */
    static List<String> newRecoveryCodes() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < RECOVERY_CODES; i++) {
            byte[] b = new byte[10];
            RANDOM.nextBytes(b);
            String s = Totp.base32(b).toLowerCase(Locale.ROOT);
            out.add(s.substring(0, 4) + "-" + s.substring(4, 8) + "-" + s.substring(8, 12) + "-" + s.substring(12, 16));
        }
        return out;
    }

    /** The stored form: SHA-256 over account and the code without separators or case. */
    static byte[] recoveryHash(UUID accountId, String code) {
        String normal = code.replace("-", "").replace(" ", "").toLowerCase(Locale.ROOT);
        return Tokens.hash("recovery:" + accountId + ":" + normal);
    }

    static void zero(byte[] b) {
        if (b != null) {
            Arrays.fill(b, (byte) 0);
        }
    }
}
