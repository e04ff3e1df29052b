package org.consentrecorder.crypto;

import static org.consentrecorder.crypto.StreamTestSupport.RECORDING_A;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DecryptingInputStreamTest {

    /** A source that hands out at most {@code max} bytes per read, like a network stream. */
    private static InputStream trickle(byte[] data, int max) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, max));
            }
        };
    }

    @Test
    void readsBackThePlaintextWhateverTheReadPattern() throws IOException {
        byte[] plaintext = StreamTestSupport.randomBytes(300_000, 1);
        try (DataKey key = DataKey.generate()) {
            byte[] stored = StreamTestSupport.encrypt(key, RECORDING_A, plaintext, 65536, CipherBackend.DEFAULT);
            try (InputStream in = DecryptingInputStream.open(trickle(stored, 777), key, RECORDING_A)) {
                assertArrayEquals(plaintext, in.readAllBytes());
                assertEquals(-1, in.read());
            }
            try (InputStream in = DecryptingInputStream.open(new ByteArrayInputStream(stored), key, RECORDING_A)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (int b; (b = in.read()) != -1; ) {
                    out.write(b);
                }
                assertArrayEquals(plaintext, out.toByteArray());
            }
        }
    }

    @Test
    void truncatedSourceFailsAtTheEndInsteadOfLookingShort() throws IOException {
        byte[] plaintext = StreamTestSupport.randomBytes(5000, 2);
        try (DataKey key = DataKey.generate()) {
            byte[] stored = StreamTestSupport.encrypt(key, RECORDING_A, plaintext, 1024, CipherBackend.DEFAULT);
            byte[] truncated = Arrays.copyOf(stored, stored.length - 30);
            try (InputStream in = DecryptingInputStream.open(new ByteArrayInputStream(truncated), key, RECORDING_A)) {
                assertArrayEquals(Arrays.copyOf(plaintext, 1024), in.readNBytes(1024));
                CiphertextAuthenticationException e = assertThrows(CiphertextAuthenticationException.class,
                        in::readAllBytes);
                assertEquals(CiphertextAuthenticationException.Reason.SEGMENT_AUTHENTICATION_FAILED, e.reason());
                assertThrows(CiphertextAuthenticationException.class, in::read, "stays failed");
            }
        }
    }

    @Test
    void closedStreamRefusesReads() throws IOException {
        try (DataKey key = DataKey.generate()) {
            byte[] stored = StreamTestSupport.encrypt(key, RECORDING_A, new byte[10], 1024, CipherBackend.DEFAULT);
            InputStream in = DecryptingInputStream.open(new ByteArrayInputStream(stored), key, RECORDING_A);
            in.close();
            assertThrows(IOException.class, in::read);
        }
    }
}
