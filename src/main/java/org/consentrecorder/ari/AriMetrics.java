package org.consentrecorder.ari;

import ch.loway.oss.ari4java.generated.models.Message;

/**
 * What the ARI transport reports for monitoring: connection state changes, events handed to the
 * application, and the outcome and duration of every REST request. Called on Vert.x threads, so
 * an implementation must not block. Paths carry channel ids and recording names: an
 * implementation labels them by {@link AriOperation}, never by the path itself.
 */
public interface AriMetrics {
    /** Reports nothing: the default until the application plugs in its metrics. */
    AriMetrics NOOP = new AriMetrics() {
    };

    /** The connection moved from one state to another (called on the connection's context). */
    default void stateChanged(AriConnection.State from, AriConnection.State to) {
    }

    /** An event was handed to the application (after any hold during resynchronization). */
    default void eventDelivered(Message event) {
    }

    /** A trigger was handed to the application straight off its frame (TriggerFrame); counted as an event. */
    default void triggerDelivered(TriggerFrame trigger) {
    }

    /** A REST request completed; status is the HTTP status, or 0 when no answer came (timeout, connection lost). */
    default void requestCompleted(String method, String path, int status, long durationNanos) {
    }
}
