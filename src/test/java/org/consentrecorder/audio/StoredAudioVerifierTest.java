package org.consentrecorder.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the archive checks before deleting Asterisk's copy: a damaged or wrong-length stored object is refused. */
class StoredAudioVerifierTest {

    private static final int FRAMES = 8000 * 6 + 123;
    private static final short[] SOURCE = OggOpusRoundTripTest.speechLikeNoise(AudioFormat.MONO_8K, FRAMES, 11);
    private static final byte[] SOURCE_WAV = AudioTestSupport.asteriskWav(AudioFormat.MONO_8K, SOURCE);

    private static EncodedRecording store(Codec codec, ByteArrayOutputStream stored) throws IOException {
        return new RecordingTranscoder(CodecSettings.of(codec)).transcode(new ByteArrayInputStream(SOURCE_WAV),
                stored);
    }

    private static VerifiedAudio verify(byte[] stored, EncodedRecording recording) throws IOException {
        return StoredAudioVerifier.verify(new ByteArrayInputStream(stored), recording.parameters(),
                recording.source().frames(), recording.source().sha256());
    }

    private static String refusal(byte[] stored, EncodedRecording recording) {
        return assertThrows(InvalidAudioException.class, () -> verify(stored, recording)).getMessage();
    }

    /** Start offsets of the Ogg pages in {@code ogg}, and its length at the end. */
    private static List<Integer> pageOffsets(byte[] ogg) {
        List<Integer> offsets = new ArrayList<>();
        int pos = 0;
        while (pos < ogg.length) {
            offsets.add(pos);
            int segments = ogg[pos + 26] & 0xff;
            int length = 27 + segments;
            for (int i = 0; i < segments; i++) {
                length += ogg[pos + 27 + i] & 0xff;
            }
            pos += length;
        }
        offsets.add(pos);
        return offsets;
    }

    /** Recomputes the CRC of the page at {@code offset} after a deliberate change, so only the change is seen. */
    private static void resealPage(byte[] ogg, int offset, int end) {
        ogg[offset + 22] = ogg[offset + 23] = ogg[offset + 24] = ogg[offset + 25] = 0;
        LittleEndian.putU32(ogg, offset + 22, OggCrc.update(0, ogg, offset, end - offset) & 0xffffffffL);
    }

    @Test
    void everyCodecsStoredFormVerifiesAgainstTheSource() throws IOException {
        for (Codec codec : Codec.values()) {
            ByteArrayOutputStream stored = new ByteArrayOutputStream();
            EncodedRecording recording = store(codec, stored);
            assertEquals(FRAMES, recording.source().frames());
            assertEquals(stored.size(), recording.storedBytes());
            VerifiedAudio verified = verify(stored.toByteArray(), recording);
            assertEquals(FRAMES, verified.frames(), codec.setting());
            assertEquals(stored.size(), verified.storedBytes(), codec.setting());
        }
    }

    @Test
    void aTruncatedOpusObjectIsRefusedWhereverItIsCut() throws IOException {
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        EncodedRecording recording = store(Codec.OPUS, stored);
        byte[] ogg = stored.toByteArray();
        List<Integer> pages = pageOffsets(ogg);
        List<Integer> cuts = new ArrayList<>(pages.subList(0, pages.size() - 1)); // at every page boundary
        for (int cut = 1; cut < ogg.length; cut += 151) {
            cuts.add(cut);
        }
        cuts.add(ogg.length - 1);
        for (int cut : cuts) {
            String reason = refusal(Arrays.copyOf(ogg, cut), recording);
            assertTrue(reason.contains("truncated") || reason.contains("ends early")
                    || reason.contains("without an end-of-stream page"), "cut at " + cut + ": " + reason);
        }
    }

    @Test
    void aSingleFlippedBitAnywhereIsRefused() throws IOException {
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        EncodedRecording recording = store(Codec.OPUS, stored);
        byte[] ogg = stored.toByteArray();
        for (int pos = 0; pos < ogg.length; pos += 29) {
            byte[] damaged = ogg.clone();
            damaged[pos] ^= (byte) (1 << (pos % 8));
            String reason = refusal(damaged, recording);
            assertTrue(!reason.isBlank(), "flip at " + pos);
        }
        byte[] damaged = ogg.clone();
        damaged[ogg.length / 2] ^= 0x10;
        assertTrue(refusal(damaged, recording).contains("CRC"));
    }

    @Test
    void aMissingEndOfStreamPageIsRefused() throws IOException {
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        EncodedRecording recording = store(Codec.OPUS, stored);
        byte[] ogg = stored.toByteArray();
        List<Integer> pages = pageOffsets(ogg);
        int last = pages.get(pages.size() - 2);
        // the last page dropped entirely
        assertTrue(refusal(Arrays.copyOf(ogg, last), recording).contains("without an end-of-stream page"));
        // the last page kept, its end-of-stream flag cleared (as a writer that never finished leaves it)
        byte[] noEos = ogg.clone();
        noEos[last + 5] &= ~0x04;
        resealPage(noEos, last, ogg.length);
        String reason = refusal(noEos, recording);
        // the end-trimmed granule position of a page that no longer ends the stream is refused before the end
        assertTrue(reason.contains("without an end-of-stream page") || reason.contains("granule position"), reason);
    }

