package org.consentrecorder.audio;

import java.io.IOException;

/**
 * Audio bytes that are not what they claim to be: a WAV header that makes no sense, an Ogg stream that is truncated or
 * corrupt, a duration that differs from the source's. The message says what is wrong and where (a byte offset, a page
 * number); it never contains audio or personal data.
 */
public final class InvalidAudioException extends IOException {
    private static final long serialVersionUID = 1L;

    public InvalidAudioException(String message) {
        super(message);
    }

    public InvalidAudioException(String message, Throwable cause) {
        super(message, cause);
    }
}
