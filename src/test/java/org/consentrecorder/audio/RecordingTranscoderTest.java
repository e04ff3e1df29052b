package org.consentrecorder.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class RecordingTranscoderTest {

    private static final short[] SOURCE = OggOpusRoundTripTest.speechLikeNoise(AudioFormat.STEREO_8K, 8000 * 2 + 5, 3);
    private static final byte[] WAV = AudioTestSupport.asteriskWav(AudioFormat.STEREO_8K, SOURCE);

    private static EncodedRecording transcode(Codec codec, byte[] wav, ByteArrayOutputStream out) throws IOException {
        return new RecordingTranscoder(CodecSettings.of(codec)).transcode(new ByteArrayInputStream(wav), out);
    }

    @Test
    void everyCodecKeepsTheSourcesEvidenceAndSaysWhatItStored() throws Exception {
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(WAV);
        for (Codec codec : Codec.values()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            EncodedRecording recording = transcode(codec, WAV, out);
            assertEquals(new SourceAudio(AudioFormat.STEREO_8K, 16005, sha, WAV.length, true), recording.source());
            assertEquals(codec, recording.parameters().codec());
            assertEquals(AudioFormat.STEREO_8K, recording.parameters().format());
            assertEquals(out.size(), recording.storedBytes());
        }
        ByteArrayOutputStream opus = new ByteArrayOutputStream();
        assertEquals("codec=opus rate=8000 channels=2 bitrate=32000 complexity=5 frame=20ms preskip=312",
                transcode(Codec.OPUS, WAV, opus).parameters().toText());
    }

    @Test
    void wavIsStoredByteForByte() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        transcode(Codec.WAV, WAV, out);
        assertArrayEquals(WAV, out.toByteArray());
    }

    @Test
    void aSourceWhoseHeaderWasNeverFinishedIsStoredAsOpusOrWavButNotALaw() throws IOException {
        byte[] unfinished = AudioTestSupport.asteriskWav(AudioFormat.STEREO_8K, SOURCE, 0, 0);
        ByteArrayOutputStream opus = new ByteArrayOutputStream();
        EncodedRecording recording = transcode(Codec.OPUS, unfinished, opus);
        assertFalse(recording.source().headerComplete());
        assertEquals(16005, recording.source().frames());
        assertEquals(16005 * 2, AudioTestSupport.decodeOpus(opus.toByteArray()).length);

        ByteArrayOutputStream wav = new ByteArrayOutputStream();
        assertFalse(transcode(Codec.WAV, unfinished, wav).source().headerComplete());
        assertArrayEquals(unfinished, wav.toByteArray());

        String reason = assertThrows(InvalidAudioException.class,
                () -> transcode(Codec.ALAW, unfinished, new ByteArrayOutputStream())).getMessage();
        assertTrue(reason.contains("alaw needs it"), reason);
    }

    @Test
    void aSourceThatIsNotAsteriskPcmIsRefused() throws IOException {
        ByteArrayOutputStream alaw = new ByteArrayOutputStream();
        transcode(Codec.ALAW, WAV, alaw);
        for (Codec codec : Codec.values()) {
            String reason = assertThrows(InvalidAudioException.class,
                    () -> transcode(codec, alaw.toByteArray(), new ByteArrayOutputStream())).getMessage();
            assertTrue(reason.contains("not 16-bit PCM"), reason);
        }
        assertThrows(InvalidAudioException.class,
                () -> transcode(Codec.OPUS, new byte[] {1, 2, 3}, new ByteArrayOutputStream()));
    }
}
