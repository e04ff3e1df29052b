package org.consentrecorder.privacy;

/**
 * Why a privacy operation was refused: the admin API answers {@link Kind#NOT_FOUND} with 404,
 * {@link Kind#CONFLICT} with 409 and {@link Kind#UNAVAILABLE} with 503; the CLI prints the message.
 */
public final class PrivacyProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Kind { NOT_FOUND, CONFLICT, UNAVAILABLE }

    private final Kind kind;

    public PrivacyProblem(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
