package org.consentrecorder.audio;

/**
 * How the two legs of a stereo call line up: the silence put in front of the leg that started later.
 *
 * <p>The rule: the second leg's start offset (its RecordingStarted time minus the first leg's, in
 * milliseconds) is rounded to the nearest whole 20 ms frame, and the leg that started later gets
 * that many frames of silence in front. Whole frames because each snoop channel delivers audio in
 * 20 ms frames (silence when there is none) from its start, so the legs' frames are a whole number
 * of frames apart up to the clock granularity; the event times have millisecond resolution, and the
 * rounding keeps the error within half a frame (80 samples at 8 kHz). An unknown offset (an event
 * lost while the event connection was down) counts as 0: both record requests go out at once, so
 * the legs start within a few milliseconds of each other.
 *
 * <p>Pauses do not move the legs against each other: a pause or resume goes to both legs under one
 * request, and ARI pause skips the same span on both (Asterisk drops the frames while paused), mute
 * writes silence into both. What can differ is the moment each leg applies it, by the two requests'
 * handling time (milliseconds, within a frame or two; see README "Stereo").
 *
 * @param inPadFrames  frames of silence before the first leg (it started later)
 * @param outPadFrames frames of silence before the second leg (it started later)
 */
public record StereoAlignment(long inPadFrames, long outPadFrames) {

    /** The frame length of a snoop channel's audio. */
    public static final int FRAME_MILLIS = 20;
    /** Legs further apart than this are not two legs of one call as this application records them. */
    public static final long MAX_OFFSET_MILLIS = 60_000;

    public StereoAlignment {
        if (inPadFrames < 0 || outPadFrames < 0 || (inPadFrames > 0 && outPadFrames > 0)) {
            throw new IllegalArgumentException("silence goes in front of one leg at most");
        }
    }

    /**
     * @param outOffsetMillis how much later the second leg started than the first (negative: earlier); null if unknown
     * @throws InvalidAudioException if the legs are more than {@link #MAX_OFFSET_MILLIS} apart
     */
    public static StereoAlignment of(Long outOffsetMillis, int sampleRate) throws InvalidAudioException {
        if (outOffsetMillis == null || outOffsetMillis == 0) {
            return new StereoAlignment(0, 0);
        }
        if (Math.abs(outOffsetMillis) > MAX_OFFSET_MILLIS) {
            throw new InvalidAudioException("the legs started " + outOffsetMillis + " ms apart, more than "
                    + MAX_OFFSET_MILLIS + " ms: not two legs of one call");
        }
        long frames20 = Math.round(Math.abs(outOffsetMillis) / (double) FRAME_MILLIS);
        long pad = frames20 * sampleRate * FRAME_MILLIS / 1000;
        return outOffsetMillis > 0 ? new StereoAlignment(0, pad) : new StereoAlignment(pad, 0);
    }
}
