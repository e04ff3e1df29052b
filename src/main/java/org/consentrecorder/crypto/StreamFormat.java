package org.consentrecorder.crypto;

import java.nio.charset.StandardCharsets;

/** Constants of recording stream format version 1; docs/encryption-format.md is the normative description. */
public final class StreamFormat {

    /** ASCII "CREC". */
    public static final byte[] MAGIC = {0x43, 0x52, 0x45, 0x43};
    public static final int VERSION = 1;

    public static final int SALT_LENGTH = 32;
    public static final int NONCE_PREFIX_LENGTH = 7;
    public static final int NONCE_LENGTH = 12;
    public static final int TAG_LENGTH = 16;

    /** magic(4) + version(1) + segment size(4) + salt(32) + nonce prefix(7). */
    public static final int HEADER_LENGTH = MAGIC.length + 1 + 4 + SALT_LENGTH + NONCE_PREFIX_LENGTH;

    public static final int DEFAULT_SEGMENT_SIZE = 64 * 1024;
    public static final int MIN_SEGMENT_SIZE = 16;
    public static final int MAX_SEGMENT_SIZE = 16 * 1024 * 1024;

    /** The segment counter is 32 bits; 2^32-1 segments (indices 0 .. 2^32-2) is the most a stream may have. */
    public static final long MAX_SEGMENTS = 0xFFFF_FFFFL;

    /** HKDF info = this label, one 0x00 byte, then the caller's associated data (recording id). */
    static final byte[] SEGMENT_KEY_INFO_LABEL = "consent-recorder stream v1 segment key".getBytes(StandardCharsets.US_ASCII);

    private StreamFormat() {
    }

    static void checkSegmentSize(int segmentSize) {
        if (segmentSize < MIN_SEGMENT_SIZE || segmentSize > MAX_SEGMENT_SIZE) {
            throw new IllegalArgumentException("segment size must be between " + MIN_SEGMENT_SIZE + " and "
                    + MAX_SEGMENT_SIZE + " bytes, got " + segmentSize);
        }
    }
}
