package org.consentrecorder.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second decrypter written only from docs/encryption-format.md, with BouncyCastle low-level primitives (HMAC-SHA256
 * for a hand-written RFC 5869 HKDF, AESEngine + GCMBlockCipher) and byte arithmetic. It uses nothing from the
 * production code except to produce the inputs: if the doc and the code drift apart, this test fails.
 */
class IndependentDecrypterTest {

    @TempDir
    Path dir;

    // ---- the independent implementation: everything below follows the doc, section by section ----

    /** Section 3.2: RFC 5869 with HMAC-SHA256. */
    static byte[] hkdfSha256(byte[] ikm, byte[] salt, byte[] info, int length) {
        HMac extract = new HMac(new SHA256Digest());
        extract.init(new KeyParameter(salt));
        extract.update(ikm, 0, ikm.length);
        byte[] prk = new byte[32];
        extract.doFinal(prk, 0);

        HMac expand = new HMac(new SHA256Digest());
        expand.init(new KeyParameter(prk));
        ByteArrayOutputStream okm = new ByteArrayOutputStream();
        byte[] t = new byte[0];
        for (int counter = 1; okm.size() < length; counter++) {
            expand.update(t, 0, t.length);
            expand.update(info, 0, info.length);
            expand.update((byte) counter);
            t = new byte[32];
            expand.doFinal(t, 0);
            okm.writeBytes(t);
        }
        return Arrays.copyOf(okm.toByteArray(), length);
    }

    static byte[] gcmOpen(byte[] key, byte[] nonce, byte[] aad, byte[] sealed) throws InvalidCipherTextException {
        GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
        gcm.init(false, new AEADParameters(new KeyParameter(key), 128, nonce, aad));
        byte[] out = new byte[gcm.getOutputSize(sealed.length)];
        int n = gcm.processBytes(sealed, 0, sealed.length, out, 0);
        n += gcm.doFinal(out, n);
        return Arrays.copyOf(out, n);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Sections 3.1, 3.3, 3.4: whole stream with unknown length. */
    static byte[] decryptStream(byte[] dek, byte[] recordingId, byte[] stream) throws InvalidCipherTextException {
        byte[] header = Arrays.copyOfRange(stream, 0, 48);
        if (!Arrays.equals(Arrays.copyOfRange(header, 0, 4), new byte[] {0x43, 0x52, 0x45, 0x43}) || header[4] != 1) {
            throw new IllegalArgumentException("not a v1 stream");
        }
        long s = ((header[5] & 0xFFL) << 24) | ((header[6] & 0xFF) << 16) | ((header[7] & 0xFF) << 8) | (header[8] & 0xFF);
        byte[] salt = Arrays.copyOfRange(header, 9, 41);
        byte[] prefix = Arrays.copyOfRange(header, 41, 48);
        byte[] info = cat(ascii("consent-recorder stream v1 segment key"), new byte[] {0}, recordingId);
        byte[] key = hkdfSha256(dek, salt, info, 32);

        ByteArrayOutputStream plaintext = new ByteArrayOutputStream();
        int pos = 48;
        for (long i = 0; ; i++) {
            int remaining = stream.length - pos;
            boolean last = remaining <= s + 16;
            int length = last ? remaining : (int) s + 16;
            if (length < 16 || (last && length == 16 && i > 0)) {
                throw new IllegalArgumentException("truncated");
            }
            byte[] nonce = cat(prefix, new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i,
                    (byte) (last ? 1 : 0)});
            plaintext.writeBytes(gcmOpen(key, nonce, header, Arrays.copyOfRange(stream, pos, pos + length)));
            pos += length;
            if (last) {
                return plaintext.toByteArray();
            }
        }
    }

