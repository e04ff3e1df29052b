package org.consentrecorder.crypto;

import javax.crypto.AEADBadTagException;

/**
 * AES-256-GCM with a 16-byte tag under one fixed key, one call per segment. Implementations are not thread-safe;
 * each stream owns its own instance.
 */
interface SegmentCipher extends AutoCloseable {

    /** Returns ciphertext || tag. */
    byte[] seal(byte[] nonce, byte[] aad, byte[] plaintext, int offset, int length);

    /**
     * Returns the plaintext only after the tag verified; on failure nothing of the plaintext escapes.
     *
     * @throws AEADBadTagException if the tag does not verify
     */
    byte[] open(byte[] nonce, byte[] aad, byte[] ciphertext, int offset, int length) throws AEADBadTagException;

    /** Forget the key as far as the implementation allows. */
    @Override
    void close();
}
