package org.consentrecorder.simulator;

/**
 * What the caller's side of a simulated call notices: a prompt starting on its channel, the call
 * being handed back to the dialplan, the call ending. Called on the simulator's context; a
 * listener must not block and must not call the simulator's waiting methods.
 */
interface PhoneListener {
    PhoneListener NONE = new PhoneListener() {
    };

    /** A prompt began to play on the caller's channel. */
    default void promptStarted(String channelId, String media) {
    }

    /** The application continued the call in the dialplan. */
    default void continued(String channelId) {
    }

    /** The caller's channel is gone (either side hung up). */
    default void hungUp(String channelId) {
    }
}
