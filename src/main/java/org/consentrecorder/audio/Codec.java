package org.consentrecorder.audio;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a recording is stored, chosen by {@code CR_ARCHIVE_CODEC}. Each value names what the stored bytes are, so
 * recordings stored under different settings can live side by side in one archive.
 */
public enum Codec {
    /** Ogg Opus (RFC 7845), 16 kbit/s per channel, VOIP application, voice signal, 20 ms frames. The default. */
    OPUS("opus", "audio/ogg", "opus"),
    /**
     * G.711 A-law in a WAV container (format tag 6): half the size of 16-bit PCM; exact for audio that reached Asterisk
     * as A-law and was not mixed or changed on the way (one direction of a G.711 A-law call), otherwise within
     * A-law's quantisation step.
     */
    ALAW("alaw", "audio/wav", "wav"),
    /** The source WAV as Asterisk wrote it, byte for byte. */
    WAV("wav", "audio/wav", "wav");

    public static final Codec DEFAULT = OPUS;

    private final String setting;
    private final String mediaType;
    private final String fileExtension;

    Codec(String setting, String mediaType, String fileExtension) {
        this.setting = setting;
        this.mediaType = mediaType;
        this.fileExtension = fileExtension;
    }

    /** The value of {@code CR_ARCHIVE_CODEC} that selects this codec. */
    public String setting() {
        return setting;
    }

    /** Content type of the stored bytes. */
    public String mediaType() {
        return mediaType;
    }

    /** File name extension for the stored bytes (an export, a download). */
    public String fileExtension() {
        return fileExtension;
    }

    /**
     * The codec a setting names, case-insensitively.
     *
     * @throws IllegalArgumentException naming the allowed values
     */
    public static Codec fromSetting(String value) {
        String wanted = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (Codec codec : values()) {
            if (codec.setting.equals(wanted)) {
                return codec;
            }
        }
        throw new IllegalArgumentException("unknown codec '" + value + "': expected one of "
                + Arrays.stream(values()).map(Codec::setting).collect(Collectors.joining(", ")));
    }
}
