package org.consentrecorder.archive;

import io.vertx.core.buffer.Buffer;

/**
 * The first 44 bytes of a WAV file, for its exact length: RecordingFinished reports whole
 * seconds only (a 4.5 s file says 4). Fed the stream as it passes; never holds more than the header.
 */
final class WavHeader {
    private final byte[] head = new byte[44];
    private int filled;

    void take(Buffer b) {
        int n = Math.min(head.length - filled, b.length());
        if (n > 0) {
            b.getBytes(0, n, head, filled);
            filled += n;
        }
    }

    /** Milliseconds of audio in a file of {@code fileBytes}, or null when the header is not a WAV one. */
    Long durationMs(long fileBytes) {
        if (filled < head.length || head[0] != 'R' || head[1] != 'I' || head[8] != 'W') {
            return null;
        }
        long byteRate = (head[28] & 0xFFL) | (head[29] & 0xFFL) << 8 | (head[30] & 0xFFL) << 16 | (head[31] & 0xFFL) << 24;
        return byteRate <= 0 ? null : (fileBytes - 44) * 1000 / byteRate;
    }
}
