package org.consentrecorder.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recording larger than the heap streams through: 9 minutes of stereo WAV (17.3 MB) is read, hashed and encoded to
 * Ogg Opus, then verified, in a JVM with {@code -Xmx16m} (the {@code audio-small-heap} Surefire execution).
 */
class LongRecordingTranscodeTest {

    private static final int RATE = 8000;
    private static final long FRAMES = 9L * 60 * RATE;
    /**
     * One second, repeated: 100 ms of the caller's 697 Hz on the left and the agent's 1477 Hz on the right, then line
     * noise only (mostly quiet, like a call, and quick to encode: the test is about memory, not content).
     */
    private static final short[] TONES = AudioTestSupport.stereo(burst(697), burst(1477));

    private static short[] burst(double hz) {
        short[] second = new short[RATE];
        System.arraycopy(AudioTestSupport.tone(RATE, hz, RATE / 10, 6000), 0, second, 0, RATE / 10);
        return second;
    }

    /** A WAV file made up as it is read: a finished Asterisk header, then two tones with a little noise. */
    private static final class GeneratedWav extends InputStream {
        private final byte[] header;
        private final long length;
        private final MessageDigest digest;
        private long position;
        private int noise = 0x2545F491;

        GeneratedWav() throws Exception {
            header = AudioTestSupport.asteriskWav(AudioFormat.STEREO_8K, new short[0], 36 + FRAMES * 4, FRAMES * 4);
            length = header.length + FRAMES * 4;
            digest = MessageDigest.getInstance("SHA-256");
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= length) {
                return -1;
            }
            int n = (int) Math.min(len, length - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = byteAt(position + i);
            }
            digest.update(b, off, n);
            position += n;
            return n;
        }

        private byte byteAt(long pos) {
            if (pos < header.length) {
                return header[(int) pos];
            }
            long sampleIndex = (pos - header.length) / 2;
            if ((pos - header.length) % 2 == 1) {
                return (byte) (currentSample >> 8);
            }
            noise ^= noise << 13;
            noise ^= noise >>> 17;
            noise ^= noise << 5;
            currentSample = (short) (TONES[(int) (sampleIndex % TONES.length)] + noise % 60);
            return (byte) currentSample;
        }

        private short currentSample;
    }

    @Test
    void aStereoRecordingLargerThanTheHeapStreamsThrough(@TempDir Path dir) throws Exception {
        long maxHeap = Runtime.getRuntime().maxMemory();
        GeneratedWav source = new GeneratedWav();
        assertTrue(source.length > maxHeap, "the source (" + source.length + " bytes) must not fit in the heap ("
                + maxHeap + ")");
        Path stored = dir.resolve("recording.opus");
        EncodedRecording recording;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(stored))) {
            recording = new RecordingTranscoder(CodecSettings.defaults()).transcode(source, out);
        }
        assertEquals(FRAMES, recording.source().frames());
        assertEquals(source.length, recording.source().sourceBytes());
        assertEquals(HexFormat.of().formatHex(source.digest.digest()), recording.source().sha256Hex());
        assertEquals(Files.size(stored), recording.storedBytes());
        assertTrue(recording.storedBytes() < 16_000_000 * 9 / 60, "9 minutes of stereo Opus: "
                + recording.storedBytes() + " bytes");
        try (InputStream in = new BufferedInputStream(Files.newInputStream(stored))) {
            VerifiedAudio verified = StoredAudioVerifier.verify(in, recording.parameters(),
                    recording.source().frames(), recording.source().sha256());
            assertEquals(FRAMES, verified.frames());
        }
    }
}
