package org.consentrecorder.audio;

import static org.consentrecorder.audio.AudioTestSupport.decodeOpus;
import static org.consentrecorder.audio.AudioTestSupport.encodeOpus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OggOpusRoundTripTest {

    private static final AudioFormat[] FORMATS = {AudioFormat.MONO_8K, AudioFormat.STEREO_8K,
            new AudioFormat(16000, 1), new AudioFormat(16000, 2)};

    static short[] speechLikeNoise(AudioFormat format, int frames, long seed) {
        Random random = new Random(seed);
        short[] s = new short[frames * format.channels()];
        for (int i = 0; i < frames; i++) {
            double envelope = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * i / format.sampleRate());
            for (int c = 0; c < format.channels(); c++) {
                double voice = Math.sin(2 * Math.PI * (c == 0 ? 180 : 230) * i / format.sampleRate());
                s[i * format.channels() + c] = (short) (envelope * (3000 * voice + 600 * random.nextGaussian()));
            }
        }
        return s;
    }

    @Test
    void theDecodedDurationEqualsTheSourcesToTheFrameForAnyLength() throws IOException {
        for (AudioFormat format : FORMATS) {
            int frame = format.sampleRate() / 50;
            int lookahead = format.sampleRate() * 13 / 2000; // 6.5 ms
            int[] lengths = {0, 1, lookahead - 1, lookahead, lookahead + 1, frame - lookahead, frame - lookahead + 1,
                    frame - 1, frame, frame + 1, 2 * frame - 1, format.sampleRate() + 109};
            for (int frames : lengths) {
                short[] source = speechLikeNoise(format, frames, frames);
                byte[] ogg = encodeOpus(format, source);
                short[] decoded = decodeOpus(ogg);
                assertEquals(frames * format.channels(), decoded.length, format + ", " + frames + " frames");
                VerifiedAudio verified = StoredAudioVerifier.verify(new ByteArrayInputStream(ogg),
                        parametersOf(format), frames, new byte[32]);
                assertEquals(frames, verified.frames());
                assertEquals(ogg.length, verified.storedBytes());
            }
        }
    }

    static EncodingParameters parametersOf(AudioFormat format) {
        return EncodingParameters.opus(format, CodecSettings.DEFAULT_OPUS_BITRATE * format.channels(),
                CodecSettings.DEFAULT_OPUS_COMPLEXITY, 312);
    }

    @Test
    void pagesFollowRfc7845HeadersAloneThenManyPacketsPerPageWithExactGranules() throws IOException {
        AudioFormat format = AudioFormat.MONO_8K;
        int frames = 8000 * 12 + 77;
        byte[] ogg = encodeOpus(format, speechLikeNoise(format, frames, 1));
        OggPageReader reader = new OggPageReader(new ByteArrayInputStream(ogg));
        List<OggPageReader.Page> pages = new ArrayList<>();
        OggPageReader.Page page;
        while ((page = reader.next()) != null) {
            pages.add(page);
        }
        OggPageReader.Page head = pages.get(0);
        assertEquals(1, head.lacing().length);
        assertEquals("OpusHead", new String(head.body(), 0, 8, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(0, head.granule());
        OpusHead parsed = OpusHead.parse(head.body(), head.body().length);
        assertEquals(new OpusHead(1, 312, 8000, 0), parsed);
        assertEquals("OpusTags", new String(pages.get(1).body(), 0, 8, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(0, pages.get(1).granule());

        long packets = 0;
        long packetBytes = 0;
        for (int i = 2; i < pages.size(); i++) {
            OggPageReader.Page p = pages.get(i);
            int onPage = p.lacing().length; // packets are far below 255 bytes here: one lacing value each
            assertTrue(onPage <= 50, "at most one second of audio per page");
            packets += onPage;
            packetBytes += p.body().length;
            if (i < pages.size() - 1) {
                assertEquals(50, onPage, "a page holds one second of 20 ms packets");
                assertEquals(packets * 960, p.granule(), "granule of page " + i);
            } else {
                assertTrue(p.endOfStream());
                assertEquals(312 + 6L * frames, p.granule(), "end-trimmed granule of the last page");
                assertTrue(packets * 960 - p.granule() < 960, "the end trim stays within the last packet");
            }
        }
        assertEquals((frames + 52 + 159) / 160, packets, "packets: the source plus the look-ahead, in 20 ms frames");
        double seconds = frames / 8000.0;
        double overheadKbps = (ogg.length - packetBytes) * 8 / seconds / 1000;
        assertTrue(overheadKbps < 1.0, "Ogg overhead " + overheadKbps + " kbit/s");
    }

    @Test
    void anOggOpusFileWrittenByOpusencIsReadToTheSample() throws IOException {
        byte[] file = OggCrcTest.fixture("opusenc-1000hz-8k-mono.opus");
        OggOpusDecoder decoder = OggOpusDecoder.open(new ByteArrayInputStream(file));
        assertEquals(AudioFormat.MONO_8K, decoder.format());
        assertEquals(312, decoder.preSkip());
        short[] pcm = AudioTestSupport.decodeAll(decoder);
        assertEquals(12_345, decoder.finish());
        assertEquals(12_345, pcm.length);
        double atTone = AudioTestSupport.goertzel(pcm, 800, 8000, 1000, 8000);
        double elsewhere = AudioTestSupport.goertzel(pcm, 800, 8000, 1336, 8000);
        assertTrue(AudioTestSupport.db(atTone / elsewhere) > 30);
    }

    @Test
    void readingStopsAtTheEndAndTheDecoderSaysSoRepeatedly() throws IOException {
        byte[] ogg = encodeOpus(AudioFormat.MONO_8K, speechLikeNoise(AudioFormat.MONO_8K, 1000, 5));
        OggOpusDecoder decoder = OggOpusDecoder.open(new ByteArrayInputStream(ogg));
        short[] buf = new short[5000];
        int total = 0;
        int n;
        while ((n = decoder.read(buf, 0, 5000)) >= 0) {
            total += n;
        }
        assertEquals(1000, total);
        assertEquals(-1, decoder.read(buf, 0, 10));
        assertEquals(1000, decoder.finish());
        assertEquals(1000, decoder.finish());

        OggOpusDecoder partlyRead = OggOpusDecoder.open(new ByteArrayInputStream(ogg));
        assertEquals(7, partlyRead.read(buf, 0, 7));
        assertEquals(1000, partlyRead.finish(), "finish() counts what was not read");
        assertEquals(-1, partlyRead.read(buf, 0, 10));
    }
}
