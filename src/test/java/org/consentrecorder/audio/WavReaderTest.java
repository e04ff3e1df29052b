package org.consentrecorder.audio;

import static org.consentrecorder.audio.AudioTestSupport.asteriskWav;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WavReaderTest {

    private static short[] noise(int samples, long seed) {
        Random random = new Random(seed);
        short[] s = new short[samples];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) random.nextInt();
        }
        return s;
    }

    private static SourceAudio readAll(byte[] file, short[] expectSamples) throws IOException {
        WavReader reader = WavReader.open(new ByteArrayInputStream(file));
        short[] got = AudioTestSupport.decodeAll(reader);
        if (expectSamples != null) {
            assertArrayEquals(expectSamples, got);
        }
        return reader.finish();
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    @Test
    void aFinishedAsteriskFileGivesItsFormatFramesSamplesAndTheHashOfEveryByte() throws Exception {
        for (AudioFormat format : new AudioFormat[] {AudioFormat.MONO_8K, new AudioFormat(16000, 1),
                AudioFormat.STEREO_8K, new AudioFormat(16000, 2)}) {
            short[] samples = noise(12_345 * format.channels(), format.sampleRate());
            byte[] file = asteriskWav(format, samples);
            WavReader reader = WavReader.open(new ByteArrayInputStream(file));
            assertEquals(format, reader.format());
            assertEquals(12_345, reader.declaredFrames());
            SourceAudio source = readAll(file, samples);
            assertEquals(format, source.format());
            assertEquals(12_345, source.frames());
            assertEquals(file.length, source.sourceBytes());
            assertArrayEquals(sha256(file), source.sha256());
            assertTrue(source.headerComplete());
        }
    }

    @Test
    void anEmptyRecordingHasNoFrames() throws Exception {
        byte[] file = asteriskWav(AudioFormat.MONO_8K, new short[0]);
        SourceAudio source = readAll(file, new short[0]);
        assertEquals(0, source.frames());
        assertTrue(source.headerComplete());
    }

    @Test
    void aHeaderWhoseSizesWereNeverFilledInIsReadToTheEndAndSaysSo() throws Exception {
        short[] samples = noise(8000, 7);
        for (long unset : new long[] {0, 0xFFFFFFFFL}) {
            byte[] file = asteriskWav(AudioFormat.MONO_8K, samples, unset, unset);
            WavReader reader = WavReader.open(new ByteArrayInputStream(file));
            assertEquals(-1, reader.declaredFrames());
            SourceAudio source = readAll(file, samples);
            assertEquals(8000, source.frames());
            assertFalse(source.headerComplete());
            assertArrayEquals(sha256(file), source.sha256());
        }
    }

    @Test
    void otherChunksBeforeAndAfterTheDataAreSkipped() throws Exception {
        short[] samples = noise(1001, 3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] plain = asteriskWav(AudioFormat.MONO_8K, samples);
        byte[] list = chunk("LIST", "INFOISFTAsterisk".getBytes(StandardCharsets.US_ASCII));
        byte[] odd = chunk("junk", new byte[] {1, 2, 3}); // odd size: a pad byte follows
        out.write(plain, 0, 36); // RIFF header and fmt chunk
        out.write(list);
        out.write(plain, 36, plain.length - 36); // data chunk
        out.write(odd);
        byte[] file = out.toByteArray();
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(4, file.length - 8);
        SourceAudio source = readAll(file, samples);
        assertEquals(1001, source.frames());
        assertEquals(file.length, source.sourceBytes());
    }

    @Test
    void aTruncatedFileIsRefused() {
        byte[] file = asteriskWav(AudioFormat.MONO_8K, noise(8000, 1));
        for (int cut : new int[] {0, 3, 11, 20, 43, 44, 45, 1000, file.length - 2, file.length - 1}) {
            byte[] truncated = Arrays.copyOf(file, cut);
            InvalidAudioException e = assertThrows(InvalidAudioException.class, () -> readAll(truncated, null),
                    "cut at " + cut);
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("not a RIFF"),
                    e.getMessage());
        }
    }

    @Test
    void staleSizesWithAudioAfterTheDataChunkAreRefused() {
        short[] samples = noise(8000, 2);
        // the header of a file still being written by a writer that updates sizes now and then
        byte[] file = asteriskWav(AudioFormat.MONO_8K, samples, 36 + 8000, 8000);
        InvalidAudioException e = assertThrows(InvalidAudioException.class, () -> readAll(file, null));
        assertTrue(e.getMessage().contains("stale"), e.getMessage());
    }

    @Test
    void aRiffSizeThatDoesNotMatchTheFileIsRefused() {
        short[] samples = noise(100, 2);
        byte[] file = asteriskWav(AudioFormat.MONO_8K, samples, 36 + 200 + 10, 200);
        InvalidAudioException e = assertThrows(InvalidAudioException.class, () -> readAll(file, null));
        assertTrue(e.getMessage().contains("RIFF size"), e.getMessage());
    }

    @Test
    void aPartialFrameIsRefused() {
        short[] samples = noise(101, 2);
        byte[] stereoOdd = asteriskWav(AudioFormat.STEREO_8K, samples, 0, 0); // 101 samples: 50.5 stereo frames
        InvalidAudioException e = assertThrows(InvalidAudioException.class, () -> readAll(stereoOdd, null));
        assertTrue(e.getMessage().contains("middle of a frame"), e.getMessage());
        byte[] declaredOdd = asteriskWav(AudioFormat.STEREO_8K, samples, 36 + 202, 202);
        e = assertThrows(InvalidAudioException.class, () -> readAll(declaredOdd, null));
        assertTrue(e.getMessage().contains("whole number"), e.getMessage());
    }

    @Test
    void otherSampleFormatsAreRefusedByName() {
        assertRefused(fmt(3, 1, 8000, 32000, 4, 32), "format tag 3");        // IEEE float
        assertRefused(fmt(1, 1, 8000, 8000, 1, 8), "8-bit");                  // 8-bit PCM
        assertRefused(fmt(1, 1, 44100, 88200, 2, 16), "sample rate 44100");
        assertRefused(fmt(1, 3, 8000, 48000, 6, 16), "3 channels");
        assertRefused(fmt(1, 1, 8000, 8000, 2, 16), "inconsistent");         // byte rate wrong
        assertRefused(fmt(1, 2, 8000, 32000, 2, 16), "inconsistent");         // block align wrong
        assertRefused("RIFX\0\0\0\0WAVE".getBytes(StandardCharsets.US_ASCII), "not a RIFF/WAVE"); // big-endian RIFF
    }

    @Test
    void chunkGarbageAndMissingFormatAreRefused() {
        byte[] noFmt = concat(riffHeader(), chunk("data", new byte[4]));
        assertRefused(noFmt, "before any 'fmt '");
        byte[] garbage = concat(riffHeader(), new byte[] {0, 1, 2, 3, 4, 5, 6, 7});
        assertRefused(garbage, "no RIFF chunk");
    }

    private static void assertRefused(byte[] fileOrFmtBody, String expected) {
        byte[] file = fileOrFmtBody.length == 16 ? concat(riffHeader(), chunk("fmt ", fileOrFmtBody),
                chunk("data", new byte[0])) : fileOrFmtBody;
        InvalidAudioException e = assertThrows(InvalidAudioException.class, () -> readAll(file, null));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static byte[] fmt(int tag, int channels, int rate, int byteRate, int blockAlign, int bits) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putShort((short) tag)
                .putShort((short) channels).putInt(rate).putInt(byteRate).putShort((short) blockAlign)
                .putShort((short) bits).array();
    }

    private static byte[] riffHeader() {
        return ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).put("RIFF".getBytes(StandardCharsets.US_ASCII))
                .putInt(0).put("WAVE".getBytes(StandardCharsets.US_ASCII)).array();
    }

    static byte[] chunk(String id, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(8 + body.length + (body.length & 1)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(id.getBytes(StandardCharsets.US_ASCII)).putInt(body.length).put(body);
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
