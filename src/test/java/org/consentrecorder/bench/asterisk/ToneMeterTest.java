package org.consentrecorder.bench.asterisk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The leak meter of the Asterisk benchmark counts what it should, on audio made here. */
class ToneMeterTest {

    /** 8 kHz mono: noise (speech stand-in), then {@code toneMs} of a tone, then noise again. */
    private static byte[] wav(int toneHz, int toneMs) {
        int rate = 8000;
        int before = rate / 2;
        int tone = rate * toneMs / 1000;
        int after = rate / 2;
        int n = before + tone + after;
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + 2 * n).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16)
                .putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2).putShort((short) 2)
                .putShort((short) 16).put("data".getBytes()).putInt(2 * n);
        Random r = new Random(7);
        for (int i = 0; i < n; i++) {
            double x = (i >= before && i < before + tone) ? 8000 * Math.sin(2 * Math.PI * toneHz * i / rate)
                    : 3000 * r.nextGaussian();
            b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(x))));
        }
        return b.array();
    }

    @Test
    void countsTheToneToTheWindowAndNothingElse() {
        byte[] audio = wav(1500, 200);
        assertEquals(200, ToneMeter.toneMillis(audio, 1500), 10);
        assertEquals(0, ToneMeter.toneMillis(audio, 2200), 0.0);
        assertEquals(0, ToneMeter.toneMillis(wav(1500, 0), 1500), 0.0);
    }
}
