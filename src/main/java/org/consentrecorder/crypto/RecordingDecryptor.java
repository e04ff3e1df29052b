package org.consentrecorder.crypto;

import static org.consentrecorder.crypto.CiphertextAuthenticationException.Reason.ALREADY_FAILED;
import static org.consentrecorder.crypto.CiphertextAuthenticationException.Reason.MALFORMED;
import static org.consentrecorder.crypto.CiphertextAuthenticationException.Reason.SEGMENT_AUTHENTICATION_FAILED;
import static org.consentrecorder.crypto.CiphertextAuthenticationException.Reason.TRUNCATED;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.crypto.AEADBadTagException;

/**
 * Push-based, fail-closed decryption of a recording stream. Feed ciphertext in chunks of any size; each returned
 * array is the plaintext of one segment whose tag has verified. Any failure throws
 * {@link CiphertextAuthenticationException} and the decryptor refuses all further input.
 *
 * <p>Two modes:
 * <ul>
 *   <li>{@link #create}: the whole stream, header first, length unknown. Which segment is final is only known at
 *       end of input, so a full segment is opened when the next byte arrives, and {@link #finish()} opens the last
 *       one and thereby proves the stream was not truncated.</li>
 *   <li>{@link #fromSegment}: random access. The header is given separately, input starts at a segment boundary, and
 *       the total plaintext length (from metadata) says which segment is final. Each segment is authenticated on its
 *       own (its index and final flag are in the nonce); reading may stop early, but then only the segments
 *       returned so far are vouched for.</li>
 * </ul>
 * Not thread-safe.
 */
public final class RecordingDecryptor {

    private enum State { HEADER, SEGMENTS, FINAL_SEEN, FINISHED, FAILED }

    private final byte[] associatedData;
    private final CipherBackend backend;
    private final SegmentLayout layout;
    private final byte[] headerBuffer = new byte[StreamFormat.HEADER_LENGTH];
    private final MessageDigest sha256 = Sha256.newDigest();
    private DataKey pendingKey;
    private int headerFill;
    private StreamHeader header;
    private byte[] headerBytes;
    private byte[] noncePrefix;
    private SegmentCipher cipher;
    private byte[] segment;
    private int segmentFill;
    private long nextIndex;
    private long segmentsOpened;
    private long plaintextBytes;
    private long ciphertextBytes;
    private State state;
    private StreamSummary summary;

    private RecordingDecryptor(DataKey dataKey, byte[] associatedData, CipherBackend backend, SegmentLayout layout) {
        Objects.requireNonNull(dataKey, "dataKey");
        this.associatedData = Objects.requireNonNull(associatedData, "associatedData").clone();
        this.backend = Objects.requireNonNull(backend, "backend");
        this.layout = layout;
        // Own copy: the caller may destroy its key before the header has arrived.
        this.pendingKey = DataKey.fromBytes(dataKey.bytes());
        this.state = State.HEADER;
    }

    /** Whole stream, header first, with the default backend. */
    public static RecordingDecryptor create(DataKey dataKey, byte[] associatedData) {
        return create(dataKey, associatedData, CipherBackend.DEFAULT);
    }

    public static RecordingDecryptor create(DataKey dataKey, byte[] associatedData, CipherBackend backend) {
        return new RecordingDecryptor(dataKey, associatedData, backend, null);
    }

    /**
     * Random access: decrypts from segment {@code firstSegment} on. Feed the stored bytes starting at
     * {@link SegmentLayout#ciphertextOffsetOf(long) layout.ciphertextOffsetOf(firstSegment)}.
     *
     * @param header          the stream's first {@link StreamFormat#HEADER_LENGTH} bytes
     * @param plaintextLength total plaintext length from the archive metadata; a wrong value makes the final segment
     *                        fail authentication, it cannot make a truncated stream pass
     */
    public static RecordingDecryptor fromSegment(DataKey dataKey, byte[] associatedData, byte[] header,
            long plaintextLength, long firstSegment, CipherBackend backend) {
        SegmentLayout layout = SegmentLayout.of(header, plaintextLength);
        if (firstSegment < 0 || firstSegment >= layout.segmentCount()) {
            throw new IllegalArgumentException("first segment " + firstSegment + " outside 0.." + layout.lastSegmentIndex());
        }
        RecordingDecryptor decryptor = new RecordingDecryptor(dataKey, associatedData, backend, layout);
        decryptor.start(header);
        decryptor.nextIndex = firstSegment;
        return decryptor;
    }

