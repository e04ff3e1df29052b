package org.consentrecorder.crypto;

import static org.consentrecorder.crypto.StreamTestSupport.RECORDING_A;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HTTP Range playback: start decrypting at the segment holding a plaintext offset. */
class RandomAccessTest {

    private static final int SEGMENT = 1000;

    @Test
    void layoutArithmetic() {
        SegmentLayout layout = SegmentLayout.of(SEGMENT, 2500);
        assertEquals(3, layout.segmentCount());
        assertEquals(48, layout.ciphertextOffsetOf(0));
        assertEquals(48 + 1016, layout.ciphertextOffsetOf(1));
        assertEquals(48 + 2 * 1016, layout.ciphertextOffsetOf(2));
        assertEquals(500, layout.plaintextLengthOf(2));
        assertEquals(516, layout.ciphertextLengthOf(2));
        assertEquals(48 + 2500 + 3 * 16, layout.ciphertextLength());
        assertTrue(layout.isLast(2));
        assertFalse(layout.isLast(1));
        assertEquals(new SegmentLayout.Position(1, 48 + 1016, 234), layout.locate(1234));
        assertEquals(new SegmentLayout.Position(0, 48, 0), layout.locate(0));
        assertEquals(new SegmentLayout.Position(2, 48 + 2032, 500), layout.locate(2500), "end maps to end of last");
        assertThrows(IllegalArgumentException.class, () -> layout.locate(2501));
        assertThrows(IndexOutOfBoundsException.class, () -> layout.ciphertextOffsetOf(3));
    }

    @Test
    void exactMultipleEndsWithAFullFinalSegmentAndEmptyHasOne() {
        SegmentLayout full = SegmentLayout.of(SEGMENT, 3000);
        assertEquals(3, full.segmentCount());
        assertEquals(SEGMENT, full.plaintextLengthOf(2));
        SegmentLayout empty = SegmentLayout.of(SEGMENT, 0);
        assertEquals(1, empty.segmentCount());
        assertEquals(16, empty.ciphertextLengthOf(0));
        assertEquals(new SegmentLayout.Position(0, 48, 0), empty.locate(0));
    }

    @Test
    void layoutRefusesMoreThanTheMaximumSegmentCount() {
        long maxLength = StreamFormat.MAX_SEGMENTS * 16;
        assertEquals(StreamFormat.MAX_SEGMENTS, SegmentLayout.of(16, maxLength).segmentCount());
        assertThrows(IllegalArgumentException.class, () -> SegmentLayout.of(16, maxLength + 1));
    }

