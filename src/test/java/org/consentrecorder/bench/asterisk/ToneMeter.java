package org.consentrecorder.bench.asterisk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * How long a tone lasts in a recording: the Goertzel filter's power at the tone's frequency in
 * 10 ms windows, compared with the window's total power. A window counts when the tone carries
 * most of its energy and the window is not silence. Resolution: 10 ms.
 */
final class ToneMeter {
    private static final int WINDOW_MS = 10;

    private ToneMeter() {
    }

    /** Milliseconds of {@code hz} in a 16-bit PCM mono WAV. */
    static double toneMillis(byte[] wav, int hz) {
        ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        int rate = b.getInt(24);
        int dataStart = dataChunk(b);
        int samples = (wav.length - dataStart) / 2;
        int n = rate * WINDOW_MS / 1000;
        double coeff = 2 * Math.cos(2 * Math.PI * hz / rate);
        int windows = 0;
        for (int start = 0; start + n <= samples; start += n) {
            double s1 = 0;
            double s2 = 0;
            double energy = 0;
            for (int i = 0; i < n; i++) {
                double x = b.getShort(dataStart + 2 * (start + i));
                double s0 = x + coeff * s1 - s2;
                s2 = s1;
                s1 = s0;
                energy += x * x;
            }
            double power = s1 * s1 + s2 * s2 - coeff * s1 * s2; // |X(k)|^2
            // a pure tone of amplitude A over n samples: power ≈ (A n / 2)^2, energy ≈ A^2 n / 2
            double toneShare = energy == 0 ? 0 : (2 * power / n) / energy;
            if (energy / n > 100 * 100 && toneShare > 0.5) {
                windows++;
            }
        }
        return windows * WINDOW_MS;
    }

    private static int dataChunk(ByteBuffer b) {
        int pos = 12;
        while (pos + 8 <= b.limit()) {
            int id = b.order(ByteOrder.BIG_ENDIAN).getInt(pos);
            int size = b.order(ByteOrder.LITTLE_ENDIAN).getInt(pos + 4);
            if (id == 0x64617461) { // "data"
                return pos + 8;
            }
            pos += 8 + size + (size & 1);
        }
        throw new IllegalArgumentException("no data chunk");
    }
}
