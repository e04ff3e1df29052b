package org.consentrecorder.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class OggCrcTest {

    /** Bit by bit from the definition: polynomial 0x04C11DB7, MSB first, initial value 0, no final XOR. */
    private static int bitwise(byte[] data) {
        int r = 0;
        for (byte b : data) {
            r ^= (b & 0xff) << 24;
            for (int i = 0; i < 8; i++) {
                r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04C11DB7 : r << 1;
            }
        }
        return r;
    }

    @Test
    void theCheckValueOfTheUnreflectedCrcWithZeroInitIs0x89A1897F() {
        // CRC-32/CKSUM (same polynomial and init, final XOR 0xFFFFFFFF) has check value 0x765E7680; without the
        // final XOR that is 0x89A1897F
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x89A1897F, OggCrc.update(0, check, 0, check.length));
        assertEquals(0x89A1897F, bitwise(check));
        CRC32 zip = new CRC32();
        zip.update(check);
        assertNotEquals(0x89A1897FL, zip.getValue(), "java.util.zip.CRC32 is a different CRC");
    }

    @Test
    void theTableMatchesTheBitwiseDefinitionAndCanBeComputedInPieces() {
        Random random = new Random(42);
        for (int n : new int[] {0, 1, 27, 255, 4096}) {
            byte[] data = new byte[n];
            random.nextBytes(data);
            assertEquals(bitwise(data), OggCrc.update(0, data, 0, n));
            int split = n / 3;
            assertEquals(bitwise(data), OggCrc.update(OggCrc.update(0, data, 0, split), data, split, n - split));
        }
    }

    @Test
    void everyPageWrittenByLibOggCarriesTheCrcThisComputes() throws IOException {
        byte[] file = fixture("opusenc-1000hz-8k-mono.opus");
        int pages = 0;
        int pos = 0;
        while (pos < file.length) {
            assertEquals("OggS", new String(file, pos, 4, StandardCharsets.US_ASCII));
            int segments = file[pos + 26] & 0xff;
            int length = 27 + segments;
            for (int i = 0; i < segments; i++) {
                length += file[pos + 27 + i] & 0xff;
            }
            byte[] page = Arrays.copyOfRange(file, pos, pos + length);
            long stored = LittleEndian.u32(page, 22);
            page[22] = page[23] = page[24] = page[25] = 0;
            assertEquals(stored, OggCrc.update(0, page, 0, page.length) & 0xffffffffL, "page " + pages);
            assertEquals(stored, bitwise(page) & 0xffffffffL, "page " + pages);
            pos += length;
            pages++;
        }
        assertTrue(pages >= 3, "headers and audio pages");
    }

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = OggCrcTest.class.getResourceAsStream("/audio/" + name)) {
            if (in == null) {
                throw new IOException("missing test fixture " + name);
            }
            return in.readAllBytes();
        }
    }
}
