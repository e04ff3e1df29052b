package org.consentrecorder.crypto;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The 48-byte header that starts every recording stream. It is not secret, and it is authenticated as the
 * GCM associated data of every segment, so changing any header byte makes every segment fail.
 */
public final class StreamHeader {

    private final int segmentSize;
    private final byte[] salt;
    private final byte[] noncePrefix;
    private final byte[] encoded;

    private StreamHeader(int segmentSize, byte[] salt, byte[] noncePrefix) {
        StreamFormat.checkSegmentSize(segmentSize);
        if (salt.length != StreamFormat.SALT_LENGTH || noncePrefix.length != StreamFormat.NONCE_PREFIX_LENGTH) {
            throw new IllegalArgumentException("salt must be 32 bytes and nonce prefix 7 bytes");
        }
        this.segmentSize = segmentSize;
        this.salt = salt.clone();
        this.noncePrefix = noncePrefix.clone();
        this.encoded = ByteBuffer.allocate(StreamFormat.HEADER_LENGTH)
                .put(StreamFormat.MAGIC)
                .put((byte) StreamFormat.VERSION)
                .putInt(segmentSize)
                .put(salt)
                .put(noncePrefix)
                .array();
    }

    /** A header with fresh random salt and nonce prefix: what every new recording gets. */
    static StreamHeader random(int segmentSize, SecureRandom random) {
        byte[] salt = new byte[StreamFormat.SALT_LENGTH];
        byte[] prefix = new byte[StreamFormat.NONCE_PREFIX_LENGTH];
        random.nextBytes(salt);
        random.nextBytes(prefix);
        return new StreamHeader(segmentSize, salt, prefix);
    }

    /** Fixed salt and prefix: only for tests that need reproducible ciphertext (e.g. backend equality). */
    static StreamHeader of(int segmentSize, byte[] salt, byte[] noncePrefix) {
        return new StreamHeader(segmentSize, salt, noncePrefix);
    }

    /**
     * Parses and checks the first {@link StreamFormat#HEADER_LENGTH} bytes of a stream.
     *
     * @throws CiphertextAuthenticationException with reason BAD_HEADER for a wrong length, magic, version or segment size
     */
    public static StreamHeader parse(byte[] bytes) {
        if (bytes == null || bytes.length != StreamFormat.HEADER_LENGTH) {
            throw badHeader("header must be " + StreamFormat.HEADER_LENGTH + " bytes, got "
                    + (bytes == null ? "none" : bytes.length));
        }
        if (!Arrays.equals(bytes, 0, StreamFormat.MAGIC.length, StreamFormat.MAGIC, 0, StreamFormat.MAGIC.length)) {
            throw badHeader("not a consent-recorder encrypted recording (bad magic)");
        }
        int version = bytes[4] & 0xFF;
        if (version != StreamFormat.VERSION) {
            throw badHeader("unsupported stream format version " + version);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, 5, bytes.length - 5);
        int segmentSize = in.getInt();
        if (segmentSize < StreamFormat.MIN_SEGMENT_SIZE || segmentSize > StreamFormat.MAX_SEGMENT_SIZE) {
            throw badHeader("segment size " + Integer.toUnsignedString(segmentSize) + " outside the allowed range");
        }
        byte[] salt = new byte[StreamFormat.SALT_LENGTH];
        byte[] prefix = new byte[StreamFormat.NONCE_PREFIX_LENGTH];
        in.get(salt).get(prefix);
        return new StreamHeader(segmentSize, salt, prefix);
    }

    private static CiphertextAuthenticationException badHeader(String message) {
        return new CiphertextAuthenticationException(CiphertextAuthenticationException.Reason.BAD_HEADER, message);
    }

    /** Plaintext bytes in every segment except the last. */
    public int segmentSize() {
        return segmentSize;
    }

    byte[] salt() {
        return salt.clone();
    }

    byte[] noncePrefix() {
        return noncePrefix.clone();
    }

    /** The exact header bytes (a copy). */
    public byte[] toBytes() {
        return encoded.clone();
    }

    /** Internal view without copying; callers must not modify it. */
    byte[] encodedView() {
        return encoded;
    }

    @Override
    public String toString() {
        return "StreamHeader[v" + StreamFormat.VERSION + ", segmentSize=" + segmentSize + "]";
    }
}
