package org.consentrecorder.crypto;

/**
 * Ciphertext (a recording stream or a wrapped key) failed authentication or is not in a format this code accepts.
 * Messages name only positions, lengths and key ids: never key bytes or plaintext. Once thrown by a decryptor, the
 * decryptor refuses all further input, and everything it produced for that stream must be treated as untrusted
 * (a failure after some segments means the stream as a whole is not the recording that was written).
 */
public class CiphertextAuthenticationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong, for callers that react differently (e.g. metrics) without parsing messages. */
    public enum Reason {
        /** Header magic, version or segment size is not a stream this code can read. */
        BAD_HEADER,
        /** A segment's GCM tag did not verify: tampered, reordered, from another stream, wrong key or wrong recording id. */
        SEGMENT_AUTHENTICATION_FAILED,
        /** The stream ended before an authenticated final segment. */
        TRUNCATED,
        /** Bytes after the final segment, or a segment shape the encryptor never produces. */
        MALFORMED,
        /** The stream would need more than 2^32-1 segments. */
        TOO_MANY_SEGMENTS,
        /** A wrapped key did not unwrap: tampered, wrong wrapping key, or bound to another recording / key id. */
        KEY_UNWRAP_FAILED,
        /** The decryptor already failed earlier and refuses further input. */
        ALREADY_FAILED
    }

    private final Reason reason;

    public CiphertextAuthenticationException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public CiphertextAuthenticationException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
