package org.consentrecorder.crypto;

import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * BouncyCastle lightweight AES-GCM. Unlike SunJCE, BouncyCastle's GCM decryption writes plaintext before it has
 * checked the tag, so we decrypt into a private buffer, and wipe it instead of returning it when the tag fails.
 */
final class BouncyCastleSegmentCipher implements SegmentCipher {

    private final byte[] keyBytes;
    private final GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());

    BouncyCastleSegmentCipher(byte[] keyBytes) {
        this.keyBytes = keyBytes.clone();
    }

    @Override
    public byte[] seal(byte[] nonce, byte[] aad, byte[] plaintext, int offset, int length) {
        gcm.init(true, parameters(nonce, aad));
        byte[] out = new byte[gcm.getOutputSize(length)];
        int written = gcm.processBytes(plaintext, offset, length, out, 0);
        try {
            written += gcm.doFinal(out, written);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
        return written == out.length ? out : Arrays.copyOf(out, written);
    }

    @Override
    public byte[] open(byte[] nonce, byte[] aad, byte[] ciphertext, int offset, int length) throws AEADBadTagException {
        if (length < StreamFormat.TAG_LENGTH) {
            throw new AEADBadTagException("ciphertext shorter than the tag");
        }
        gcm.init(false, parameters(nonce, aad));
        byte[] unverified = new byte[gcm.getOutputSize(length)];
        try {
            int written = gcm.processBytes(ciphertext, offset, length, unverified, 0);
            written += gcm.doFinal(unverified, written);
            return written == unverified.length ? unverified : Arrays.copyOf(unverified, written);
        } catch (InvalidCipherTextException e) {
            Arrays.fill(unverified, (byte) 0);
            throw new AEADBadTagException("tag mismatch");
        }
    }

    private AEADParameters parameters(byte[] nonce, byte[] aad) {
        return new AEADParameters(new KeyParameter(keyBytes), StreamFormat.TAG_LENGTH * 8, nonce, aad);
    }

    @Override
    public void close() {
        Arrays.fill(keyBytes, (byte) 0);
    }
}
