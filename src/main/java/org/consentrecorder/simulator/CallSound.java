package org.consentrecorder.simulator;

/**
 * What a simulated call sounds like in each direction, on one timeline for the whole simulator
 * (16-bit samples at 8000 Hz; sample 0 when the simulator started), so that two recordings of one
 * call that start at different moments hold the same instant at different offsets, as two snoop
 * channels' recordings do. Directions are ARI's snoop {@code spy} values, as Asterisk's
 * res/res_stasis_snoop.c maps them: {@code in} is the audio the spied channel sends (the caller's
 * voice, AST_AUDIOHOOK_DIRECTION_READ), {@code out} the audio sent to it (what the caller hears,
 * AST_AUDIOHOOK_DIRECTION_WRITE), {@code both} the two mixed.
 *
 * <p>ASSUMPTION (not captured: the fixtures only have {@code spy=both}): a {@code spy=in} or
 * {@code spy=out} snoop channel is recorded like a {@code spy=both} one, with only its direction's
 * audio; each emits a frame every 20 ms from its start, silence when its direction is quiet
 * (SNOOP_INTERVAL and the silence frame in res_stasis_snoop.c), so a file's sample n is n/8000 s
 * after its recording started, less what a pause cut out.
 */
@FunctionalInterface
public interface CallSound {
    /** {@code samples} samples of a direction from sample {@code firstSample} of the simulator's timeline. */
    short[] render(String direction, long firstSample, int samples);
}