    public static RecordingDecryptor fromSegment(DataKey dataKey, byte[] associatedData, byte[] header,
            long plaintextLength, long firstSegment) {
        return fromSegment(dataKey, associatedData, header, plaintextLength, firstSegment, CipherBackend.DEFAULT);
    }

    public List<byte[]> update(byte[] chunk) {
        return update(chunk, 0, chunk.length);
    }

    public List<byte[]> update(byte[] chunk, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, chunk.length);
        return update(ByteBuffer.wrap(chunk, offset, length));
    }

    /**
     * Consumes all remaining bytes of {@code chunk}; returns the plaintext of every segment completed and verified by
     * it (often none).
     */
    public List<byte[]> update(ByteBuffer chunk) {
        checkUsable();
        try {
            List<byte[]> out = new ArrayList<>(1);
            while (chunk.hasRemaining()) {
                switch (state) {
                    case HEADER -> readHeader(chunk);
                    case SEGMENTS -> {
                        byte[] plaintext = layout == null ? readStreamingSegment(chunk) : readKnownSegment(chunk);
                        if (plaintext != null) {
                            out.add(plaintext);
                        }
                    }
                    default -> throw failure(MALFORMED, "data after the final segment");
                }
            }
            return out;
        } catch (RuntimeException e) {
            throw fail(e);
        }
    }

    /**
     * Ends the input. Verifies that an authenticated final segment was seen and returns the plaintext not returned
     * yet (possibly empty).
     */
    public byte[] finish() {
        checkUsable();
        try {
            byte[] rest;
            if (state == State.HEADER) {
                throw failure(TRUNCATED, "stream ended inside the header (" + headerFill + " of "
                        + StreamFormat.HEADER_LENGTH + " bytes)");
            } else if (layout != null) {
                if (state != State.FINAL_SEEN) {
                    throw failure(TRUNCATED, "stream ended at segment " + nextIndex + " of " + layout.segmentCount()
                            + " before the final segment");
                }
                rest = new byte[0];
            } else {
                rest = finishStreaming();
            }
            state = State.FINISHED;
            summary = new StreamSummary(plaintextBytes, ciphertextBytes, segmentsOpened, header.segmentSize(),
                    sha256.digest());
            release();
            return rest;
        } catch (RuntimeException e) {
            throw fail(e);
        }
    }

    /**
     * Counts and SHA-256 of the plaintext returned, available after {@link #finish()}. In random-access mode they
     * cover only the segments decrypted, and ciphertext bytes exclude the header.
     */
    public StreamSummary summary() {
        if (state != State.FINISHED) {
            throw new IllegalStateException("summary is available only after finish()");
        }
        return summary;
    }

    /** Stops early without verifying the end (e.g. a Range request served); wipes key material. */
    public void abandon() {
        if (state != State.FINISHED) {
            state = State.FAILED;
        }
        release();
    }

    private void readHeader(ByteBuffer chunk) {
        int take = Math.min(chunk.remaining(), headerBuffer.length - headerFill);
        chunk.get(headerBuffer, headerFill, take);
        headerFill += take;
        if (headerFill == headerBuffer.length) {
            start(headerBuffer);
            ciphertextBytes += headerBuffer.length;
        }
    }

    private void start(byte[] rawHeader) {
        header = StreamHeader.parse(rawHeader);
        headerBytes = header.toBytes();
        noncePrefix = header.noncePrefix();
        if (layout != null && layout.segmentSize() != header.segmentSize()) {
            throw new IllegalArgumentException("layout segment size does not match the header");
        }
        byte[] segmentKey = SegmentKeyDerivation.deriveSegmentKey(pendingKey, header.salt(), associatedData);
        try {
            cipher = backend.newCipher(segmentKey);
        } finally {
            Arrays.fill(segmentKey, (byte) 0);
            pendingKey.destroy();
            pendingKey = null;
        }
        segment = new byte[header.segmentSize() + StreamFormat.TAG_LENGTH];
        state = State.SEGMENTS;
    }

    /** Unknown length: a full buffer is opened as non-final only once more input proves it is not the last. */
    private byte[] readStreamingSegment(ByteBuffer chunk) {
        byte[] opened = null;
        if (segmentFill == segment.length) {
            opened = open(segmentFill, false);
        }
        int take = Math.min(chunk.remaining(), segment.length - segmentFill);
        chunk.get(segment, segmentFill, take);
        segmentFill += take;
        return opened;
    }

    /** Known length: the layout says how long each segment is and which one is final. */
    private byte[] readKnownSegment(ByteBuffer chunk) {
        int expected = layout.ciphertextLengthOf(nextIndex);
        int take = Math.min(chunk.remaining(), expected - segmentFill);
        chunk.get(segment, segmentFill, take);
        segmentFill += take;
        if (segmentFill < expected) {
            return null;
        }
        boolean last = layout.isLast(nextIndex);
        byte[] plaintext = open(segmentFill, last);
        if (last) {
            state = State.FINAL_SEEN;
        }
        return plaintext;
    }

    private byte[] finishStreaming() {
        if (segmentFill < StreamFormat.TAG_LENGTH) {
            throw failure(TRUNCATED, "stream ended without a final segment (" + segmentFill
                    + " trailing bytes after segment " + (nextIndex - 1) + ")");
        }
        if (segmentFill == StreamFormat.TAG_LENGTH && nextIndex > 0) {
            // The encryptor only writes an empty final segment for an empty recording.
            throw failure(TRUNCATED, "empty final segment after segment " + (nextIndex - 1)
                    + ": stream truncated or forged");
        }
        try {
            return open(segmentFill, true);
        } catch (CiphertextAuthenticationException e) {
            if (segmentFill == segment.length && opensAsNonFinal()) {
                throw failure(TRUNCATED, "stream truncated: segment " + nextIndex
                        + " is authentic but not final, the final segment is missing");
            }
            throw e;
        }
    }

    /** Diagnosis only: the plaintext of this trial decryption is discarded, never released. */
    private boolean opensAsNonFinal() {
        try {
            byte[] discarded = cipher.open(SegmentNonce.forSegment(noncePrefix, nextIndex, false), headerBytes,
                    segment, 0, segmentFill);
            Arrays.fill(discarded, (byte) 0);
            return true;
        } catch (AEADBadTagException e) {
            return false;
        }
    }

    private byte[] open(int length, boolean last) {
        byte[] nonce = SegmentNonce.forSegment(noncePrefix, nextIndex, last);
        byte[] plaintext;
        try {
            plaintext = cipher.open(nonce, headerBytes, segment, 0, length);
        } catch (AEADBadTagException e) {
            throw failure(SEGMENT_AUTHENTICATION_FAILED, "segment " + nextIndex + (last ? " (as final segment)" : "")
                    + " failed authentication: tampered, reordered, truncated, from another recording,"
                    + " or wrong key / recording id");
        }
        sha256.update(plaintext);
        plaintextBytes += plaintext.length;
        ciphertextBytes += length;
        segmentsOpened++;
        nextIndex++;
        segmentFill = 0;
        return plaintext;
    }

    private static CiphertextAuthenticationException failure(CiphertextAuthenticationException.Reason reason,
            String message) {
        return new CiphertextAuthenticationException(reason, message);
    }

    private void checkUsable() {
        if (state == State.FAILED) {
            throw failure(ALREADY_FAILED, "decryptor failed earlier or was abandoned; it accepts no further input");
        }
        if (state == State.FINISHED) {
            throw new IllegalStateException("decryptor already finished");
        }
    }

    private RuntimeException fail(RuntimeException cause) {
        state = State.FAILED;
        release();
        return cause;
    }

    private void release() {
        if (segment != null) {
            Arrays.fill(segment, (byte) 0);
        }
        if (cipher != null) {
            cipher.close();
        }
        if (pendingKey != null) {
            pendingKey.destroy();
            pendingKey = null;
        }
    }

    @Override
    public String toString() {
        return "RecordingDecryptor[" + (header == null ? "no header yet" : header) + ", nextSegment=" + nextIndex
                + ", state=" + state + "]";
    }
}
