package org.consentrecorder.crypto;

/**
 * A new recording's data key (give it to {@link RecordingEncryptor}, then close this) and its wrapped form (store it
 * with the recording).
 */
public record IssuedDataKey(DataKey dataKey, WrappedDataKey wrapped) implements AutoCloseable {

    @Override
    public void close() {
        dataKey.destroy();
    }
}
