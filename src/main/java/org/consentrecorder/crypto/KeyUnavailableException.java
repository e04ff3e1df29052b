package org.consentrecorder.crypto;

/**
 * A key needed to unwrap is not there: the subject key was destroyed (crypto-shredded) or never existed, or the
 * KEK that wrapped it is no longer in the keyring.
 */
public class KeyUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public KeyUnavailableException(String message) {
        super(message);
    }
}
