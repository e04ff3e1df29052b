package org.consentrecorder.crypto;

/**
 * Where things are in a stream of known plaintext length: which segment holds a plaintext offset, where that
 * segment starts in the stored ciphertext, and which segment is the final one. Used for HTTP Range playback and for
 * storing ciphertext in chunks that start on segment boundaries.
 *
 * <p>Segments are self-delimiting by size: segment i (0-based) starts at
 * {@code HEADER_LENGTH + i * (segmentSize + 16)}; every segment but the last holds exactly {@code segmentSize}
 * plaintext bytes; the last holds the rest (1..segmentSize bytes, or 0 for an empty recording).
 */
public final class SegmentLayout {

    /**
     * @param segmentIndex     segment holding the offset
     * @param ciphertextOffset where that segment starts in the stored stream (header included)
     * @param offsetInSegment  plaintext bytes to skip in that segment's plaintext
     */
    public record Position(long segmentIndex, long ciphertextOffset, int offsetInSegment) {
    }

    private final int segmentSize;
    private final long plaintextLength;
    private final long segmentCount;

    private SegmentLayout(int segmentSize, long plaintextLength) {
        StreamFormat.checkSegmentSize(segmentSize);
        if (plaintextLength < 0) {
            throw new IllegalArgumentException("plaintext length must not be negative");
        }
        long count = plaintextLength == 0 ? 1 : (plaintextLength - 1) / segmentSize + 1;
        if (count > StreamFormat.MAX_SEGMENTS) {
            throw new IllegalArgumentException("plaintext length " + plaintextLength + " needs " + count
                    + " segments; the format allows at most " + StreamFormat.MAX_SEGMENTS);
        }
        this.segmentSize = segmentSize;
        this.plaintextLength = plaintextLength;
        this.segmentCount = count;
    }

    public static SegmentLayout of(int segmentSize, long plaintextLength) {
        return new SegmentLayout(segmentSize, plaintextLength);
    }

    /** Layout from a stream's header bytes and the plaintext length recorded in the archive metadata. */
    public static SegmentLayout of(byte[] header, long plaintextLength) {
        return new SegmentLayout(StreamHeader.parse(header).segmentSize(), plaintextLength);
    }

    public int segmentSize() {
        return segmentSize;
    }

    public long plaintextLength() {
        return plaintextLength;
    }

    public long segmentCount() {
        return segmentCount;
    }

    public long lastSegmentIndex() {
        return segmentCount - 1;
    }

    public boolean isLast(long segmentIndex) {
        checkIndex(segmentIndex);
        return segmentIndex == segmentCount - 1;
    }

    public long plaintextOffsetOf(long segmentIndex) {
        checkIndex(segmentIndex);
        return segmentIndex * segmentSize;
    }

    public int plaintextLengthOf(long segmentIndex) {
        checkIndex(segmentIndex);
        return isLast(segmentIndex) ? (int) (plaintextLength - segmentIndex * segmentSize) : segmentSize;
    }

    /** Offset of the segment in the stored stream, header included. */
    public long ciphertextOffsetOf(long segmentIndex) {
        checkIndex(segmentIndex);
        return StreamFormat.HEADER_LENGTH + segmentIndex * (segmentSize + (long) StreamFormat.TAG_LENGTH);
    }

    /** Stored bytes of the segment: its plaintext length plus the 16-byte tag. */
    public int ciphertextLengthOf(long segmentIndex) {
        return plaintextLengthOf(segmentIndex) + StreamFormat.TAG_LENGTH;
    }

    /** Total stored bytes: header plus every segment with its tag. */
    public long ciphertextLength() {
        return StreamFormat.HEADER_LENGTH + plaintextLength + segmentCount * StreamFormat.TAG_LENGTH;
    }

    public long segmentIndexOf(long plaintextOffset) {
        if (plaintextOffset < 0 || plaintextOffset > plaintextLength) {
            throw new IllegalArgumentException("plaintext offset " + plaintextOffset + " outside 0.." + plaintextLength);
        }
        return Math.min(plaintextOffset / segmentSize, segmentCount - 1);
    }

    /**
     * Where to start decrypting to obtain plaintext from {@code plaintextOffset} on (0..plaintextLength; the end
     * offset maps to the end of the last segment, which then yields nothing).
     */
    public Position locate(long plaintextOffset) {
        long index = segmentIndexOf(plaintextOffset);
        return new Position(index, ciphertextOffsetOf(index), (int) (plaintextOffset - index * segmentSize));
    }

    private void checkIndex(long segmentIndex) {
        if (segmentIndex < 0 || segmentIndex >= segmentCount) {
            throw new IndexOutOfBoundsException("segment " + segmentIndex + " of " + segmentCount);
        }
    }

    @Override
    public String toString() {
        return "SegmentLayout[segmentSize=" + segmentSize + ", plaintextLength=" + plaintextLength + ", segments="
                + segmentCount + "]";
    }
}
