package org.consentrecorder.call;

/**
 * How a consented call is recorded ({@code CR_RECORDING_CHANNELS}): one snoop channel and one
 * recording ({@link #MONO}, the direction {@code CR_SNOOP_SPY} says, mixed by default), or two of
 * each ({@link #STEREO}: the caller and what the caller hears, interleaved into one stereo file by
 * the archive). Stereo costs a second snoop channel and a second recording per call.
 */
public enum RecordingChannels {
    MONO,
    STEREO;

    /** The legs recorded, in channel order. */
    public java.util.List<Leg> legs() {
        return this == MONO ? java.util.List.of(Leg.IN) : java.util.List.of(Leg.IN, Leg.OUT);
    }
}