    @Test
    void wrongGranulePositionsAreRefused() throws IOException {
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        EncodedRecording recording = store(Codec.OPUS, stored);
        byte[] ogg = stored.toByteArray();
        List<Integer> pages = pageOffsets(ogg);

        byte[] middle = ogg.clone(); // an audio page in the middle claims one packet more
        int third = pages.get(3);
        LittleEndian.putS64(middle, third + 6, LittleEndian.s64(ogg, third + 6) + 960);
        resealPage(middle, third, pages.get(4));
        assertTrue(refusal(middle, recording).contains("granule position"), refusal(middle, recording));

        int last = pages.get(pages.size() - 2);
        byte[] beyond = ogg.clone(); // the last page claims more samples than its packets hold
        LittleEndian.putS64(beyond, last + 6, LittleEndian.s64(ogg, last + 6) + 2000 * 6);
        resealPage(beyond, last, ogg.length);
        assertTrue(refusal(beyond, recording).contains("granule position"), refusal(beyond, recording));

        byte[] shorter = ogg.clone(); // a valid stream, 12.5 ms shorter than the source (trimmed within its last page)
        LittleEndian.putS64(shorter, last + 6, LittleEndian.s64(ogg, last + 6) - 100 * 6);
        resealPage(shorter, last, ogg.length);
        String reason = refusal(shorter, recording);
        assertTrue(reason.contains("decodes to " + (FRAMES - 100) + " frames") && reason.contains("source has "
                + FRAMES), reason);

        byte[] beforeEarlierPages = ogg.clone(); // trimming into the page before: not a valid end trim
        LittleEndian.putS64(beforeEarlierPages, last + 6, LittleEndian.s64(ogg, last + 6) - 320 * 6);
        resealPage(beforeEarlierPages, last, ogg.length);
        reason = refusal(beforeEarlierPages, recording);
        assertTrue(reason.contains("before the end of the page before it"), reason);
    }

    @Test
    void aMissingPageOrBytesAfterTheEndAreRefused() throws IOException {
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        EncodedRecording recording = store(Codec.OPUS, stored);
        byte[] ogg = stored.toByteArray();
        List<Integer> pages = pageOffsets(ogg);
        ByteArrayOutputStream gap = new ByteArrayOutputStream();
        gap.write(ogg, 0, pages.get(3));
        gap.write(ogg, pages.get(4), ogg.length - pages.get(4));
        assertTrue(refusal(gap.toByteArray(), recording).contains("pages are missing"));

        byte[] appended = Arrays.copyOf(ogg, ogg.length + 1);
        assertTrue(refusal(appended, recording).contains("after the end-of-stream page"));
        ByteArrayOutputStream chained = new ByteArrayOutputStream();
        chained.writeBytes(ogg);
        chained.writeBytes(ogg);
        assertTrue(refusal(chained.toByteArray(), recording).contains("after the end-of-stream page"));
    }

    @Test
    void aWrongDurationOrOtherParametersAreRefusedWithTheReason() throws IOException {
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        EncodedRecording recording = store(Codec.OPUS, stored);
        byte[] ogg = stored.toByteArray();
        String reason = assertThrows(InvalidAudioException.class, () -> StoredAudioVerifier.verify(
                new ByteArrayInputStream(ogg), recording.parameters(), FRAMES + 1, recording.source().sha256()))
                .getMessage();
        assertEquals("the stored recording decodes to " + FRAMES + " frames (6015 ms), the source has " + (FRAMES + 1)
                + " (6015 ms)", reason);
        EncodingParameters stereo = EncodingParameters.opus(AudioFormat.STEREO_8K, 32000, 5, 312);
        reason = assertThrows(InvalidAudioException.class, () -> StoredAudioVerifier.verify(
                new ByteArrayInputStream(ogg), stereo, FRAMES, recording.source().sha256())).getMessage();
        assertTrue(reason.contains("8000 Hz mono") && reason.contains("8000 Hz stereo"), reason);
        reason = assertThrows(InvalidAudioException.class, () -> StoredAudioVerifier.verify(
                new ByteArrayInputStream(ogg), EncodingParameters.wav(AudioFormat.MONO_8K), FRAMES,
                recording.source().sha256())).getMessage();
        assertTrue(reason.contains("RIFF"), reason);
    }

    @Test
    void aWavObjectMustBeTheSourceByteForByte() throws IOException {
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        EncodedRecording recording = store(Codec.WAV, stored);
        assertArrayEquals(SOURCE_WAV, stored.toByteArray());
        byte[] damaged = stored.toByteArray();
        damaged[1000] ^= 1;
        assertTrue(refusal(damaged, recording).contains("SHA-256"));
        assertTrue(refusal(Arrays.copyOf(SOURCE_WAV, SOURCE_WAV.length - 2), recording).contains("truncated"));
    }

    @Test
    void aTruncatedOrWrongLengthALawObjectIsRefused() throws IOException {
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        EncodedRecording recording = store(Codec.ALAW, stored);
        byte[] alaw = stored.toByteArray();
        assertEquals(58 + FRAMES + 1, alaw.length);
        assertTrue(refusal(Arrays.copyOf(alaw, alaw.length - 100), recording).contains("truncated"));
        String reason = assertThrows(InvalidAudioException.class, () -> StoredAudioVerifier.verify(
                new ByteArrayInputStream(alaw), recording.parameters(), FRAMES - 1, recording.source().sha256()))
                .getMessage();
        assertTrue(reason.contains("decodes to " + FRAMES), reason);
    }
}
