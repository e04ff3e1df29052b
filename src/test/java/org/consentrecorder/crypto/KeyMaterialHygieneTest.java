package org.consentrecorder.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KeyMaterialHygieneTest {

    @Test
    void keysPrintNoBytesAndAreZeroedWhenDestroyed() {
        DataKey key = DataKey.generate();
        byte[] live = key.bytes();
        String hex = HexFormat.of().formatHex(live);
        assertEquals("DataKey[redacted]", key.toString());
        assertFalse(key.toString().contains(hex.substring(0, 6)));

        key.destroy();
        assertTrue(key.isDestroyed());
        assertArrayEquals(new byte[32], live, "the key array itself is wiped");
        assertEquals("DataKey[redacted, destroyed]", key.toString());
        assertThrows(IllegalStateException.class, key::exportBytes);
    }

    @Test
    void keysAreCopiedInAndOut() {
        byte[] raw = KeyTestSupport.keyBytes(1);
        DataKey key = DataKey.fromBytes(raw);
        raw[0] ^= 1;
        byte[] exported = key.exportBytes();
        exported[1] ^= 1;
        assertArrayEquals(KeyTestSupport.keyBytes(1), key.exportBytes());
    }

    @Test
    void wrongKeyLengthIsRefusedWithoutEchoingBytes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataKey.fromBytes(new byte[16]));
        assertEquals("DataKey must be 32 bytes, got 16 bytes", e.getMessage());
    }

    @Test
    void freshKeysDiffer() {
        try (DataKey a = DataKey.generate(); DataKey b = DataKey.generate()) {
            assertFalse(java.util.Arrays.equals(a.bytes(), b.bytes()));
        }
    }
}
