package org.consentrecorder.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;

class ALawTest {

    @Test
    void knownTableValuesOfG711() {
        // ITU-T G.711 table 1a (A-law), as in the reference implementations: code words after even-bit inversion
        assertEquals((byte) 0xD5, ALaw.encode((short) 0));
        assertEquals((byte) 0x55, ALaw.encode((short) -1));
        assertEquals((byte) 0xAA, ALaw.encode(Short.MAX_VALUE));
        assertEquals((byte) 0x2A, ALaw.encode(Short.MIN_VALUE));
        assertEquals(8, ALaw.decode((byte) 0xD5));
        assertEquals(-8, ALaw.decode((byte) 0x55));
        assertEquals(32256, ALaw.decode((byte) 0xAA));
        assertEquals(-32256, ALaw.decode((byte) 0x2A));
        // reconstruction values: segment 0 at 16q + 8, segment 1 at 16q + 264, segment s >= 2 at (16q + 264) << (s - 1)
        assertEquals(528, ALaw.decode((byte) 0xF5));    // 0xF5 ^ 0x55 = 0xA0: positive, segment 2, step 0
        assertEquals(-1056, ALaw.decode((byte) 0x65));  // 0x65 ^ 0x55 = 0x30: negative, segment 3, step 0
        assertEquals(16896, ALaw.decode((byte) 0xA5));  // 0xA5 ^ 0x55 = 0xF0: positive, segment 7, step 0
        assertEquals(504, ALaw.decode((byte) 0xCA));    // 0xCA ^ 0x55 = 0x9F: positive, segment 1, step 15
    }

    /**
     * The encoder of the ITU-T software tool library (G.191), restated: take the 12 most significant bits of the
     * magnitude (the ones' complement for a negative sample), halve until at most 31 counting the halvings as the
     * segment, drop the leading one, set the sign bit for non-negative samples, invert the even bits.
     */
    private static byte g191(short x) {
        int ix = (x < 0 ? ~x : x) >> 4;
        if (ix > 15) {
            int exponent = 1;
            while (ix > 31) {
                ix >>= 1;
                exponent++;
            }
            ix = ix - 16 + (exponent << 4);
        }
        if (x >= 0) {
            ix |= 0x80;
        }
        return (byte) (ix ^ 0x55);
    }

    @Test
    void everySampleEncodesAsTheG191ReferenceAlgorithmDoes() {
        for (int i = Short.MIN_VALUE; i <= Short.MAX_VALUE; i++) {
            assertEquals(g191((short) i), ALaw.encode((short) i), "sample " + i);
        }
    }

    @Test
    void theJdksIndependentALawCodecAgreesOnEveryCodeAndEveryNonNegativeSample() throws Exception {
        // javax.sound's AlawCodec: another implementation, used here only as a cross-check. For negative samples it
        // subtracts 8 where G.191 takes the ones' complement, so it rounds some negative samples to the neighbouring
        // step; there the G.191 symmetry (a negative sample codes as its complement with the sign bit cleared) is
        // checked instead
        byte[] pcm = new byte[65536 * 2];
        for (int i = 0; i < 65536; i++) {
            short s = (short) (i - 32768);
            pcm[2 * i] = (byte) s;
            pcm[2 * i + 1] = (byte) (s >> 8);
        }
        javax.sound.sampled.AudioFormat linear = new javax.sound.sampled.AudioFormat(8000, 16, 1, true, false);
        javax.sound.sampled.AudioFormat alaw = new javax.sound.sampled.AudioFormat(
                javax.sound.sampled.AudioFormat.Encoding.ALAW, 8000, 8, 1, 1, 8000, false);
        byte[] jdkEncoded = AudioSystem.getAudioInputStream(alaw,
                new AudioInputStream(new ByteArrayInputStream(pcm), linear, 65536)).readAllBytes();
        assertEquals(65536, jdkEncoded.length);
        for (int i = 0; i < 65536; i++) {
            short sample = (short) (i - 32768);
            if (sample >= 0) {
                assertEquals(jdkEncoded[i], ALaw.encode(sample), "sample " + sample);
            } else {
                assertEquals((byte) (ALaw.encode((short) ~sample) ^ 0x80), ALaw.encode(sample), "sample " + sample);
            }
        }
        byte[] codes = new byte[256];
        for (int i = 0; i < 256; i++) {
            codes[i] = (byte) i;
        }
        byte[] jdkDecoded = AudioSystem.getAudioInputStream(linear,
                new AudioInputStream(new ByteArrayInputStream(codes), alaw, 256)).readAllBytes();
        for (int i = 0; i < 256; i++) {
            short jdk = (short) ((jdkDecoded[2 * i] & 0xff) | jdkDecoded[2 * i + 1] << 8);
            assertEquals(jdk, ALaw.decode((byte) i), "code 0x" + Integer.toHexString(i));
        }
    }

