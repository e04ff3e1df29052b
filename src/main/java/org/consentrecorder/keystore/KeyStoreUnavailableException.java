package org.consentrecorder.keystore;

/** The shared key store's database did not answer or refused a statement; the operation changed nothing it reports. */
public final class KeyStoreUnavailableException extends RuntimeException {
    public KeyStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
