package org.consentrecorder.crypto;

import static org.consentrecorder.crypto.CiphertextAuthenticationException.Reason.ALREADY_FAILED;
import static org.consentrecorder.crypto.CiphertextAuthenticationException.Reason.BAD_HEADER;
import static org.consentrecorder.crypto.CiphertextAuthenticationException.Reason.SEGMENT_AUTHENTICATION_FAILED;
import static org.consentrecorder.crypto.CiphertextAuthenticationException.Reason.TRUNCATED;
import static org.consentrecorder.crypto.StreamTestSupport.RECORDING_A;
import static org.consentrecorder.crypto.StreamTestSupport.RECORDING_B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every kind of tampering must be detected, and no plaintext of a segment that failed may come out: what was
 * released before the failure is always exactly the plaintext of the earlier, intact segments.
 */
class StreamTamperingTest {

    private static final int SEGMENT = 32;
    private static final int SEALED = SEGMENT + StreamFormat.TAG_LENGTH;
    private static final int HEADER = StreamFormat.HEADER_LENGTH;

    /** 100 bytes: three full segments and a final one of 4 bytes. */
    private final byte[] plaintext = StreamTestSupport.randomBytes(100, 42);
    private final DataKey key = DataKey.generate();
    private final byte[] stream = StreamTestSupport.encrypt(key, RECORDING_A, plaintext, SEGMENT, CipherBackend.DEFAULT);

    @AfterEach
    void destroyKey() {
        key.destroy();
    }

    private byte[] segment(byte[] from, int index) {
        int start = HEADER + index * SEALED;
        return Arrays.copyOfRange(from, start, Math.min(from.length, start + SEALED));
    }

    private byte[] header(byte[] from) {
        return Arrays.copyOf(from, HEADER);
    }

    /** Decrypts, asserting failure; returns the exception and checks the released bytes are a clean prefix. */
    private CiphertextAuthenticationException rejectReleasingAtMost(byte[] tampered, int maxReleasedSegments,
            CipherBackend backend, DataKey withKey, byte[] ad, int chunk) {
        ByteArrayOutputStream released = new ByteArrayOutputStream();
        RecordingDecryptor decryptor = RecordingDecryptor.create(withKey, ad, backend);
        CiphertextAuthenticationException e = assertThrows(CiphertextAuthenticationException.class,
                () -> StreamTestSupport.decryptCollecting(decryptor, tampered, chunk, released));
        byte[] out = released.toByteArray();
        assertEquals(0, out.length % SEGMENT, "only whole, verified segments are released");
        assertTrue(out.length <= maxReleasedSegments * SEGMENT,
                "released " + out.length + " bytes, at most " + maxReleasedSegments + " segments allowed");
        assertArrayEquals(Arrays.copyOf(plaintext, out.length), out, "released bytes are the genuine prefix");
        CiphertextAuthenticationException again = assertThrows(CiphertextAuthenticationException.class,
                () -> decryptor.update(new byte[1]));
        assertEquals(ALREADY_FAILED, again.reason(), "a failed decryptor refuses further input");
        return e;
    }

    private CiphertextAuthenticationException rejectReleasingAtMost(byte[] tampered, int maxReleasedSegments) {
        return rejectReleasingAtMost(tampered, maxReleasedSegments, CipherBackend.DEFAULT, key, RECORDING_A, 7);
    }

    @ParameterizedTest
    @EnumSource(CipherBackend.class)
    void everySingleBitFlipIsDetectedAndTheDamagedSegmentNeverReleased(CipherBackend backend) {
        assertEquals(HEADER + 3 * SEALED + 4 + StreamFormat.TAG_LENGTH, stream.length);
        for (int bit = 0; bit < stream.length * 8; bit++) {
            byte[] tampered = stream.clone();
            tampered[bit / 8] ^= (byte) (1 << (bit % 8));
            int position = bit / 8;
            int damagedSegment = position < HEADER ? 0 : (position - HEADER) / SEALED;
            rejectReleasingAtMost(tampered, damagedSegment, backend, key, RECORDING_A, 1 + bit % 50);
        }
    }

    @Test
    void everyTruncationIsDetected() {
        for (int length = 0; length < stream.length; length++) {
            byte[] truncated = Arrays.copyOf(stream, length);
            rejectReleasingAtMost(truncated, 3);
        }
    }

    @Test
    void droppingTheFinalSegmentIsReportedAsTruncation() {
        byte[] withoutFinal = Arrays.copyOf(stream, HEADER + 3 * SEALED);
        CiphertextAuthenticationException e = rejectReleasingAtMost(withoutFinal, 2);
        assertEquals(TRUNCATED, e.reason());
        assertTrue(e.getMessage().contains("final segment is missing"), e.getMessage());
    }

    @Test
    void headerAloneIsTruncation() {
        assertEquals(TRUNCATED, rejectReleasingAtMost(header(stream), 0).reason());
    }

