package org.consentrecorder.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Key wrapping with AES-256-GCM: output = 12-byte random nonce || ciphertext || 16-byte tag, with caller-built
 * AAD that binds the wrapped key to its context (chosen over RFC 5649, which has no associated data).
 */
final class AesGcmKeyWrap {

    static final int NONCE_LENGTH = 12;
    static final int TAG_LENGTH = 16;
    static final int WRAPPED_KEY_LENGTH = NONCE_LENGTH + SecretKeyMaterial.KEY_LENGTH + TAG_LENGTH;

    private AesGcmKeyWrap() {
    }

    static byte[] wrap(SecretKeyMaterial wrappingKey, byte[] keyToWrap, byte[] aad) {
        byte[] nonce = Randomness.bytes(NONCE_LENGTH);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(wrappingKey.bytes(), "AES"),
                    new GCMParameterSpec(TAG_LENGTH * 8, nonce));
            cipher.updateAAD(aad);
            byte[] out = new byte[NONCE_LENGTH + cipher.getOutputSize(keyToWrap.length)];
            System.arraycopy(nonce, 0, out, 0, NONCE_LENGTH);
            cipher.doFinal(keyToWrap, 0, keyToWrap.length, out, NONCE_LENGTH);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM key wrapping failed", e);
        }
    }

    /** Returns the raw key bytes; the caller must wrap them in a key object and zero the array. */
    static byte[] unwrap(SecretKeyMaterial wrappingKey, byte[] wrapped, byte[] aad, String what) {
        if (wrapped.length != WRAPPED_KEY_LENGTH) {
            throw new CiphertextAuthenticationException(CiphertextAuthenticationException.Reason.KEY_UNWRAP_FAILED,
                    what + ": wrapped key must be " + WRAPPED_KEY_LENGTH + " bytes, got " + wrapped.length);
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(wrappingKey.bytes(), "AES"),
                    new GCMParameterSpec(TAG_LENGTH * 8, Arrays.copyOf(wrapped, NONCE_LENGTH)));
            cipher.updateAAD(aad);
            return cipher.doFinal(wrapped, NONCE_LENGTH, wrapped.length - NONCE_LENGTH);
        } catch (AEADBadTagException e) {
            throw new CiphertextAuthenticationException(CiphertextAuthenticationException.Reason.KEY_UNWRAP_FAILED,
                    what + " did not unwrap: wrong wrapping key, tampered, or bound to another recording / key id");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM key unwrapping could not run", e);
        }
    }
}
