package org.consentrecorder.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Subject keys as files in a directory of their own (keep it out of the database backups):
 * <pre>
 *   index-key.json            the HMAC key that hides subject ids, wrapped under a KEK
 *   keys/&lt;keyId&gt;.json        one wrapped subject key per file
 *   subjects/&lt;hmac&gt;          the key id of that subject; hmac = HMAC-SHA256(index key, subject id)
 * </pre>
 * No file name or content contains a subject id. Writes are atomic (temp file, fsync, rename); destroy overwrites
 * then deletes. One process at a time should write to a directory.
 */
public final class FileSubjectKeyStore extends KeyringSubjectKeyStore {

    static final String KEY_FILE_FORMAT = "consent-recorder-wrapped-subject-key/1";
    static final String INDEX_KEY_ID = "subject-index-key";

    private static final JsonMapper JSON = new JsonMapper();

    private final Path directory;
    private final Path keysDir;
    private final Path subjectsDir;
    private final Path indexKeyFile;
    private final SubjectKey indexKey;

    private FileSubjectKeyStore(Path directory, Keyring keyring) throws IOException {
        super(keyring);
        this.directory = directory.toAbsolutePath();
        this.keysDir = this.directory.resolve("keys");
        this.subjectsDir = this.directory.resolve("subjects");
        this.indexKeyFile = this.directory.resolve("index-key.json");
        AtomicFiles.createPrivateDirectories(keysDir);
        AtomicFiles.createPrivateDirectories(subjectsDir);
        removeStaleTempFiles();
        this.indexKey = loadOrCreateIndexKey(keyring);
    }

    /**
     * Opens (creating if needed) a store in {@code directory}.
     *
     * @throws KeyUnavailableException if the directory's index key is wrapped under a KEK missing from the keyring
     */
    public static FileSubjectKeyStore open(Path directory, Keyring keyring) {
        try {
            return new FileSubjectKeyStore(directory, keyring);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open subject key store " + directory, e);
        }
    }

    public Path directory() {
        return directory;
    }

    private SubjectKey loadOrCreateIndexKey(Keyring keyring) throws IOException {
        Optional<WrappedSubjectKey> stored = readKeyFile(indexKeyFile);
        if (stored.isPresent()) {
            return keyring.unwrap(stored.get());
        }
        SubjectKey fresh = SubjectKey.generate();
        writeKeyFile(indexKeyFile, keyring.wrap(INDEX_KEY_ID, fresh));
        return fresh;
    }

    @Override
    Optional<String> loadReference(String subjectId) {
        Path ref = referenceFile(subjectId);
        try {
            String keyId = Files.readString(ref, StandardCharsets.US_ASCII).strip();
            return SubjectKeyIds.GENERATED.matcher(keyId).matches() ? Optional.of(keyId) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read subject reference " + ref.getFileName(), e);
        }
    }

    @Override
    void saveReference(String subjectId, String keyId) {
        try {
            AtomicFiles.write(referenceFile(subjectId), (keyId + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write subject reference", e);
        }
    }

    @Override
    void deleteReference(String subjectId) {
        Path ref = referenceFile(subjectId);
        try {
            Files.deleteIfExists(ref);
            AtomicFiles.syncDirectory(subjectsDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete subject reference " + ref.getFileName(), e);
        }
    }

    @Override
    Optional<WrappedSubjectKey> loadWrappedKey(String keyId) {
        Optional<Path> file = keyFile(keyId);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        Optional<WrappedSubjectKey> wrapped;
        try {
            wrapped = readKeyFile(file.get());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read subject key " + keyId, e);
        }
        if (wrapped.isPresent() && !wrapped.get().keyId().equals(keyId)) {
            throw new UncheckedIOException(new IOException("key file " + keyId + ".json holds another key id"));
        }
        return wrapped;
    }

    @Override
    void saveWrappedKey(WrappedSubjectKey wrapped) {
        Path file = keyFile(wrapped.keyId()).orElseThrow(
                () -> new IllegalArgumentException("not a key id of this store: " + wrapped.keyId()));
        try {
            writeKeyFile(file, wrapped);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write subject key " + wrapped.keyId(), e);
        }
    }

    @Override
    void shredWrappedKey(String keyId) {
        Optional<Path> file = keyFile(keyId);
        if (file.isEmpty()) {
            return;
        }
        try {
            AtomicFiles.shred(file.get());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot destroy subject key " + keyId, e);
        }
    }

    @Override
    List<String> storedKeyIds() {
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(keysDir, "sk1-*.json")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String keyId = name.substring(0, name.length() - ".json".length());
                if (SubjectKeyIds.GENERATED.matcher(keyId).matches()) {
                    ids.add(keyId);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list subject keys", e);
        }
        ids.sort(null);
        return ids;
    }

    @Override
    void rewrapOwnKeys(Keyring newKeyring) {
        try {
            writeKeyFile(indexKeyFile, newKeyring.wrap(INDEX_KEY_ID, indexKey));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrap the subject index key", e);
        }
    }

    @Override
    SecretKeyMaterial indexKey() {
        return indexKey;
    }

    private Path referenceFile(String subjectId) {
        return subjectsDir.resolve(SubjectLookup.name(indexKey, subjectId));
    }

    /** Only ids this store generates map to files: a key id read from the database can never escape the directory. */
    private Optional<Path> keyFile(String keyId) {
        return SubjectKeyIds.GENERATED.matcher(keyId).matches()
                ? Optional.of(keysDir.resolve(keyId + ".json"))
                : Optional.empty();
    }

    private static void writeKeyFile(Path file, WrappedSubjectKey wrapped) throws IOException {
        ObjectNode node = JSON.createObjectNode()
                .put("format", KEY_FILE_FORMAT)
                .put("keyId", wrapped.keyId())
                .put("kek", wrapped.kekId().toString())
                .put("wrappedKey", Base64.getEncoder().encodeToString(wrapped.wrappedKey()));
        AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
    }

    private static Optional<WrappedSubjectKey> readKeyFile(Path file) throws IOException {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(raw);
            if (!KEY_FILE_FORMAT.equals(node.path("format").asText())) {
                throw new IOException("unknown format");
            }
            return Optional.of(new WrappedSubjectKey(node.path("keyId").asText(),
                    KekId.parse(node.path("kek").asText()),
                    Base64.getDecoder().decode(node.path("wrappedKey").asText())));
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("corrupt key file " + file.getFileName() + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Temp files of writes cut short by a crash hold wrapped keys nobody references: shred them. */
    private void removeStaleTempFiles() throws IOException {
        for (Path dir : List.of(directory, keysDir, subjectsDir)) {
            try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, ".*" + AtomicFiles.TEMP_SUFFIX)) {
                for (Path temp : temps) {
                    AtomicFiles.shred(temp);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "FileSubjectKeyStore[" + directory + "]";
    }
}
