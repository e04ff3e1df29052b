package org.consentrecorder.crypto;

/** The keyring configuration is unusable. Messages name the source and the entry, never key bytes. */
public class KeyringException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public KeyringException(String message) {
        super(message);
    }
}
