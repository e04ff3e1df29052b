package org.consentrecorder.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A stereo call's two legs (two mono WAV files as the snoop channels write them) stored as one stereo recording:
 * aligned by the legs' start offset in whole 20 ms frames, interleaved caller left, heard right, in every codec.
 */
class StereoInterleaverTest {
    private static final int RATE = 8000;
    private static final int FRAME = 160;

    /** Line noise with a 1 kHz burst of 40 ms starting at sample {@code at}. */
    static short[] legWithMarker(int frames, int at, long seed) {
        short[] s = new short[frames];
        Random r = new Random(seed);
        for (int i = 0; i < frames; i++) {
            s[i] = (short) (r.nextGaussian() * 60);
        }
        short[] burst = AudioTestSupport.tone(RATE, 1000, 320, 12000);
        for (int i = 0; i < burst.length && at + i < frames; i++) {
            s[at + i] += burst[i];
        }
        return s;
    }

    /** The first sample of a channel louder than the marker's threshold. */
    static int onset(short[] interleaved, int channel) {
        for (int i = 0; 2 * i + channel < interleaved.length; i++) {
            if (Math.abs(interleaved[2 * i + channel]) > 4000) {
                return i;
            }
        }
        throw new AssertionError("no marker on channel " + channel);
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return java.security.MessageDigest.getInstance("SHA-256").digest(b);
    }

    private static byte[] wav(short[] mono) {
        return AudioTestSupport.asteriskWav(AudioFormat.MONO_8K, mono);
    }

    @Test
    void theOffsetIsRoundedToWholeFramesAndPadsTheLegThatStartedLater() throws Exception {
        assertEquals(new StereoAlignment(0, 0), StereoAlignment.of(null, RATE), "unknown: both start together");
        assertEquals(new StereoAlignment(0, 0), StereoAlignment.of(9L, RATE));
        assertEquals(new StereoAlignment(0, FRAME), StereoAlignment.of(10L, RATE));
        assertEquals(new StereoAlignment(0, 2 * FRAME), StereoAlignment.of(47L, RATE));
        assertEquals(new StereoAlignment(2 * FRAME, 0), StereoAlignment.of(-47L, RATE));
        assertEquals(new StereoAlignment(0, 2 * 320), StereoAlignment.of(40L, 16000));
        InvalidAudioException far = assertThrows(InvalidAudioException.class, () -> StereoAlignment.of(60_001L, RATE));
        assertTrue(far.getMessage().contains("60001 ms apart"), far.getMessage());
    }

    @Test
    void theLegsAreInterleavedLeftAndRight_theLaterOnePadded_theShorterOneFollowedBySilence() throws Exception {
        short[] in = {1, 2, 3, 4, 5};
        short[] out = {-1, -2};
        StereoInterleaver legs = StereoInterleaver.open(new ByteArrayInputStream(wav(in)),
                new ByteArrayInputStream(wav(out)), new StereoAlignment(0, 2));
        assertEquals(AudioFormat.STEREO_8K, legs.format());
        assertEquals(5, legs.declaredFrames());
        short[] all = AudioTestSupport.decodeAll(legs);
        assertArrayEquals(new short[] {1, 0, 2, 0, 3, -1, 4, -2, 5, 0}, all);
        StereoSource src = legs.finish();
        assertEquals(5, src.frames());
        assertArrayEquals(sha256(wav(in)), src.in().sha256(), "each leg's file is evidence of its own");
        assertArrayEquals(sha256(wav(out)), src.out().sha256());

        StereoInterleaver longer = StereoInterleaver.open(new ByteArrayInputStream(wav(in)),
                new ByteArrayInputStream(wav(out)), new StereoAlignment(4, 0));
        assertArrayEquals(new short[] {0, -1, 0, -2, 0, 0, 0, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0},
                AudioTestSupport.decodeAll(longer));
        assertEquals(9, longer.finish().frames());
    }

    @Test
    void aLegThatIsNotAMonoPcmWavIsRefusedWithWhichLegItIs() {
        short[] two = {1, 2, 3, 4};
        InvalidAudioException e = assertThrows(InvalidAudioException.class, () -> StereoInterleaver.open(
                new ByteArrayInputStream(wav(two)),
                new ByteArrayInputStream(AudioTestSupport.asteriskWav(AudioFormat.STEREO_8K, two)),
                new StereoAlignment(0, 0)));
        assertTrue(e.getMessage().contains("second leg"), e.getMessage());
    }

