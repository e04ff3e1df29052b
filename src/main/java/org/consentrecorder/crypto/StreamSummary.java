package org.consentrecorder.crypto;

import java.util.HexFormat;

/**
 * What a finished encryptor or decryptor saw: store it with the recording at archive time, compare it at
 * verification time.
 *
 * @param plaintextBytes  audio bytes
 * @param ciphertextBytes stored bytes: header plus all segments with their tags
 * @param segmentCount    number of segments (at least 1)
 * @param segmentSize     plaintext bytes per non-final segment
 * @param plaintextSha256 SHA-256 of the audio bytes
 */
public record StreamSummary(long plaintextBytes, long ciphertextBytes, long segmentCount, int segmentSize,
        byte[] plaintextSha256) {

    public StreamSummary {
        plaintextSha256 = plaintextSha256.clone();
    }

    @Override
    public byte[] plaintextSha256() {
        return plaintextSha256.clone();
    }

    /** Lower-case hex of {@link #plaintextSha256()}. */
    public String plaintextSha256Hex() {
        return HexFormat.of().formatHex(plaintextSha256);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StreamSummary s && s.plaintextBytes == plaintextBytes
                && s.ciphertextBytes == ciphertextBytes && s.segmentCount == segmentCount
                && s.segmentSize == segmentSize && java.util.Arrays.equals(s.plaintextSha256, plaintextSha256);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(plaintextSha256);
    }

    @Override
    public String toString() {
        return "StreamSummary[plaintextBytes=" + plaintextBytes + ", ciphertextBytes=" + ciphertextBytes
                + ", segmentCount=" + segmentCount + ", segmentSize=" + segmentSize + ", plaintextSha256="
                + plaintextSha256Hex() + "]";
    }
}
