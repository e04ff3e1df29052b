package org.consentrecorder.audio;

import java.util.Objects;

/**
 * What to store a recording as: the codec and, for Opus, the bit rate per channel and the encoder's complexity.
 *
 * @param codec                 the codec
 * @param opusBitratePerChannel bits per second per channel (6000..64000); a stereo recording gets twice this
 * @param opusComplexity        0..10: encoder effort; higher costs more CPU for a little quality at the same rate
 */
public record CodecSettings(Codec codec, int opusBitratePerChannel, int opusComplexity) {

    /** 16 kbit/s per channel: the top of the 12-16 kbit/s range RFC 7587 gives for narrowband speech. */
    public static final int DEFAULT_OPUS_BITRATE = 16000;
    /**
     * Chosen by the storage benchmark (bench/results/storage-2026-11-27.md): the same bytes and the same measured
     * spectral distance as complexity 10, for two thirds of its CPU (0.0067 against 0.0101 core per mono call), which
     * leaves room under the 0.05 core budget on a slower machine.
     */
    public static final int DEFAULT_OPUS_COMPLEXITY = 5;

    public CodecSettings {
        Objects.requireNonNull(codec, "codec");
        if (opusBitratePerChannel < 6000 || opusBitratePerChannel > 64000) {
            throw new IllegalArgumentException("Opus bit rate per channel must be 6000..64000, not "
                    + opusBitratePerChannel);
        }
        if (opusComplexity < 0 || opusComplexity > 10) {
            throw new IllegalArgumentException("Opus complexity must be 0..10, not " + opusComplexity);
        }
    }

    /** The codec with the default Opus parameters. */
    public static CodecSettings of(Codec codec) {
        return new CodecSettings(codec, DEFAULT_OPUS_BITRATE, DEFAULT_OPUS_COMPLEXITY);
    }

    /** {@code opus} at the defaults. */
    public static CodecSettings defaults() {
        return of(Codec.DEFAULT);
    }
}