    @Test
    void streamEndingWithAForgedEmptyFinalSegmentAfterFullSegmentsIsRefused() throws Exception {
        // Even someone holding the key cannot append an empty final segment: the encryptor never writes one there.
        StreamHeader header = StreamHeader.parse(header(stream));
        byte[] segmentKey = SegmentKeyDerivation.deriveSegmentKey(key, header.salt(), RECORDING_A);
        byte[] full = Arrays.copyOf(stream, HEADER + 3 * SEALED);
        byte[] emptyFinal;
        try (SegmentCipher cipher = CipherBackend.JDK.newCipher(segmentKey)) {
            emptyFinal = cipher.seal(SegmentNonce.forSegment(header.noncePrefix(), 3, true), header.toBytes(),
                    new byte[0], 0, 0);
        }
        assertEquals(TRUNCATED, rejectReleasingAtMost(StreamTestSupport.concat(full, emptyFinal), 3).reason());
    }

    @Test
    void reorderedSegmentsAreDetected() {
        byte[] swapped = StreamTestSupport.concat(header(stream), segment(stream, 1), segment(stream, 0),
                segment(stream, 2), segment(stream, 3));
        assertEquals(SEGMENT_AUTHENTICATION_FAILED, rejectReleasingAtMost(swapped, 0).reason());
    }

    @Test
    void duplicatedSegmentIsDetected() {
        byte[] duplicated = StreamTestSupport.concat(header(stream), segment(stream, 0), segment(stream, 0),
                segment(stream, 1), segment(stream, 2), segment(stream, 3));
        assertEquals(SEGMENT_AUTHENTICATION_FAILED, rejectReleasingAtMost(duplicated, 1).reason());
    }

    @Test
    void droppedMiddleSegmentIsDetected() {
        byte[] gap = StreamTestSupport.concat(header(stream), segment(stream, 0), segment(stream, 2),
                segment(stream, 3));
        rejectReleasingAtMost(gap, 1);
    }

    @Test
    void segmentFromAnotherRecordingIsDetectedEvenUnderTheSameKeyAndRecordingId() {
        // Worst case: same data key and recording id; the other stream still has its own salt and nonce prefix.
        byte[] other = StreamTestSupport.encrypt(key, RECORDING_A, plaintext, SEGMENT, CipherBackend.DEFAULT);
        byte[] spliced = StreamTestSupport.concat(header(stream), segment(stream, 0), segment(other, 1),
                segment(stream, 2), segment(stream, 3));
        assertEquals(SEGMENT_AUTHENTICATION_FAILED, rejectReleasingAtMost(spliced, 1).reason());

        byte[] otherHeader = StreamTestSupport.concat(header(other), Arrays.copyOfRange(stream, HEADER, stream.length));
        rejectReleasingAtMost(otherHeader, 0);
    }

    @Test
    void segmentFromAnotherRecordingWithItsOwnKeyIsDetected() {
        try (DataKey otherKey = DataKey.generate()) {
            byte[] other = StreamTestSupport.encrypt(otherKey, RECORDING_B, plaintext, SEGMENT, CipherBackend.DEFAULT);
            byte[] spliced = StreamTestSupport.concat(header(stream), segment(stream, 0), segment(stream, 1),
                    segment(stream, 2), segment(other, 3));
            rejectReleasingAtMost(spliced, 3);
        }
    }

    @Test
    void trailingBytesAfterTheFinalSegmentAreDetected() {
        rejectReleasingAtMost(StreamTestSupport.concat(stream, new byte[] {0}), 3);
        rejectReleasingAtMost(StreamTestSupport.concat(stream, stream), 3);
    }

    @Test
    void wrongKeyReleasesNothing() {
        try (DataKey wrong = DataKey.generate()) {
            CiphertextAuthenticationException e = rejectReleasingAtMost(stream, 0, CipherBackend.DEFAULT, wrong,
                    RECORDING_A, 1000);
            assertEquals(SEGMENT_AUTHENTICATION_FAILED, e.reason());
        }
    }

    @Test
    void wrongRecordingIdReleasesNothing() {
        CiphertextAuthenticationException e = rejectReleasingAtMost(stream, 0, CipherBackend.BOUNCY_CASTLE, key,
                RECORDING_B, 1000);
        assertEquals(SEGMENT_AUTHENTICATION_FAILED, e.reason());
    }

    @Test
    void notAStreamAtAllIsABadHeader() {
        byte[] garbage = StreamTestSupport.randomBytes(500, 1);
        assertEquals(BAD_HEADER, rejectReleasingAtMost(garbage, 0).reason());
        byte[] futureVersion = stream.clone();
        futureVersion[4] = 2;
        CiphertextAuthenticationException e = rejectReleasingAtMost(futureVersion, 0);
        assertEquals(BAD_HEADER, e.reason());
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
    }

    @Test
    void messagesCarryNoKeyOrPlaintext() {
        byte[] tampered = stream.clone();
        tampered[HEADER + SEALED + 3] ^= 1;
        CiphertextAuthenticationException e = rejectReleasingAtMost(tampered, 1);
        String message = e.getMessage();
        HexFormat hex = HexFormat.of();
        assertFalse(message.contains(hex.formatHex(key.bytes()).substring(0, 8)));
        assertFalse(message.contains(hex.formatHex(plaintext).substring(0, 8)));
        assertFalse(message.contains(hex.formatHex(plaintext).substring(0, 8).toUpperCase()));
        assertTrue(message.contains("segment 1"), message);
        assertEquals(null, e.getCause());
    }
}
