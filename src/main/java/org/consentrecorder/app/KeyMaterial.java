package org.consentrecorder.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Year;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.consentrecorder.config.ConfigException;
import org.consentrecorder.config.ConfigProblem;
import org.consentrecorder.config.Secret;
import org.consentrecorder.crypto.FileSubjectKeyStore;
import org.consentrecorder.crypto.Keyring;
import org.consentrecorder.crypto.KeyringException;
import org.consentrecorder.crypto.KeyringLoader;
import org.consentrecorder.crypto.SubjectKeyStore;
import org.consentrecorder.archive.ArchiveSettings;
import org.consentrecorder.keystore.KeyStoreSettings;
import org.consentrecorder.keystore.PostgresKeyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys behind the archive, opened at start-up: the keyring of key-encryption keys (from
 * CR_KEYRING_FILE and/or CR_KEYRING, never from the database) and the subject key store (a
 * directory that must not travel in the database's backups). With neither keyring source set,
 * a keyring file is generated beside the key store (data/keyring.json) so that a first
 * {@code java -jar} works; the log says loudly that it must be backed up separately and that a
 * production deployment configures its own (keeping KEKs and wrapped keys in one directory is a
 * convenience for trying the app, not a protection).
 */
final class KeyMaterial {
    private static final Logger LOG = LoggerFactory.getLogger(KeyMaterial.class);

    private KeyMaterial() {
    }

    static Keyring keyring(ArchiveSettings s) {
        return keyring(s, true);
    }

    /** Where a keyring is generated when none is configured: beside the key store directory. */
    static Path generatedKeyringPath(ArchiveSettings s) {
        Path store = s.keyStoreDirectory().toAbsolutePath();
        return (store.getParent() == null ? store : store.getParent()).resolve("keyring.json");
    }

    static Keyring keyring(ArchiveSettings s, boolean generateIfMissing) {
        Optional<Path> file = s.keyringFile();
        Optional<Secret> value = s.keyringValue();
        if (file.isEmpty() && value.isEmpty()) {
            Path generated = generatedKeyringPath(s);
            if (!Files.exists(generated) && !generateIfMissing) {
                throw new ConfigException(List.of(new ConfigProblem("CR_KEYRING_FILE",
                        "no keyring configured; run would generate one at " + generated)));
            }
            if (!Files.exists(generated)) {
                generate(generated);
                LOG.warn("no CR_KEYRING_FILE or CR_KEYRING configured: generated a keyring at {}. Back it up apart "
                        + "from the database (losing it loses every recording); in production configure your own", generated);
            } else {
                LOG.warn("no CR_KEYRING_FILE or CR_KEYRING configured: using the generated keyring at {}", generated);
            }
            file = Optional.of(generated);
        }
        try {
            return KeyringLoader.load(file.orElse(null), value.map(Secret::reveal).orElse(null));
        } catch (KeyringException e) {
            String key = file.isPresent() ? "CR_KEYRING_FILE" : "CR_KEYRING";
            throw new ConfigException(List.of(new ConfigProblem(key, e.getMessage())));
        }
    }

    /**
     * The shared store in PostgreSQL when CR_KEYSTORE_URL is set (any number of instances), else the directory
     * CR_KEYSTORE_DIR (one instance).
     */
    static SubjectKeyStore subjectKeys(AppConfig config, Keyring keyring) {
        KeyStoreSettings shared = config.keyStore();
        if (shared.shared()) {
            try {
                SubjectKeyStore store = PostgresKeyStore.open(shared, keyring);
                LOG.info("subject keys: shared store in PostgreSQL at {}", shared.describe());
                return store;
            } catch (RuntimeException e) {
                throw new ConfigException(List.of(new ConfigProblem(KeyStoreSettings.KEYSTORE_URL,
                        shared.describe() + " cannot be used as the subject key store: " + e.getMessage())));
            }
        }
        return subjectKeys(config.archive(), keyring);
    }

    static SubjectKeyStore subjectKeys(ArchiveSettings s, Keyring keyring) {
        try {
            Files.createDirectories(s.keyStoreDirectory());
            return FileSubjectKeyStore.open(s.keyStoreDirectory(), keyring);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(List.of(new ConfigProblem("CR_KEYSTORE_DIR",
                    s.keyStoreDirectory() + " cannot be used as the subject key store: " + e.getMessage())));
        }
    }

    private static void generate(Path path) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String json = "{\n  \"format\": \"" + KeyringLoader.FILE_FORMAT + "\",\n  \"keys\": [ {\"id\": \"kek-"
                + Year.now() + ":1\", \"key\": \"" + Base64.getEncoder().encodeToString(key) + "\"} ]\n}\n";
        java.util.Arrays.fill(key, (byte) 0);
        try {
            Files.createDirectories(path.getParent());
            Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp);
            }
            Files.writeString(tmp, json, StandardCharsets.UTF_8);
            Files.move(tmp, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigProblem("CR_KEYRING_FILE",
                    "cannot write a generated keyring to " + path + ": " + e.getMessage())));
        }
    }
}