    /**
     * A marker said at one instant is heard at once on both legs (the caller says it, the snoop on the caller's
     * side hears it; the far end echoes it back at the same instant); the legs started 47 ms apart, so the marker
     * is at different offsets in the two files. Stored in each codec and decoded, it lands on the same sample in
     * both channels, within one frame.
     */
    @Test
    void aMarkerAtOneInstantLandsOnTheSameSampleInBothChannelsWithinOneFrame_inEveryCodec() throws Exception {
        int instantInFirstLeg = 2 * RATE + 77;
        long outStartedLaterMs = 47;
        int instantInSecondLeg = instantInFirstLeg - (int) (outStartedLaterMs * RATE / 1000);
        byte[] in = wav(legWithMarker(4 * RATE, instantInFirstLeg, 1));
        byte[] out = wav(legWithMarker(4 * RATE - 376, instantInSecondLeg, 2));
        for (Codec codec : Codec.values()) {
            ByteArrayOutputStream stored = new ByteArrayOutputStream();
            EncodedRecording e = new RecordingTranscoder(CodecSettings.of(codec)).transcodeStereo(
                    new ByteArrayInputStream(in), new ByteArrayInputStream(out),
                    outStartedLaterMs, stored);
            assertEquals(AudioFormat.STEREO_8K, e.parameters().format(), codec.setting());
            assertEquals(4 * RATE, e.source().frames(), codec + ": the longer padded leg");
            assertArrayEquals(sha256(in), e.source().sha256(), codec.setting());
            assertArrayEquals(sha256(out), e.stereo().out().sha256(), codec.setting());
            short[] decoded = codec == Codec.OPUS ? AudioTestSupport.decodeOpus(stored.toByteArray())
                    : AudioTestSupport.decodeAll(WavReader.open(new ByteArrayInputStream(stored.toByteArray())));
            assertEquals(2L * e.source().frames(), decoded.length, codec.setting());
            int left = onset(decoded, 0);
            int right = onset(decoded, 1);
            assertTrue(Math.abs(left - instantInFirstLeg) <= 2, codec + ": left marker at " + left);
            assertTrue(Math.abs(left - right) <= FRAME, codec + ": the channels are " + (left - right)
                    + " samples apart, more than one frame");
            VerifiedAudio v = StoredAudioVerifier.verify(new ByteArrayInputStream(stored.toByteArray()),
                    e.parameters(), e.source().frames(), e.source().sha256());
            assertEquals(e.source().frames(), v.frames(), codec.setting());
        }
    }

    @Test
    void withoutTheAlignmentTheSameLegsWouldBeMoreThanAFrameApart() throws Exception {
        // the guard on the test above: the offset matters, the marker placement is not aligned by accident
        int instant = 2 * RATE + 77;
        byte[] in = wav(legWithMarker(4 * RATE, instant, 1));
        byte[] out = wav(legWithMarker(4 * RATE - 376, instant - 376, 2));
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        new RecordingTranscoder(CodecSettings.of(Codec.WAV)).transcodeStereo(new ByteArrayInputStream(in),
                new ByteArrayInputStream(out), null, stored);
        short[] decoded = AudioTestSupport.decodeAll(WavReader.open(new ByteArrayInputStream(stored.toByteArray())));
        assertTrue(Math.abs(onset(decoded, 0) - onset(decoded, 1)) > FRAME);
    }

    @Test
    void aStoredStereoCopyOfAnotherLengthIsRefused() throws Exception {
        byte[] in = wav(legWithMarker(RATE, 100, 1));
        byte[] out = wav(legWithMarker(RATE, 100, 2));
        for (Codec codec : Codec.values()) {
            ByteArrayOutputStream stored = new ByteArrayOutputStream();
            EncodedRecording e = new RecordingTranscoder(CodecSettings.of(codec)).transcodeStereo(
                    new ByteArrayInputStream(in), new ByteArrayInputStream(out), 20L, stored);
            assertThrows(InvalidAudioException.class, () -> StoredAudioVerifier.verify(
                    new ByteArrayInputStream(stored.toByteArray()), e.parameters(), e.source().frames() - FRAME,
                    e.source().sha256()), codec.setting());
        }
    }

    @Test
    void alawAndWavNeedBothLegsLengths() throws Exception {
        byte[] unfinished = AudioTestSupport.asteriskWav(AudioFormat.MONO_8K, new short[] {1, 2, 3}, 0, 0);
        for (Codec codec : new Codec[] {Codec.ALAW, Codec.WAV}) {
            InvalidAudioException e = assertThrows(InvalidAudioException.class, () ->
                    new RecordingTranscoder(CodecSettings.of(codec)).transcodeStereo(
                            new ByteArrayInputStream(wav(new short[] {1, 2})), new ByteArrayInputStream(unfinished),
                            0L, new ByteArrayOutputStream()));
            assertTrue(e.getMessage().contains("header has no length"), e.getMessage());
        }
    }
}
