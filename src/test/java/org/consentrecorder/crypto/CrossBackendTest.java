package org.consentrecorder.crypto;

import static org.consentrecorder.crypto.StreamTestSupport.RECORDING_A;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** JDK and BouncyCastle backends are interchangeable: same bytes out, each reads the other. */
class CrossBackendTest {

    private static final int SEGMENT = 4096;

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 15, 16, 17, SEGMENT - 1, SEGMENT, SEGMENT + 1, 10 * SEGMENT + 123, 1_000_000})
    void backendsProduceIdenticalBytesAndReadEachOther(int size) {
        byte[] plaintext = StreamTestSupport.randomBytes(size, size + 1L);
        StreamHeader header = StreamHeader.of(SEGMENT, StreamTestSupport.randomBytes(32, 2),
                StreamTestSupport.randomBytes(7, 3));
        try (DataKey key = DataKey.generate()) {
            byte[] fromJdk = StreamTestSupport.encrypt(
                    RecordingEncryptor.withHeader(key, RECORDING_A, header, CipherBackend.JDK), plaintext,
                    StreamTestSupport.random(10_000, 4));
            byte[] fromBc = StreamTestSupport.encrypt(
                    RecordingEncryptor.withHeader(key, RECORDING_A, header, CipherBackend.BOUNCY_CASTLE), plaintext,
                    StreamTestSupport.random(10_000, 5));
            assertArrayEquals(fromJdk, fromBc, "same key, header and plaintext give the same stream");

            // And with independent random headers, each decrypts what the other encrypted.
            byte[] jdkStream = StreamTestSupport.encrypt(key, RECORDING_A, plaintext, SEGMENT, CipherBackend.JDK);
            byte[] bcStream = StreamTestSupport.encrypt(key, RECORDING_A, plaintext, SEGMENT, CipherBackend.BOUNCY_CASTLE);
            assertArrayEquals(plaintext, StreamTestSupport.decrypt(key, RECORDING_A, jdkStream, CipherBackend.BOUNCY_CASTLE));
            assertArrayEquals(plaintext, StreamTestSupport.decrypt(key, RECORDING_A, bcStream, CipherBackend.JDK));
        }
    }

    @Test
    void defaultBackendIsTheJdk() {
        assertEquals(CipherBackend.JDK, CipherBackend.DEFAULT);
    }
}
