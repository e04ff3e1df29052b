package org.consentrecorder.audio;

/**
 * The evidence of a stereo recording: each leg's file as Asterisk wrote it (duration, SHA-256 of
 * every byte), how they were aligned, and the stereo length that results (what verification
 * compares the stored copy with).
 *
 * @param in        the first leg (the caller, left channel)
 * @param out       the second leg (what the caller hears, right channel)
 * @param alignment the silence put in front of the leg that started later
 * @param frames    the interleaved length: the longer of the two padded legs
 */
public record StereoSource(SourceAudio in, SourceAudio out, StereoAlignment alignment, long frames) {
}