    @Test
    void aRoundTripIsWithinHalfAQuantizationStepAndALawAudioSurvivesUnchanged() {
        for (int i = Short.MIN_VALUE; i <= Short.MAX_VALUE; i++) {
            short s = (short) i;
            short back = ALaw.decode(ALaw.encode(s));
            int magnitude = Math.abs(i) >> 3; // 13-bit magnitude
            int segment = Math.max(0, 32 - Integer.numberOfLeadingZeros(magnitude >> 4)); // 0..7
            int step = 16 << Math.max(0, segment - 1); // in 16-bit units: 16 in segments 0 and 1, then doubling
            assertTrue(Math.abs(back - i) <= step / 2 + 8, "sample " + i + " came back as " + back);
        }
        for (int code = 0; code < 256; code++) {
            assertEquals((byte) code, ALaw.encode(ALaw.decode((byte) code)), "code " + code);
        }
    }

    @Test
    void theALawWavFileIsReadByTheJdkAndByWavReader() throws Exception {
        short[] tone = AudioTestSupport.tone(8000, 1000, 8001, 12000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WavWriter writer = WavWriter.alaw(AudioFormat.MONO_8K, tone.length, out);
        writer.write(tone, 0, tone.length);
        long bytes = writer.finish();
        byte[] file = out.toByteArray();
        assertEquals(file.length, bytes);
        assertEquals(WavWriter.alawFileBytes(AudioFormat.MONO_8K, tone.length), file.length);
        assertEquals(58 + 8001 + 1, file.length, "odd data: one pad byte");

        AudioFileFormat jdk = AudioSystem.getAudioFileFormat(new ByteArrayInputStream(file));
        assertEquals(javax.sound.sampled.AudioFormat.Encoding.ALAW, jdk.getFormat().getEncoding());
        assertEquals(1, jdk.getFormat().getChannels());
        assertEquals(8000f, jdk.getFormat().getSampleRate());
        assertEquals(8001, jdk.getFrameLength());

        WavReader reader = WavReader.open(new ByteArrayInputStream(file));
        assertEquals(WavReader.Encoding.ALAW, reader.encoding());
        short[] decoded = AudioTestSupport.decodeAll(reader);
        SourceAudio read = reader.finish();
        assertEquals(8001, read.frames());
        assertTrue(read.headerComplete());
        for (int i = 0; i < tone.length; i++) {
            assertEquals(ALaw.decode(ALaw.encode(tone[i])), decoded[i]);
        }

        // a writer that leaves out the pad byte after odd data at the end of the file is read too
        byte[] unpadded = java.util.Arrays.copyOf(file, file.length - 1);
        LittleEndian.putU32(unpadded, 4, unpadded.length - 8);
        WavReader lenient = WavReader.open(new ByteArrayInputStream(unpadded));
        AudioTestSupport.decodeAll(lenient);
        assertEquals(8001, lenient.finish().frames());
    }
}
