package org.consentrecorder.store;

/** A write refused because its writer no longer holds the server's lease (another instance took it over). */
public final class StaleLeaseException extends RuntimeException {
    public StaleLeaseException(String server) {
        super("this instance no longer holds the lease of ARI server '" + server + "'; the write was refused");
    }
}
