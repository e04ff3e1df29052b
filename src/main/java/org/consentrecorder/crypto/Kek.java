package org.consentrecorder.crypto;

import java.util.Objects;

/** A key-encryption key from the keyring. It wraps subject keys and never leaves the process. */
public final class Kek extends SecretKeyMaterial {

    private final KekId id;

    private Kek(KekId id, byte[] keyBytes) {
        super(keyBytes);
        this.id = Objects.requireNonNull(id, "id");
    }

    /** Copies {@code keyBytes} (32 bytes). */
    public static Kek of(KekId id, byte[] keyBytes) {
        return new Kek(id, keyBytes);
    }

    public KekId id() {
        return id;
    }

    @Override
    public String toString() {
        return "Kek[" + id + ", redacted" + (isDestroyed() ? ", destroyed" : "") + "]";
    }
}
