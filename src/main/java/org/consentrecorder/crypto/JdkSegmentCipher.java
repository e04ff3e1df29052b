package org.consentrecorder.crypto;

import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * SunJCE AES-GCM. One Cipher object per stream, re-initialised for every segment: SunJCE refuses to encrypt twice
 * with the same (key, IV) on one object, which never happens here because every segment has its own nonce.
 */
final class JdkSegmentCipher implements SegmentCipher {

    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    private final SecretKeySpec key;
    private final Cipher cipher;

    JdkSegmentCipher(byte[] keyBytes) {
        this.key = new SecretKeySpec(keyBytes, "AES");
        this.cipher = newCipher();
    }

    /** Prefer SunJCE explicitly so a registered third-party provider cannot silently take over. */
    private static Cipher newCipher() {
        try {
            return Cipher.getInstance(TRANSFORMATION, "SunJCE");
        } catch (NoSuchProviderException | NoSuchAlgorithmException | NoSuchPaddingException e) {
            try {
                return Cipher.getInstance(TRANSFORMATION);
            } catch (GeneralSecurityException again) {
                throw new IllegalStateException("this JVM has no AES/GCM/NoPadding cipher", again);
            }
        }
    }

    @Override
    public byte[] seal(byte[] nonce, byte[] aad, byte[] plaintext, int offset, int length) {
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(StreamFormat.TAG_LENGTH * 8, nonce));
            cipher.updateAAD(aad);
            return cipher.doFinal(plaintext, offset, length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    @Override
    public byte[] open(byte[] nonce, byte[] aad, byte[] ciphertext, int offset, int length) throws AEADBadTagException {
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(StreamFormat.TAG_LENGTH * 8, nonce));
            cipher.updateAAD(aad);
            // SunJCE buffers the whole segment and returns plaintext only after the tag matched.
            return cipher.doFinal(ciphertext, offset, length);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption could not run", e);
        }
    }

    @Override
    public void close() {
        // SecretKeySpec cannot be wiped in Java 17 (destroy() is not implemented); dropping the reference is all we can do.
    }
}
