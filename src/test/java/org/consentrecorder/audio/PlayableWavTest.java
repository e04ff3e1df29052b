package org.consentrecorder.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;

/** Any stored recording served as plain 16-bit WAV, of the promised length, readable by the JDK's WAV reader. */
class PlayableWavTest {

    @Test
    void opusAndALawRecordingsBecomePcmWavOfTheirExactLength() throws Exception {
        for (AudioFormat format : new AudioFormat[] {AudioFormat.MONO_8K, AudioFormat.STEREO_8K}) {
            int frames = 8000 * 3 + 7;
            short[] source = OggOpusRoundTripTest.speechLikeNoise(format, frames, 4);
            byte[] wav = AudioTestSupport.asteriskWav(format, source);
            for (Codec codec : new Codec[] {Codec.OPUS, Codec.ALAW}) {
                ByteArrayOutputStream stored = new ByteArrayOutputStream();
                EncodedRecording recording = new RecordingTranscoder(CodecSettings.of(codec))
                        .transcode(new ByteArrayInputStream(wav), stored);
                ByteArrayOutputStream played = new ByteArrayOutputStream();
                PlayableWav.write(new ByteArrayInputStream(stored.toByteArray()), recording.parameters(), frames,
                        played);
                assertEquals(PlayableWav.length(recording.parameters(), frames), played.size());
                assertEquals(44 + frames * format.bytesPerFrame(), played.size());

                AudioInputStream jdk = AudioSystem.getAudioInputStream(new ByteArrayInputStream(played.toByteArray()));
                assertEquals(javax.sound.sampled.AudioFormat.Encoding.PCM_SIGNED, jdk.getFormat().getEncoding());
                assertEquals(format.channels(), jdk.getFormat().getChannels());
                assertEquals(frames, jdk.getFrameLength());

                WavReader reader = WavReader.open(new ByteArrayInputStream(played.toByteArray()));
                short[] pcm = AudioTestSupport.decodeAll(reader);
                assertTrue(reader.finish().headerComplete());
                if (codec == Codec.ALAW) {
                    for (int i = 0; i < pcm.length; i++) {
                        assertEquals(ALaw.decode(ALaw.encode(source[i])), pcm[i]);
                    }
                } else {
                    assertArrayEquals(AudioTestSupport.decodeOpus(stored.toByteArray()), pcm);
                }
            }
        }
    }

    @Test
    void aWavRecordingIsServedAsStored() throws IOException {
        byte[] wav = AudioTestSupport.asteriskWav(AudioFormat.MONO_8K, new short[] {1, 2, 3});
        ByteArrayOutputStream played = new ByteArrayOutputStream();
        PlayableWav.write(new ByteArrayInputStream(wav), EncodingParameters.wav(AudioFormat.MONO_8K), 3, played);
        assertArrayEquals(wav, played.toByteArray());
        assertEquals(-1, PlayableWav.length(EncodingParameters.wav(AudioFormat.MONO_8K), 3));
    }

    @Test
    void aRecordingShorterOrLongerThanRecordedStopsWithAReason() throws IOException {
        short[] source = OggOpusRoundTripTest.speechLikeNoise(AudioFormat.MONO_8K, 4000, 1);
        byte[] ogg = AudioTestSupport.encodeOpus(AudioFormat.MONO_8K, source);
        EncodingParameters parameters = OggOpusRoundTripTest.parametersOf(AudioFormat.MONO_8K);
        String longer = assertThrows(InvalidAudioException.class, () -> PlayableWav.write(
                new ByteArrayInputStream(ogg), parameters, 3999, new ByteArrayOutputStream())).getMessage();
        assertTrue(longer.contains("longer"), longer);
        String shorter = assertThrows(InvalidAudioException.class, () -> PlayableWav.write(
                new ByteArrayInputStream(ogg), parameters, 4001, new ByteArrayOutputStream())).getMessage();
        assertTrue(shorter.contains("decodes to 4000 frames"), shorter);
    }
}
