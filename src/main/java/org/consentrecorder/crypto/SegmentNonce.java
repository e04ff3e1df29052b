package org.consentrecorder.crypto;

/** nonce = 7-byte random prefix || 32-bit big-endian segment index || 0x01 for the final segment, else 0x00. */
final class SegmentNonce {

    /** Highest index allowed: with 2^32-1 segments at most, indices run from 0 to 2^32-2. */
    static final long MAX_INDEX = StreamFormat.MAX_SEGMENTS - 1;

    private SegmentNonce() {
    }

    static byte[] forSegment(byte[] noncePrefix, long index, boolean last) {
        if (index < 0 || index > MAX_INDEX) {
            throw new CiphertextAuthenticationException(CiphertextAuthenticationException.Reason.TOO_MANY_SEGMENTS,
                    "segment index " + index + " exceeds the limit of " + StreamFormat.MAX_SEGMENTS + " segments");
        }
        byte[] nonce = new byte[StreamFormat.NONCE_LENGTH];
        System.arraycopy(noncePrefix, 0, nonce, 0, StreamFormat.NONCE_PREFIX_LENGTH);
        nonce[7] = (byte) (index >>> 24);
        nonce[8] = (byte) (index >>> 16);
        nonce[9] = (byte) (index >>> 8);
        nonce[10] = (byte) index;
        nonce[11] = (byte) (last ? 1 : 0);
        return nonce;
    }
}
