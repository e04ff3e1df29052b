package org.consentrecorder.audio;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Signals, WAV files built byte by byte (independently of {@link WavWriter}), and round trips. */
final class AudioTestSupport {

    static final int SERIAL = 0x5eed1234;

    private AudioTestSupport() {
    }

    /**
     * A WAV file laid out as Asterisk's format_wav writes it: 44-byte header, then the samples. {@code riffSize} and
     * {@code dataSize} are written as given (Asterisk writes 0 for both until it closes the file).
     */
    static byte[] asteriskWav(AudioFormat format, short[] interleaved, long riffSize, long dataSize) {
        ByteBuffer b = ByteBuffer.allocate(44 + interleaved.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt((int) riffSize);
        b.put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16);
        b.putShort((short) 1).putShort((short) format.channels()).putInt(format.sampleRate())
                .putInt(format.sampleRate() * 2 * format.channels()).putShort((short) (2 * format.channels()))
                .putShort((short) 16);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt((int) dataSize);
        for (short s : interleaved) {
            b.putShort(s);
        }
        return b.array();
    }

    /** A finished Asterisk WAV file: sizes filled in. */
    static byte[] asteriskWav(AudioFormat format, short[] interleaved) {
        long data = interleaved.length * 2L;
        return asteriskWav(format, interleaved, 36 + data, data);
    }

    static short[] tone(int rate, double hz, int frames, double amplitude) {
        short[] s = new short[frames];
        for (int i = 0; i < frames; i++) {
            s[i] = (short) Math.round(amplitude * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return s;
    }

    static short[] sum(short[] a, short[] b) {
        short[] s = new short[a.length];
        for (int i = 0; i < a.length; i++) {
            s[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, a[i] + b[i]));
        }
        return s;
    }

    /** Interleaves two mono signals of equal length into stereo. */
    static short[] stereo(short[] left, short[] right) {
        short[] s = new short[left.length * 2];
        for (int i = 0; i < left.length; i++) {
            s[2 * i] = left[i];
            s[2 * i + 1] = right[i];
        }
        return s;
    }

    static short[] channel(short[] interleaved, int channels, int channel) {
        short[] s = new short[interleaved.length / channels];
        for (int i = 0; i < s.length; i++) {
            s[i] = interleaved[i * channels + channel];
        }
        return s;
    }

    /** Power of {@code x[from, from+len)} at {@code hz} (Goertzel filter), normalised per sample squared. */
    static double goertzel(short[] x, int from, int len, double hz, int rate) {
        double coeff = 2 * Math.cos(2 * Math.PI * hz / rate);
        double s1 = 0;
        double s2 = 0;
        for (int i = from; i < from + len; i++) {
            double s0 = x[i] + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        return power / ((double) len * len);
    }

    static double db(double ratio) {
        return 10 * Math.log10(ratio);
    }

    static double rms(short[] x, int from, int len) {
        double sum = 0;
        for (int i = from; i < from + len; i++) {
            sum += (double) x[i] * x[i];
        }
        return Math.sqrt(sum / len);
    }

    static byte[] encodeOpus(AudioFormat format, short[] interleaved) throws IOException {
        return encodeOpus(format, interleaved, CodecSettings.DEFAULT_OPUS_BITRATE);
    }

    static byte[] encodeOpus(AudioFormat format, short[] interleaved, int bitratePerChannel) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OggOpusEncoder encoder = new OggOpusEncoder(format, bitratePerChannel, CodecSettings.DEFAULT_OPUS_COMPLEXITY,
                out, SERIAL);
        // in uneven pieces, as a network delivers them
        int frames = interleaved.length / format.channels();
        int pos = 0;
        int piece = 1;
        while (pos < frames) {
            int n = Math.min(piece, frames - pos);
            encoder.write(interleaved, pos * format.channels(), n);
            pos += n;
            piece = piece * 3 % 997 + 1;
        }
        encoder.finish();
        return out.toByteArray();
    }

    static short[] decodeAll(PcmSource source) throws IOException {
        int channels = source.format().channels();
        short[] all = new short[0];
        int frames = 0;
        short[] buf = new short[333 * channels];
        int n;
        while ((n = source.read(buf, 0, 333)) >= 0) {
            if ((frames + n) * channels > all.length) {
                all = Arrays.copyOf(all, Math.max(all.length * 2, (frames + n) * channels));
            }
            System.arraycopy(buf, 0, all, frames * channels, n * channels);
            frames += n;
        }
        return Arrays.copyOf(all, frames * channels);
    }

    static short[] decodeOpus(byte[] ogg) throws IOException {
        OggOpusDecoder decoder = OggOpusDecoder.open(new ByteArrayInputStream(ogg));
        short[] pcm = decodeAll(decoder);
        decoder.finish();
        return pcm;
    }
}
