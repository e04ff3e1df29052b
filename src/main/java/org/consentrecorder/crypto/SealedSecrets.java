package org.consentrecorder.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Small secrets other than keys (an operator's TOTP seed) sealed under the keyring's newest KEK with
 * AES-256-GCM: 12-byte random nonce || ciphertext || 16-byte tag, with associated data that binds the
 * secret to its owner and purpose, so a sealed value copied to another row does not open.
 */
public final class SealedSecrets {
    private static final int NONCE_LENGTH = 12;
    private static final int TAG_LENGTH = 16;

    private SealedSecrets() {
    }

    /** A sealed secret and the KEK that sealed it (stored beside it, so an older KEK still opens it). */
    public record Sealed(KekId kekId, byte[] ciphertext) {
    }

    public static Sealed seal(Keyring keyring, byte[] secret, byte[] aad) {
        Kek kek = keyring.find(keyring.newestId()).orElseThrow();
        byte[] nonce = Randomness.bytes(NONCE_LENGTH);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(kek.bytes(), "AES"), new GCMParameterSpec(TAG_LENGTH * 8, nonce));
            cipher.updateAAD(aad);
            byte[] out = new byte[NONCE_LENGTH + cipher.getOutputSize(secret.length)];
            System.arraycopy(nonce, 0, out, 0, NONCE_LENGTH);
            cipher.doFinal(secret, 0, secret.length, out, NONCE_LENGTH);
            return new Sealed(kek.id(), out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM sealing failed", e);
        }
    }

    /** The secret; the caller zeroes the array when done. */
    public static byte[] open(Keyring keyring, Sealed sealed, byte[] aad) {
        Kek kek = keyring.find(sealed.kekId()).orElseThrow(() -> new KeyUnavailableException(
                "a sealed secret is under KEK " + sealed.kekId() + ", which is not in the keyring"));
        byte[] c = sealed.ciphertext();
        if (c.length < NONCE_LENGTH + TAG_LENGTH) {
            throw new CiphertextAuthenticationException(CiphertextAuthenticationException.Reason.KEY_UNWRAP_FAILED,
                    "sealed secret too short");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(kek.bytes(), "AES"),
                    new GCMParameterSpec(TAG_LENGTH * 8, Arrays.copyOf(c, NONCE_LENGTH)));
            cipher.updateAAD(aad);
            return cipher.doFinal(c, NONCE_LENGTH, c.length - NONCE_LENGTH);
        } catch (AEADBadTagException e) {
            throw new CiphertextAuthenticationException(CiphertextAuthenticationException.Reason.KEY_UNWRAP_FAILED,
                    "sealed secret did not open: wrong KEK, tampered, or bound to another owner");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM opening could not run", e);
        }
    }
}
