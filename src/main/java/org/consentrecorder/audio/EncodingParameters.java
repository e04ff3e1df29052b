package org.consentrecorder.audio;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How one stored recording was encoded: kept with the recording so that verification, playback and export know what
 * the stored bytes are, whatever the current setting. {@link #toText()} gives a stable one-line form for a database
 * column, {@link #parse} reads it back.
 *
 * @param codec      the codec
 * @param format     sample rate and channels of the source (and of the decoded audio)
 * @param bitrate    Opus: target bits per second for all channels; 0 otherwise
 * @param complexity Opus: encoder complexity 0..10; 0 otherwise
 * @param preSkip    Opus: samples at 48 kHz the decoder discards at the start (in the stream's OpusHead); 0 otherwise
 */
public record EncodingParameters(Codec codec, AudioFormat format, int bitrate, int complexity, int preSkip) {

    /** Opus frame length, the same for every recording. */
    public static final int OPUS_FRAME_MILLIS = 20;

    public EncodingParameters {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(format, "format");
        if (codec == Codec.OPUS) {
            if (bitrate <= 0 || complexity < 0 || complexity > 10 || preSkip < 0 || preSkip > 65535) {
                throw new IllegalArgumentException("invalid Opus parameters");
            }
        } else if (bitrate != 0 || complexity != 0 || preSkip != 0) {
            throw new IllegalArgumentException(codec.setting() + " has no bit rate, complexity or pre-skip");
        }
    }

    public static EncodingParameters wav(AudioFormat format) {
        return new EncodingParameters(Codec.WAV, format, 0, 0, 0);
    }

    public static EncodingParameters alaw(AudioFormat format) {
        return new EncodingParameters(Codec.ALAW, format, 0, 0, 0);
    }

    public static EncodingParameters opus(AudioFormat format, int bitrate, int complexity, int preSkip) {
        return new EncodingParameters(Codec.OPUS, format, bitrate, complexity, preSkip);
    }

    /** E.g. {@code codec=opus rate=8000 channels=1 bitrate=16000 complexity=5 frame=20ms preskip=312}. */
    public String toText() {
        StringBuilder s = new StringBuilder("codec=").append(codec.setting())
                .append(" rate=").append(format.sampleRate())
                .append(" channels=").append(format.channels());
        if (codec == Codec.OPUS) {
            s.append(" bitrate=").append(bitrate)
                    .append(" complexity=").append(complexity)
                    .append(" frame=").append(OPUS_FRAME_MILLIS).append("ms")
                    .append(" preskip=").append(preSkip);
        }
        return s.toString();
    }

    /**
     * Reads {@link #toText()}'s form.
     *
     * @throws IllegalArgumentException if it is not exactly that form
     */
    public static EncodingParameters parse(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String part : text.trim().split(" +")) {
            int eq = part.indexOf('=');
            if (eq <= 0 || fields.put(part.substring(0, eq), part.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("not encoding parameters: '" + text + "'");
            }
        }
        try {
            Codec codec = Codec.fromSetting(fields.get("codec"));
            AudioFormat format = new AudioFormat(Integer.parseInt(fields.get("rate")),
                    Integer.parseInt(fields.get("channels")));
            EncodingParameters parsed = codec != Codec.OPUS ? new EncodingParameters(codec, format, 0, 0, 0)
                    : opus(format, Integer.parseInt(fields.get("bitrate")), Integer.parseInt(fields.get("complexity")),
                            Integer.parseInt(fields.get("preskip")));
            if (!parsed.toText().equals(String.join(" ", text.trim().split(" +")))) {
                throw new IllegalArgumentException("not encoding parameters: '" + text + "'");
            }
            return parsed;
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException("not encoding parameters: '" + text + "'", e);
        }
    }

    @Override
    public String toString() {
        return toText();
    }
}
