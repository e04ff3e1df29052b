package org.consentrecorder.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * The keys of the audit chain: {@code K = HKDF-SHA256(ikm = KEK, info = "consent-recorder audit chain v2" || 0x00 ||
 * KEK id)}, one per KEK of the keyring, never stored anywhere (the KEK stays in the keyring, outside the database).
 * New rows are keyed under the newest KEK; a row names the KEK it was keyed under, so rows keyed before a rotation
 * verify as long as that KEK stays in the keyring. A separate derivation, so that the MAC key is not the KEK itself
 * and cannot be confused with any other use of it.
 */
public final class AuditChainKeys {
    private static final byte[] INFO = "consent-recorder audit chain v2".getBytes(StandardCharsets.US_ASCII);

    private final Keyring keyring;
    private final Map<KekId, byte[]> derived = new ConcurrentHashMap<>();

    private AuditChainKeys(Keyring keyring) {
        this.keyring = keyring;
    }

    public static AuditChainKeys of(Keyring keyring) {
        return new AuditChainKeys(java.util.Objects.requireNonNull(keyring, "keyring"));
    }

    /** The id new rows are keyed under (the newest KEK's). */
    public String currentId() {
        return keyring.newestId().toString();
    }

    /**
     * HMAC-SHA-256 of the concatenated parts under the key derived from the KEK {@code keyId}.
     *
     * @throws KeyUnavailableException if that KEK is not in the keyring (or the id is malformed)
     */
    public byte[] mac(String keyId, byte[]... parts) {
        byte[] key = key(keyId);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    private byte[] key(String keyId) {
        KekId id;
        try {
            id = KekId.parse(keyId);
        } catch (RuntimeException e) {
            throw new KeyUnavailableException("audit rows name a key id that is not a KEK id");
        }
        return derived.computeIfAbsent(id, k -> {
            Kek kek = keyring.find(k).orElseThrow(() -> new KeyUnavailableException("audit rows are keyed under KEK "
                    + k + ", which is not in the keyring"));
            byte[] idBytes = k.toString().getBytes(StandardCharsets.UTF_8);
            byte[] info = new byte[INFO.length + 1 + idBytes.length];
            System.arraycopy(INFO, 0, info, 0, INFO.length);
            System.arraycopy(idBytes, 0, info, INFO.length + 1, idBytes.length);
            HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
            hkdf.init(new HKDFParameters(kek.bytes(), null, info));
            byte[] out = new byte[SecretKeyMaterial.KEY_LENGTH];
            hkdf.generateBytes(out, 0, out.length);
            return out;
        });
    }

    @Override
    public String toString() {
        return "AuditChainKeys[newest=" + keyring.newestId() + ", redacted]";
    }
}
