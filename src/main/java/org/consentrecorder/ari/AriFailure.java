package org.consentrecorder.ari;

/**
 * An ARI request that did not succeed. status is the HTTP status, or 0 when no answer came
 * (timeout, connection refused). The message is Asterisk's own ("Channel not found").
 */
public final class AriFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public AriFailure(int status, String message, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public boolean notFound() {
        return status == 404;
    }
}
