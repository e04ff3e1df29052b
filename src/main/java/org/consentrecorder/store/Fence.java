package org.consentrecorder.store;

/**
 * What a per-server write carries to prove its writer still holds the server: the server's name and the lease
 * generation the writer holds (see {@link ServerLease}). {@link #NONE} fences nothing (tests that run the call layer
 * alone, without a lease).
 */
public interface Fence {
    Fence NONE = new Fence() {
        @Override
        public String server() {
            return "";
        }

        @Override
        public long generation() {
            return 0;
        }
    };

    String server();

    /** The generation held now; 0 when this instance holds no lease (its writes are then refused). */
    long generation();

    default boolean fenced() {
        return this != NONE;
    }
}
