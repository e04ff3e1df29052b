package org.consentrecorder.crypto;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * segment key = HKDF-SHA256(ikm = DEK, salt = header salt, info = label || 0x00 || associated data, L = 32).
 * Binding the recording id here means a stream decrypted under another recording id gets a different key, so every
 * segment fails; the random salt makes the key unique per stream even if a DEK were ever reused.
 */
final class SegmentKeyDerivation {

    private SegmentKeyDerivation() {
    }

    static byte[] deriveSegmentKey(DataKey dataKey, byte[] salt, byte[] associatedData) {
        byte[] info = info(associatedData);
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(dataKey.bytes(), salt, info));
        byte[] key = new byte[SecretKeyMaterial.KEY_LENGTH];
        hkdf.generateBytes(key, 0, key.length);
        return key;
    }

    static byte[] info(byte[] associatedData) {
        byte[] label = StreamFormat.SEGMENT_KEY_INFO_LABEL;
        byte[] info = new byte[label.length + 1 + associatedData.length];
        System.arraycopy(label, 0, info, 0, label.length);
        System.arraycopy(associatedData, 0, info, label.length + 1, associatedData.length);
        return info;
    }
}
