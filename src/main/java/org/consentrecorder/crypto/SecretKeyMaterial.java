package org.consentrecorder.crypto;

import java.util.Arrays;
import javax.security.auth.Destroyable;

/**
 * Raw AES-256 key bytes with the hygiene every key class in this package shares: the bytes are never
 * printed, are reachable only from inside the package, and are zeroed by {@link #destroy()}.
 */
public abstract class SecretKeyMaterial implements Destroyable, AutoCloseable {

    /** Every key in the hierarchy (data key, subject key, KEK) is an AES-256 key. */
    public static final int KEY_LENGTH = 32;

    private final byte[] bytes;
    private volatile boolean destroyed;

    /** Copies {@code keyBytes}; the caller keeps ownership of (and should zero) its own array. */
    SecretKeyMaterial(byte[] keyBytes) {
        if (keyBytes == null || keyBytes.length != KEY_LENGTH) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " must be " + KEY_LENGTH + " bytes, got "
                    + (keyBytes == null ? "null" : keyBytes.length + " bytes"));
        }
        this.bytes = keyBytes.clone();
    }

    /** The live key array, for use inside the package only; never hand it out. */
    final byte[] bytes() {
        if (destroyed) {
            throw new IllegalStateException(getClass().getSimpleName() + " has been destroyed");
        }
        return bytes;
    }

    @Override
    public final void destroy() {
        destroyed = true;
        Arrays.fill(bytes, (byte) 0);
    }

    @Override
    public final boolean isDestroyed() {
        return destroyed;
    }

    /** Same as {@link #destroy()}, so keys can live in try-with-resources. */
    @Override
    public final void close() {
        destroy();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[redacted" + (destroyed ? ", destroyed" : "") + "]";
    }
}