    /** Section 3.4, random access: segment i alone, knowing the plaintext length L. */
    static byte[] decryptSegment(byte[] dek, byte[] recordingId, byte[] stream, long plaintextLength, long i)
            throws InvalidCipherTextException {
        byte[] header = Arrays.copyOfRange(stream, 0, 48);
        int s = ((header[5] & 0xFF) << 24) | ((header[6] & 0xFF) << 16) | ((header[7] & 0xFF) << 8) | (header[8] & 0xFF);
        long n = plaintextLength == 0 ? 1 : (plaintextLength + s - 1) / s;
        boolean last = i == n - 1;
        long offset = 48 + i * (s + 16L);
        int length = (int) ((last ? plaintextLength - (n - 1) * s : s) + 16);
        byte[] key = hkdfSha256(dek, Arrays.copyOfRange(header, 9, 41),
                cat(ascii("consent-recorder stream v1 segment key"), new byte[] {0}, recordingId), 32);
        byte[] nonce = cat(Arrays.copyOfRange(header, 41, 48),
                new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i, (byte) (last ? 1 : 0)});
        return gcmOpen(key, nonce, header, Arrays.copyOfRange(stream, (int) offset, (int) offset + length));
    }

    /** Section 4.2 with the key file format of section 6. */
    static byte[] unwrapSubjectKeyFile(Path keyFile, byte[] kek) throws IOException, InvalidCipherTextException {
        JsonNode json = new JsonMapper().readTree(keyFile.toFile());
        assertEquals("consent-recorder-wrapped-subject-key/1", json.get("format").asText());
        byte[] keyId = ascii(json.get("keyId").asText());
        byte[] kekId = ascii(json.get("kek").asText());
        byte[] wrapped = Base64.getDecoder().decode(json.get("wrappedKey").asText());
        byte[] aad = cat(ascii("consent-recorder subject-key-wrap v1"), new byte[] {0}, new byte[] {(byte) keyId.length},
                keyId, new byte[] {(byte) kekId.length}, kekId);
        return gcmOpen(kek, Arrays.copyOf(wrapped, 12), aad, Arrays.copyOfRange(wrapped, 12, wrapped.length));
    }

    /** Section 4.1. Returns {subject key id, DEK}. */
    static byte[] unwrapDataKeyBlob(byte[] blob, byte[] subjectKey, byte[] recordingId) throws InvalidCipherTextException {
        assertEquals(1, blob[0]);
        int k = blob[1] & 0xFF;
        byte[] keyId = Arrays.copyOfRange(blob, 2, 2 + k);
        byte[] wrapped = Arrays.copyOfRange(blob, 2 + k, blob.length);
        byte[] aad = cat(ascii("consent-recorder dek-wrap v1"), new byte[] {0}, new byte[] {(byte) k}, keyId, recordingId);
        return gcmOpen(subjectKey, Arrays.copyOf(wrapped, 12), aad, Arrays.copyOfRange(wrapped, 12, wrapped.length));
    }

    // ---- the checks ----

    @Test
    void handWrittenHkdfMatchesRfc5869TestCase1() {
        byte[] okm = hkdfSha256(HexFormat.of().parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
                HexFormat.of().parseHex("000102030405060708090a0b0c"), HexFormat.of().parseHex("f0f1f2f3f4f5f6f7f8f9"), 42);
        assertEquals("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865", HexFormat.of()
                .formatHex(okm));
    }

    @Test
    void decryptsStreamsOfEveryShapeFromTheDocAlone() throws Exception {
        byte[] recordingId = "rec-independent-1".getBytes(StandardCharsets.UTF_8);
        for (CipherBackend backend : CipherBackend.values()) {
            for (int[] shape : new int[][] {{0, 16}, {1, 16}, {16, 16}, {17, 16}, {1000, 100}, {300_000, 65536},
                    {65536 * 3, 65536}}) {
                byte[] audio = StreamTestSupport.randomBytes(shape[0], shape[0]);
                try (DataKey dek = DataKey.generate()) {
                    byte[] stream = StreamTestSupport.encrypt(dek, recordingId, audio, shape[1], backend);
                    assertArrayEquals(audio, decryptStream(dek.exportBytes(), recordingId, stream),
                            backend + " " + shape[0] + "/" + shape[1]);
                    long n = shape[0] == 0 ? 1 : (shape[0] + shape[1] - 1) / shape[1];
                    long middle = n / 2;
                    int from = (int) (middle * shape[1]);
                    assertArrayEquals(Arrays.copyOfRange(audio, from, Math.min(audio.length, from + shape[1])),
                            decryptSegment(dek.exportBytes(), recordingId, stream, audio.length, middle));
                    assertThrows(InvalidCipherTextException.class, () -> decryptStream(dek.exportBytes(),
                            "rec-other".getBytes(StandardCharsets.UTF_8), stream));
                }
            }
        }
    }

    @Test
    void followsTheWholeKeyChainFromKeyringToAudio() throws Exception {
        // Production side: keyring from the environment format, file store, a recording.
        byte[] kekBytes = KeyTestSupport.keyBytes(77);
        Keyring keyring = KeyringLoader.fromEnvironmentValue("kek-2026:1=" + Base64.getEncoder().encodeToString(kekBytes));
        FileSubjectKeyStore store = FileSubjectKeyStore.open(dir.resolve("keys"), keyring);
        byte[] recordingId = "rec-chain-42".getBytes(StandardCharsets.UTF_8);
        byte[] audio = StreamTestSupport.randomBytes(200_000, 5);
        byte[] wrappedDekBlob;
        byte[] stream;
        try (IssuedDataKey issued = store.issueDataKey("+33612345678", recordingId)) {
            wrappedDekBlob = issued.wrapped().toBytes();
            stream = StreamTestSupport.encrypt(RecordingEncryptor.create(issued.dataKey(), recordingId), audio,
                    StreamTestSupport.fixed(20_000));
        }

        // Independent side: only the KEK bytes, the store directory, the blob and the stream.
        int k = wrappedDekBlob[1] & 0xFF;
        String subjectKeyId = new String(wrappedDekBlob, 2, k, StandardCharsets.US_ASCII);
        byte[] subjectKey = unwrapSubjectKeyFile(dir.resolve("keys/keys/" + subjectKeyId + ".json"), kekBytes);
        byte[] dek = unwrapDataKeyBlob(wrappedDekBlob, subjectKey, recordingId);
        assertArrayEquals(audio, decryptStream(dek, recordingId, stream));

        // Section 4.4: the subject reference file is named by HMAC-SHA256(index key, subject id).
        byte[] indexKey = unwrapSubjectKeyFile(dir.resolve("keys/index-key.json"), kekBytes);
        HMac hmac = new HMac(new SHA256Digest());
        hmac.init(new KeyParameter(indexKey));
        byte[] subject = "+33612345678".getBytes(StandardCharsets.UTF_8);
        hmac.update(subject, 0, subject.length);
        byte[] mac = new byte[32];
        hmac.doFinal(mac, 0);
        Path reference = dir.resolve("keys/subjects/" + HexFormat.of().formatHex(mac));
        assertEquals(List.of(subjectKeyId), Files.readAllLines(reference));
    }
}
