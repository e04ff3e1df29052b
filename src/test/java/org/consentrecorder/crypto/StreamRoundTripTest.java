package org.consentrecorder.crypto;

import static org.consentrecorder.crypto.StreamTestSupport.RECORDING_A;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class StreamRoundTripTest {

    private static final int SEGMENT = 1024;

    static Stream<Arguments> sizesAndChunkings() {
        List<Arguments> cases = new ArrayList<>();
        int[] sizes = {0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 2 * SEGMENT, 5 * SEGMENT + 17};
        for (CipherBackend backend : CipherBackend.values()) {
            for (int size : sizes) {
                cases.add(Arguments.of(backend, size, "1-byte"));
                cases.add(Arguments.of(backend, size, "random"));
                cases.add(Arguments.of(backend, size, "segment"));
                cases.add(Arguments.of(backend, size, "large"));
            }
        }
        return cases.stream();
    }

    private static IntSupplier chunking(String name, long seed) {
        return switch (name) {
            case "1-byte" -> StreamTestSupport.fixed(1);
            case "random" -> StreamTestSupport.random(3 * SEGMENT, seed);
            case "segment" -> StreamTestSupport.fixed(SEGMENT);
            default -> StreamTestSupport.fixed(1 << 20);
        };
    }

    @ParameterizedTest(name = "{0} {1} bytes, {2} chunks")
    @MethodSource("sizesAndChunkings")
    void roundTripsAnySizeWithAnyChunking(CipherBackend backend, int size, String chunks) {
        byte[] plaintext = StreamTestSupport.randomBytes(size, size);
        try (DataKey key = DataKey.generate()) {
            RecordingEncryptor encryptor = RecordingEncryptor.create(key, RECORDING_A, SEGMENT, backend);
            byte[] ciphertext = StreamTestSupport.encrypt(encryptor, plaintext, chunking(chunks, 1));

            SegmentLayout layout = SegmentLayout.of(SEGMENT, size);
            assertEquals(layout.ciphertextLength(), ciphertext.length, "stored length follows from plaintext length");
            assertEquals(layout.segmentCount(), encryptor.summary().segmentCount());

            RecordingDecryptor decryptor = RecordingDecryptor.create(key, RECORDING_A, backend);
            byte[] decrypted = StreamTestSupport.decrypt(decryptor, ciphertext, chunking(chunks, 2));
            assertArrayEquals(plaintext, decrypted);
            assertEquals(encryptor.summary(), decryptor.summary());
        }
    }

    @ParameterizedTest
    @EnumSource(CipherBackend.class)
    void manySegmentsOfDefaultSize(CipherBackend backend) {
        byte[] plaintext = StreamTestSupport.randomBytes(3 * 1024 * 1024 + 12345, 7);
        try (DataKey key = DataKey.generate()) {
            RecordingEncryptor encryptor = RecordingEncryptor.create(key, RECORDING_A,
                    StreamFormat.DEFAULT_SEGMENT_SIZE, backend);
            byte[] ciphertext = StreamTestSupport.encrypt(encryptor, plaintext, StreamTestSupport.random(200_000, 3));
            assertEquals(49, encryptor.summary().segmentCount());
            assertArrayEquals(plaintext, StreamTestSupport.decrypt(RecordingDecryptor.create(key, RECORDING_A, backend),
                    ciphertext, StreamTestSupport.random(100_000, 4)));
        }
    }

    @Test
    void emptyRecordingIsOneFinalSegmentOfJustATag() throws Exception {
        try (DataKey key = DataKey.generate()) {
            RecordingEncryptor encryptor = RecordingEncryptor.create(key, RECORDING_A);
            assertTrue(encryptor.update(new byte[0]).isEmpty());
            byte[] last = encryptor.finish();
            assertEquals(StreamFormat.TAG_LENGTH, last.length);
            StreamSummary summary = encryptor.summary();
            assertEquals(0, summary.plaintextBytes());
            assertEquals(1, summary.segmentCount());
            assertEquals(StreamFormat.HEADER_LENGTH + StreamFormat.TAG_LENGTH, summary.ciphertextBytes());
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(new byte[0]), summary.plaintextSha256());

            byte[] plaintext = StreamTestSupport.decrypt(key, RECORDING_A,
                    StreamTestSupport.concat(encryptor.header(), last), CipherBackend.DEFAULT);
            assertEquals(0, plaintext.length);
        }
    }

    @Test
    void encryptorEmitsFullSegmentsOnlyOnceMoreDataProvesTheyAreNotFinal() {
        try (DataKey key = DataKey.generate()) {
            RecordingEncryptor encryptor = RecordingEncryptor.create(key, RECORDING_A, 16, CipherBackend.DEFAULT);
            assertEquals(0, encryptor.update(new byte[16]).size(), "a full segment may still be the last");
            List<byte[]> out = encryptor.update(new byte[1]);
            assertEquals(1, out.size());
            assertEquals(16 + StreamFormat.TAG_LENGTH, out.get(0).length);
            assertEquals(3, encryptor.update(new byte[48]).size());
            assertEquals(1 + StreamFormat.TAG_LENGTH, encryptor.finish().length);
        }
    }

    @Test
    void summaryCountsAndHashesPlaintext() throws Exception {
        byte[] plaintext = StreamTestSupport.randomBytes(100_000, 11);
        try (DataKey key = DataKey.generate()) {
            RecordingEncryptor encryptor = RecordingEncryptor.create(key, RECORDING_A, 4096, CipherBackend.DEFAULT);
            byte[] ciphertext = StreamTestSupport.encrypt(encryptor, plaintext, StreamTestSupport.fixed(999));
            StreamSummary summary = encryptor.summary();
            assertEquals(plaintext.length, summary.plaintextBytes());
            assertEquals(ciphertext.length, summary.ciphertextBytes());
            assertEquals(25, summary.segmentCount());
            assertEquals(4096, summary.segmentSize());
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(plaintext), summary.plaintextSha256());
        }
    }

    @Test
    void byteBufferInputIsConsumedCompletely() {
        byte[] plaintext = StreamTestSupport.randomBytes(5000, 5);
        try (DataKey key = DataKey.generate()) {
            RecordingEncryptor encryptor = RecordingEncryptor.create(key, RECORDING_A, 1024, CipherBackend.DEFAULT);
            ByteBuffer direct = ByteBuffer.allocateDirect(plaintext.length).put(plaintext).flip();
            List<byte[]> segments = encryptor.update(direct);
            assertEquals(0, direct.remaining());
            assertEquals(4, segments.size());
            byte[] ciphertext = StreamTestSupport.concat(encryptor.header(), segments.get(0), segments.get(1),
                    segments.get(2), segments.get(3), encryptor.finish());

            RecordingDecryptor decryptor = RecordingDecryptor.create(key, RECORDING_A);
            ByteBuffer in = ByteBuffer.allocateDirect(ciphertext.length).put(ciphertext).flip();
            List<byte[]> out = new ArrayList<>(decryptor.update(in));
            out.add(decryptor.finish());
            assertArrayEquals(plaintext, StreamTestSupport.concat(out.toArray(byte[][]::new)));
        }
    }

    @Test
    void finishedEncryptorRefusesMoreInput() {
        try (DataKey key = DataKey.generate()) {
            RecordingEncryptor encryptor = RecordingEncryptor.create(key, RECORDING_A);
            encryptor.finish();
            assertThrows(IllegalStateException.class, () -> encryptor.update(new byte[1]));
            assertThrows(IllegalStateException.class, encryptor::finish);
        }
    }

    @Test
    void encryptorDoesNotNeedTheDataKeyAfterCreation() {
        byte[] plaintext = StreamTestSupport.randomBytes(3000, 9);
        DataKey key = DataKey.generate();
        DataKey copy = DataKey.fromBytes(key.bytes());
        RecordingEncryptor encryptor = RecordingEncryptor.create(key, RECORDING_A, 1024, CipherBackend.DEFAULT);
        RecordingDecryptor decryptor = RecordingDecryptor.create(key, RECORDING_A);
        key.destroy();
        byte[] ciphertext = StreamTestSupport.encrypt(encryptor, plaintext, StreamTestSupport.fixed(100));
        assertArrayEquals(plaintext, StreamTestSupport.decrypt(decryptor, ciphertext, StreamTestSupport.fixed(100)));
        assertArrayEquals(plaintext, StreamTestSupport.decrypt(copy, RECORDING_A, ciphertext, CipherBackend.DEFAULT));
    }

    @Test
    void segmentSizeOutsideLimitsIsRefused() {
        try (DataKey key = DataKey.generate()) {
            assertThrows(IllegalArgumentException.class,
                    () -> RecordingEncryptor.create(key, RECORDING_A, 15, CipherBackend.DEFAULT));
            assertThrows(IllegalArgumentException.class,
                    () -> RecordingEncryptor.create(key, RECORDING_A, 16 * 1024 * 1024 + 1, CipherBackend.DEFAULT));
        }
    }
}
