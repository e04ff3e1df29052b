package org.consentrecorder.audio;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The identification header of an Ogg Opus stream (RFC 7845 section 5.1), channel mapping family 0 only (mono or
 * stereo, one Opus stream).
 *
 * @param channels        1 or 2
 * @param preSkip         samples at 48 kHz to discard from the start of the decoded output (the encoder's look-ahead)
 * @param inputSampleRate the sample rate of the source, for information and for decoding at that rate
 * @param outputGainQ8    gain to apply when decoding, in 1/256 dB
 */
record OpusHead(int channels, int preSkip, long inputSampleRate, int outputGainQ8) {

    static final int LENGTH = 19;
    private static final byte[] MAGIC = "OpusHead".getBytes(StandardCharsets.US_ASCII);

    byte[] toBytes() {
        byte[] b = new byte[LENGTH];
        System.arraycopy(MAGIC, 0, b, 0, MAGIC.length);
        b[8] = 1; // version
        b[9] = (byte) channels;
        LittleEndian.putU16(b, 10, preSkip);
        LittleEndian.putU32(b, 12, inputSampleRate);
        LittleEndian.putU16(b, 16, outputGainQ8);
        b[18] = 0; // channel mapping family 0: mono or stereo, no mapping table
        return b;
    }

    static OpusHead parse(byte[] packet, int length) throws InvalidAudioException {
        if (length < LENGTH || !Arrays.equals(packet, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new InvalidAudioException("the first packet is not an OpusHead header");
        }
        int version = packet[8] & 0xff;
        if (version >> 4 != 0) {
            throw new InvalidAudioException("OpusHead version " + version + " is not supported (major version 0)");
        }
        int channels = packet[9] & 0xff;
        int family = packet[18] & 0xff;
        if (family != 0) {
            throw new InvalidAudioException("channel mapping family " + family + "; only family 0 (mono, stereo) is read");
        }
        if (channels != 1 && channels != 2) {
            throw new InvalidAudioException("OpusHead says " + channels + " channels with mapping family 0");
        }
        if (length != LENGTH) {
            throw new InvalidAudioException("OpusHead of " + length + " bytes; mapping family 0 has " + LENGTH);
        }
        return new OpusHead(channels, LittleEndian.u16(packet, 10), LittleEndian.u32(packet, 12),
                (short) LittleEndian.u16(packet, 16));
    }
}
