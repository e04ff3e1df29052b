package org.consentrecorder.audio;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * What the archive keeps as evidence of a recording as Asterisk wrote it, whatever codec stores it.
 *
 * @param format         sample rate and channels
 * @param frames         length in frames (samples per channel): the duration, exact
 * @param sha256         SHA-256 of every byte of the source file, header included
 * @param sourceBytes    length of the source file
 * @param headerComplete false when the header's sizes were never filled in (a file taken while Asterisk was still
 *                       writing it, or left by a crash): the audio was then read to the end of the file
 */
public record SourceAudio(AudioFormat format, long frames, byte[] sha256, long sourceBytes, boolean headerComplete) {

    public SourceAudio {
        if (frames < 0 || sourceBytes < 0) {
            throw new IllegalArgumentException("negative length");
        }
        if (sha256.length != 32) {
            throw new IllegalArgumentException("a SHA-256 has 32 bytes");
        }
        sha256 = sha256.clone();
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    /** Lower-case hex of {@link #sha256()}. */
    public String sha256Hex() {
        return HexFormat.of().formatHex(sha256);
    }

    public long durationMillis() {
        return format.millis(frames);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SourceAudio s && s.format.equals(format) && s.frames == frames
                && Arrays.equals(s.sha256, sha256) && s.sourceBytes == sourceBytes
                && s.headerComplete == headerComplete;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(frames) * 31 + Arrays.hashCode(sha256);
    }

    @Override
    public String toString() {
        return "SourceAudio[" + format + ", " + frames + " frames, sha256 " + sha256Hex() + ", " + sourceBytes
                + " bytes" + (headerComplete ? "" : ", header sizes unset") + "]";
    }
}
