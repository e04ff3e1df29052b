package org.consentrecorder.audio;

/**
 * A stored recording that decoded completely to the source's duration.
 *
 * @param frames      decoded length in frames at the source's sample rate (equal to the source's)
 * @param storedBytes bytes of the stored form that were read
 */
public record VerifiedAudio(long frames, long storedBytes) {
}
