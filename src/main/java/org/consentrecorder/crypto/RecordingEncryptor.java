package org.consentrecorder.crypto;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Push-based encryption of one recording into the stream format: {@link #header()} first, then whatever
 * {@link #update} returns, then {@link #finish()}. Holds at most one segment of plaintext, so memory stays bounded
 * however long the call.
 *
 * <p>A full segment is sealed only when the next plaintext byte arrives, because until then it might be the last
 * one (which carries the final flag). Not thread-safe: one encryptor per recording, driven by one pipeline.
 */
public final class RecordingEncryptor {

    private enum State { OPEN, FINISHED, FAILED }

    private final StreamHeader header;
    private final byte[] headerBytes;
    private final byte[] noncePrefix;
    private final SegmentCipher cipher;
    private final byte[] buffer;
    private final MessageDigest sha256 = Sha256.newDigest();
    private int buffered;
    private long segmentIndex;
    private long plaintextBytes;
    private long ciphertextBytes;
    private State state = State.OPEN;
    private StreamSummary summary;

    private RecordingEncryptor(DataKey dataKey, byte[] associatedData, StreamHeader header, CipherBackend backend) {
        Objects.requireNonNull(dataKey, "dataKey");
        Objects.requireNonNull(associatedData, "associatedData");
        Objects.requireNonNull(backend, "backend");
        this.header = header;
        this.headerBytes = header.toBytes();
        this.noncePrefix = header.noncePrefix();
        byte[] segmentKey = SegmentKeyDerivation.deriveSegmentKey(dataKey, header.salt(), associatedData);
        try {
            this.cipher = backend.newCipher(segmentKey);
        } finally {
            Arrays.fill(segmentKey, (byte) 0);
        }
        this.buffer = new byte[header.segmentSize()];
        this.ciphertextBytes = headerBytes.length;
    }

    /** Default segment size (64 KiB) and the default (JDK) backend. */
    public static RecordingEncryptor create(DataKey dataKey, byte[] associatedData) {
        return create(dataKey, associatedData, StreamFormat.DEFAULT_SEGMENT_SIZE, CipherBackend.DEFAULT);
    }

    /** Given segment size, default (JDK) backend. */
    public static RecordingEncryptor create(DataKey dataKey, byte[] associatedData, int segmentSize) {
        return create(dataKey, associatedData, segmentSize, CipherBackend.DEFAULT);
    }

    /**
     * @param dataKey        a fresh key for this recording only; the encryptor does not keep it, the caller may destroy it
     *                       once this returns
     * @param associatedData the recording id (e.g. its UTF-8 bytes): decryption must present the same bytes
     * @param segmentSize    plaintext bytes per segment, {@value StreamFormat#MIN_SEGMENT_SIZE} to 16 MiB
     */
    public static RecordingEncryptor create(DataKey dataKey, byte[] associatedData, int segmentSize,
            CipherBackend backend) {
        StreamFormat.checkSegmentSize(segmentSize);
        return new RecordingEncryptor(dataKey, associatedData,
                StreamHeader.random(segmentSize, Randomness.secureRandom()), backend);
    }

    /** With a caller-chosen header: only for tests that need reproducible output. */
    static RecordingEncryptor withHeader(DataKey dataKey, byte[] associatedData, StreamHeader header,
            CipherBackend backend) {
        return new RecordingEncryptor(dataKey, associatedData, header, backend);
    }

    /** Lets a test reach the segment limit without encrypting 2^32 segments. */
    void startAtSegmentForTest(long index) {
        if (segmentIndex != 0 || buffered != 0 || plaintextBytes != 0) {
            throw new IllegalStateException("only before any input");
        }
        segmentIndex = index;
    }

    /** The 48 header bytes; store them before the first segment. Available before any audio. */
    public byte[] header() {
        return headerBytes.clone();
    }

    public int segmentSize() {
        return header.segmentSize();
    }

    public List<byte[]> update(byte[] chunk) {
        return update(chunk, 0, chunk.length);
    }

    /**
     * Adds plaintext and returns the segments (ciphertext || 16-byte tag, each exactly segmentSize + 16 bytes) that are
     * now complete, in order; often none.
     */
    public List<byte[]> update(byte[] chunk, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, chunk.length);
        return update(ByteBuffer.wrap(chunk, offset, length));
    }

    /** Consumes all remaining bytes of {@code chunk}. */
    public List<byte[]> update(ByteBuffer chunk) {
        checkOpen();
        try {
            List<byte[]> out = new ArrayList<>(1);
            while (chunk.hasRemaining()) {
                if (buffered == buffer.length) {
                    // More plaintext follows, so the buffered segment is not the last one.
                    out.add(seal(false));
                }
                int take = Math.min(chunk.remaining(), buffer.length - buffered);
                chunk.get(buffer, buffered, take);
                sha256.update(buffer, buffered, take);
                buffered += take;
                plaintextBytes += take;
            }
            return out;
        } catch (RuntimeException e) {
            fail();
            throw e;
        }
    }

    /**
     * Seals the buffered rest (possibly empty) as the final segment and returns it. An empty recording still yields
     * one final segment of just a tag.
     */
    public byte[] finish() {
        checkOpen();
        try {
            byte[] last = seal(true);
            state = State.FINISHED;
            summary = new StreamSummary(plaintextBytes, ciphertextBytes, segmentIndex, header.segmentSize(),
                    sha256.digest());
            Arrays.fill(buffer, (byte) 0);
            cipher.close();
            return last;
        } catch (RuntimeException e) {
            fail();
            throw e;
        }
    }

    /** Byte counts and plaintext SHA-256; available after {@link #finish()}. */
    public StreamSummary summary() {
        if (state != State.FINISHED) {
            throw new IllegalStateException("summary is available only after finish()");
        }
        return summary;
    }

    private byte[] seal(boolean last) {
        if (segmentIndex > SegmentNonce.MAX_INDEX) {
            throw new IllegalStateException("recording too long: the format allows at most " + StreamFormat.MAX_SEGMENTS
                    + " segments of " + header.segmentSize() + " bytes");
        }
        byte[] nonce = SegmentNonce.forSegment(noncePrefix, segmentIndex, last);
        byte[] sealed = cipher.seal(nonce, headerBytes, buffer, 0, buffered);
        segmentIndex++;
        ciphertextBytes += sealed.length;
        buffered = 0;
        return sealed;
    }

    private void checkOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("encryptor is " + state.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private void fail() {
        state = State.FAILED;
        Arrays.fill(buffer, (byte) 0);
        cipher.close();
    }

    @Override
    public String toString() {
        return "RecordingEncryptor[" + header + ", segments=" + segmentIndex + ", state=" + state + "]";
    }
}
