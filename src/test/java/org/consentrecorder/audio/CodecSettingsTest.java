package org.consentrecorder.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CodecSettingsTest {

    @Test
    void theSettingNamesACodecAndABadOneIsExplained() {
        assertEquals(Codec.OPUS, Codec.fromSetting("opus"));
        assertEquals(Codec.ALAW, Codec.fromSetting(" ALaw "));
        assertEquals(Codec.WAV, Codec.fromSetting("wav"));
        assertEquals(Codec.OPUS, Codec.DEFAULT);
        String message = assertThrows(IllegalArgumentException.class, () -> Codec.fromSetting("mp3")).getMessage();
        assertEquals("unknown codec 'mp3': expected one of opus, alaw, wav", message);
        assertThrows(IllegalArgumentException.class, () -> Codec.fromSetting(null));
        assertEquals("audio/ogg", Codec.OPUS.mediaType());
        assertEquals("audio/wav", Codec.ALAW.mediaType());
    }

    @Test
    void defaultsAreSixteenKilobitsPerChannel() {
        CodecSettings defaults = CodecSettings.defaults();
        assertEquals(Codec.OPUS, defaults.codec());
        assertEquals(16000, defaults.opusBitratePerChannel());
        assertThrows(IllegalArgumentException.class, () -> new CodecSettings(Codec.OPUS, 500, 5));
        assertThrows(IllegalArgumentException.class, () -> new CodecSettings(Codec.OPUS, 16000, 11));
    }

    @Test
    void encodingParametersRoundTripThroughTheirTextForm() {
        EncodingParameters[] all = {EncodingParameters.opus(AudioFormat.STEREO_8K, 32000, 5, 312),
                EncodingParameters.alaw(AudioFormat.MONO_8K), EncodingParameters.wav(new AudioFormat(16000, 1))};
        for (EncodingParameters p : all) {
            assertEquals(p, EncodingParameters.parse(p.toText()));
        }
        assertEquals("codec=wav rate=16000 channels=1", all[2].toText());
        for (String bad : new String[] {"", "codec=opus", "codec=wav rate=8000 channels=1 bitrate=1",
                "codec=opus rate=8000 channels=1 bitrate=16000 complexity=5 frame=10ms preskip=312",
                "codec=alaw rate=44100 channels=1", "codec=alaw rate=8000 rate=8000 channels=1", "rate"}) {
            assertThrows(IllegalArgumentException.class, () -> EncodingParameters.parse(bad), bad);
        }
        assertTrue(all[0].toString().contains("preskip=312"));
    }
}
