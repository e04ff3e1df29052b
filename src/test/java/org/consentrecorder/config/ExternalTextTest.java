package org.consentrecorder.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ExternalTextTest {

    @Test
    void forLog_escapesEveryLineBreakAndControlCharacter() {
        assertEquals("a\\r\\nINFO forged", ExternalText.forLog("a\r\nINFO forged"));
        assertEquals("nul\\u0000 esc\\u001b[31m del\\u007f nel\\u0085 ls\\u2028 ps\\u2029 tab\\t",
                ExternalText.forLog("nul\u0000 esc\u001b[31m del\u007f nel\u0085 ls\u2028 ps\u2029 tab\t"));
        assertEquals("lone \\ud800 and \\udc00, pair \uD83D\uDE00", ExternalText.forLog("lone \uD800 and \uDC00, pair \uD83D\uDE00"));
        assertEquals("null", ExternalText.forLog(null));
        assertEquals("caf\u00e9 \u4e2d", ExternalText.forLog("caf\u00e9 \u4e2d"), "printable text is left alone");
    }

    @Test
    void forLog_boundsTheLength() {
        String out = ExternalText.forLog("x".repeat(10_000));
        assertEquals("x".repeat(ExternalText.LOG_MAX) + "...", out);
        assertEquals("x".repeat(ExternalText.LOG_MAX), ExternalText.forLog("x".repeat(ExternalText.LOG_MAX)));
        String newlines = ExternalText.forLog("\n".repeat(10_000));
        assertTrue(newlines.length() <= ExternalText.LOG_MAX + 8, newlines.length() + "");
        assertFalse(newlines.contains("\n"));
    }

    @Test
    void bounded_replacesControlsAndBrokenSurrogatesAndCapsWithoutSplittingAPair() {
        assertEquals("a\uFFFDb\uFFFD\uFFFDc", ExternalText.bounded("a\u0000b\r\nc", 100));
        assertEquals("\uFFFDx\uFFFD", ExternalText.bounded("\uD800x\uDC00", 100));
        assertEquals("ab", ExternalText.bounded("ab\uD83D\uDE00", 3), "a pair is kept whole or not at all");
        assertEquals("ab\uD83D\uDE00", ExternalText.bounded("ab\uD83D\uDE00c", 4));
        assertEquals(80, ExternalText.bounded("y".repeat(10_000), 80).length());
        assertNull(ExternalText.bounded(null, 10));
        String clean = "+44 20 7946 0123";
        assertSame(clean, ExternalText.bounded(clean, 80), "nothing to change, nothing copied");
        // what comes out always encodes as UTF-8 and back unchanged: PostgreSQL takes it
        String out = ExternalText.bounded("\u0000\uD800\uDFFF\uDBFF" + "z".repeat(50), 40);
        assertEquals(out, new String(out.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        assertFalse(out.chars().anyMatch(c -> c < 0x20));
    }
}
