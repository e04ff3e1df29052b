package org.consentrecorder.call;

/**
 * One direction of a call recorded in stereo, each through its own snoop channel and recording.
 * A mono call has only {@link #IN}, snooped as {@link RecordingSettings#spy()} says.
 */
public enum Leg {
    /** What the caller says: snooped with {@code spy=in}; the left channel of the stereo file. */
    IN("in"),
    /** What the caller hears (the agent, prompts, hold music): snooped with {@code spy=out}; the right channel. */
    OUT("out");

    private final String spy;

    Leg(String spy) {
        this.spy = spy;
    }

    /** The ARI snoop {@code spy} direction of this leg in stereo. */
    public String spy() {
        return spy;
    }

    /** This leg as a bit of a set of legs (see {@link #ALL_STEREO}). */
    int bit() {
        return 1 << ordinal();
    }

    /** Both legs as a bit set. */
    static final int ALL_STEREO = 0b11;
}
