package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** RFC 6238 Appendix B (SHA-1 seed, 8 digits) and the rules this project adds on top. */
class TotpTest {
    private static final byte[] SEED = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

    @Test
    void rfc6238AppendixB_sha1Vectors() {
        long[] times = {59L, 1111111109L, 1111111111L, 1234567890L, 2000000000L, 20000000000L};
        String[] expected = {"94287082", "07081804", "14050471", "89005924", "69279037", "65353130"};
        for (int i = 0; i < times.length; i++) {
            assertEquals(expected[i], Totp.code(SEED, Totp.step(times[i]), 8, "HmacSHA1"), "T=" + times[i]);
        }
    }

    @Test
    void sixDigitCodes_areTheLowDigitsOfTheSameValue() {
        assertEquals("287082", Totp.code(SEED, Totp.step(59)));
        assertEquals("081804", Totp.code(SEED, Totp.step(1111111109L)));
    }

    @Test
    void acceptsDriftOfOneStep_refusesReuseAndOlderCodes() {
        long t = 1111111111L;
        long step = Totp.step(t);
        String now = Totp.code(SEED, step);
        assertEquals(step, Totp.accept(SEED, now, t, -1).getAsLong());
        assertFalse(Totp.accept(SEED, now, t, step).isPresent(), "a code already used in its window is refused");
        assertTrue(Totp.accept(SEED, Totp.code(SEED, step - 1), t, -1).isPresent());
        assertFalse(Totp.accept(SEED, Totp.code(SEED, step - 2), t, -1).isPresent());
        assertFalse(Totp.accept(SEED, Totp.code(SEED, step - 1), t, step).isPresent(), "older than the last used");
        assertFalse(Totp.accept(SEED, "12345a", t, -1).isPresent());
        assertFalse(Totp.accept(SEED, "1234567", t, -1).isPresent());
    }

    @Test
    void uriCarriesBase32SecretAndParameters() {
        assertEquals("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", Totp.base32(SEED));
        String uri = Totp.uri("consent-recorder", "alice@example.org", SEED);
        assertEquals("otpauth://totp/consent-recorder:alice%40example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                + "&issuer=consent-recorder&algorithm=SHA1&digits=6&period=30", uri);
    }
}