    @Test
    void nonceCounterStopsAtTheSegmentLimit() {
        byte[] prefix = new byte[7];
        byte[] lastAllowed = SegmentNonce.forSegment(prefix, StreamFormat.MAX_SEGMENTS - 1, true);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFE, 1},
                lastAllowed);
        CiphertextAuthenticationException e = assertThrows(CiphertextAuthenticationException.class,
                () -> SegmentNonce.forSegment(prefix, StreamFormat.MAX_SEGMENTS, false));
        assertEquals(CiphertextAuthenticationException.Reason.TOO_MANY_SEGMENTS, e.reason());
    }

    @Test
    void encryptorRefusesTheSegmentBeyondTheLimitAndTheLastAllowedOnesDecrypt() {
        long lastIndex = StreamFormat.MAX_SEGMENTS - 1;
        try (DataKey key = DataKey.generate()) {
            RecordingEncryptor atLimit = RecordingEncryptor.create(key, RECORDING_A, 16);
            atLimit.startAtSegmentForTest(lastIndex - 1);
            byte[] audio = StreamTestSupport.randomBytes(32, 1);
            List<byte[]> segments = atLimit.update(audio);
            byte[] tail = StreamTestSupport.concat(segments.get(0), atLimit.finish());

            // The stream those two segments end has 2^32-1 segments of 16 bytes.
            long plaintextLength = StreamFormat.MAX_SEGMENTS * 16;
            RecordingDecryptor decryptor = RecordingDecryptor.fromSegment(key, RECORDING_A, atLimit.header(),
                    plaintextLength, lastIndex - 1);
            List<byte[]> out = decryptor.update(tail);
            assertArrayEquals(audio, StreamTestSupport.concat(out.toArray(byte[][]::new)));
            assertEquals(0, decryptor.finish().length);

            RecordingEncryptor beyond = RecordingEncryptor.create(key, RECORDING_A, 16);
            beyond.startAtSegmentForTest(lastIndex - 1);
            beyond.update(new byte[33]);
            IllegalStateException e = assertThrows(IllegalStateException.class, beyond::finish);
            assertTrue(e.getMessage().contains("at most 4294967295 segments"), e.getMessage());
        }
    }

    @ParameterizedTest(name = "plaintext length {0}")
    @ValueSource(ints = {1, 999, 1000, 1001, 7777, 10_000})
    void decryptingFromAnyOffsetYieldsTheRightBytes(int length) throws IOException {
        byte[] plaintext = StreamTestSupport.randomBytes(length, length);
        try (DataKey key = DataKey.generate()) {
            byte[] stored = StreamTestSupport.encrypt(key, RECORDING_A, plaintext, SEGMENT, CipherBackend.DEFAULT);
            byte[] header = Arrays.copyOf(stored, StreamFormat.HEADER_LENGTH);
            SegmentLayout layout = SegmentLayout.of(header, length);
            for (int offset : new int[] {0, 1, length / 2, length - 1, Math.max(0, length - SEGMENT), length}) {
                SegmentLayout.Position at = layout.locate(offset);
                RecordingDecryptor decryptor = RecordingDecryptor.fromSegment(key, RECORDING_A, header, length,
                        at.segmentIndex());
                InputStream tail = new ByteArrayInputStream(stored, (int) at.ciphertextOffset(),
                        stored.length - (int) at.ciphertextOffset());
                try (DecryptingInputStream in = new DecryptingInputStream(tail, decryptor)) {
                    in.skipNBytes(at.offsetInSegment());
                    assertArrayEquals(Arrays.copyOfRange(plaintext, offset, length), in.readAllBytes(),
                            "from offset " + offset);
                }
            }
        }
    }

    @Test
    void aSingleMiddleSegmentAuthenticatesAlone() {
        byte[] plaintext = StreamTestSupport.randomBytes(5500, 9);
        try (DataKey key = DataKey.generate()) {
            byte[] stored = StreamTestSupport.encrypt(key, RECORDING_A, plaintext, SEGMENT, CipherBackend.BOUNCY_CASTLE);
            byte[] header = Arrays.copyOf(stored, StreamFormat.HEADER_LENGTH);
            SegmentLayout layout = SegmentLayout.of(header, plaintext.length);
            int start = (int) layout.ciphertextOffsetOf(3);
            byte[] segment3 = Arrays.copyOfRange(stored, start, start + layout.ciphertextLengthOf(3));

            RecordingDecryptor decryptor = RecordingDecryptor.fromSegment(key, RECORDING_A, header, plaintext.length, 3,
                    CipherBackend.JDK);
            List<byte[]> out = decryptor.update(segment3);
            assertEquals(1, out.size());
            assertArrayEquals(Arrays.copyOfRange(plaintext, 3000, 4000), out.get(0));
            decryptor.abandon();

            // Served from the wrong position, the same bytes fail: the index is in the nonce.
            RecordingDecryptor misplaced = RecordingDecryptor.fromSegment(key, RECORDING_A, header, plaintext.length, 2);
            assertThrows(CiphertextAuthenticationException.class, () -> misplaced.update(segment3));
        }
    }

    @Test
    void wrongPlaintextLengthFromMetadataCannotHideTruncation() {
        byte[] plaintext = StreamTestSupport.randomBytes(3500, 10);
        try (DataKey key = DataKey.generate()) {
            byte[] stored = StreamTestSupport.encrypt(key, RECORDING_A, plaintext, SEGMENT, CipherBackend.DEFAULT);
            byte[] header = Arrays.copyOf(stored, StreamFormat.HEADER_LENGTH);
            SegmentLayout real = SegmentLayout.of(header, plaintext.length);
            // Metadata claims the recording ends after 3 full segments: segment 2 is then expected to be final.
            RecordingDecryptor decryptor = RecordingDecryptor.fromSegment(key, RECORDING_A, header, 3000, 0);
            byte[] firstThree = Arrays.copyOfRange(stored, 48, (int) real.ciphertextOffsetOf(3));
            ByteArrayOutputStream released = new ByteArrayOutputStream();
            assertThrows(CiphertextAuthenticationException.class,
                    () -> StreamTestSupport.decryptCollecting(decryptor, firstThree, 100, released));
            assertEquals(2000, released.size());
        }
    }

    @Test
    void rangeDecryptorRejectsTruncationAndTrailingData() {
        byte[] plaintext = StreamTestSupport.randomBytes(2500, 11);
        try (DataKey key = DataKey.generate()) {
            byte[] stored = StreamTestSupport.encrypt(key, RECORDING_A, plaintext, SEGMENT, CipherBackend.DEFAULT);
            byte[] header = Arrays.copyOf(stored, StreamFormat.HEADER_LENGTH);
            int from = (int) SegmentLayout.of(header, 2500).ciphertextOffsetOf(1);

            RecordingDecryptor shortInput = RecordingDecryptor.fromSegment(key, RECORDING_A, header, 2500, 1);
            shortInput.update(Arrays.copyOfRange(stored, from, stored.length - 1));
            CiphertextAuthenticationException e = assertThrows(CiphertextAuthenticationException.class,
                    shortInput::finish);
            assertEquals(CiphertextAuthenticationException.Reason.TRUNCATED, e.reason());

            RecordingDecryptor longInput = RecordingDecryptor.fromSegment(key, RECORDING_A, header, 2500, 1);
            byte[] withExtra = StreamTestSupport.concat(Arrays.copyOfRange(stored, from, stored.length), new byte[1]);
            e = assertThrows(CiphertextAuthenticationException.class, () -> longInput.update(withExtra));
            assertEquals(CiphertextAuthenticationException.Reason.MALFORMED, e.reason());
        }
    }
}
