package org.consentrecorder.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntSupplier;

/** Drives encryptors and decryptors the way a pipeline would: chunk by chunk. */
final class StreamTestSupport {

    static final byte[] RECORDING_A = "rec-2026-0001".getBytes(StandardCharsets.UTF_8);
    static final byte[] RECORDING_B = "rec-2026-0002".getBytes(StandardCharsets.UTF_8);

    private StreamTestSupport() {
    }

    static byte[] randomBytes(int length, long seed) {
        byte[] out = new byte[length];
        new Random(seed).nextBytes(out);
        return out;
    }

    /** Chunk sizes: always {@code size}. */
    static IntSupplier fixed(int size) {
        return () -> size;
    }

    /** Chunk sizes: random in 1..max, reproducible. */
    static IntSupplier random(int max, long seed) {
        Random random = new Random(seed);
        return () -> 1 + random.nextInt(max);
    }

    /** header || segments, as it would be stored. */
    static byte[] encrypt(RecordingEncryptor encryptor, byte[] plaintext, IntSupplier chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(encryptor.header());
        for (int pos = 0; pos < plaintext.length; ) {
            int n = Math.min(chunks.getAsInt(), plaintext.length - pos);
            for (byte[] segment : encryptor.update(plaintext, pos, n)) {
                out.writeBytes(segment);
            }
            pos += n;
        }
        out.writeBytes(encryptor.finish());
        return out.toByteArray();
    }

    static byte[] encrypt(DataKey key, byte[] ad, byte[] plaintext, int segmentSize, CipherBackend backend) {
        return encrypt(RecordingEncryptor.create(key, ad, segmentSize, backend), plaintext, fixed(8192));
    }

    static byte[] decrypt(RecordingDecryptor decryptor, byte[] ciphertext, IntSupplier chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int pos = 0; pos < ciphertext.length; ) {
            int n = Math.min(chunks.getAsInt(), ciphertext.length - pos);
            decryptor.update(ciphertext, pos, n).forEach(out::writeBytes);
            pos += n;
        }
        out.writeBytes(decryptor.finish());
        return out.toByteArray();
    }

    static byte[] decrypt(DataKey key, byte[] ad, byte[] ciphertext, CipherBackend backend) {
        return decrypt(RecordingDecryptor.create(key, ad, backend), ciphertext, fixed(8192));
    }

    /**
     * Feeds the whole ciphertext, collecting what is released before the failure (if any) into {@code released},
     * then rethrows.
     */
    static void decryptCollecting(RecordingDecryptor decryptor, byte[] ciphertext, int chunk,
            ByteArrayOutputStream released) {
        for (int pos = 0; pos < ciphertext.length; pos += chunk) {
            List<byte[]> out = decryptor.update(Arrays.copyOfRange(ciphertext, pos,
                    Math.min(ciphertext.length, pos + chunk)));
            out.forEach(released::writeBytes);
        }
        released.writeBytes(decryptor.finish());
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
