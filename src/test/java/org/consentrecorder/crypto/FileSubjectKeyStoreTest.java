package org.consentrecorder.crypto;

import static org.consentrecorder.crypto.StreamTestSupport.RECORDING_A;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSubjectKeyStoreTest extends SubjectKeyStoreContract {

    @TempDir
    Path dir;

    @Override
    KeyringSubjectKeyStore newStore(Keyring keyring) {
        return FileSubjectKeyStore.open(dir.resolve("subject-keys"), keyring);
    }

    @Override
    KeyringSubjectKeyStore reopen(KeyringSubjectKeyStore store, Keyring keyring) {
        return FileSubjectKeyStore.open(((FileSubjectKeyStore) store).directory(), keyring);
    }

    @Override
    KeyringSubjectKeyStore reopenTolerant(KeyringSubjectKeyStore store, Keyring keyring) {
        // The index key is still under the old KEK, so the store refuses to open at all: also a clear signal.
        assertThrows(KeyUnavailableException.class, () -> reopen(store, keyring));
        return null;
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void layoutAndFormatOfTheDirectory() throws IOException {
        FileSubjectKeyStore store = (FileSubjectKeyStore) newStore(keyring1);
        String keyId = store.getOrCreate(ALICE);
        Path root = store.directory();
        assertTrue(Files.isRegularFile(root.resolve("index-key.json")));
        Path keyFile = root.resolve("keys").resolve(keyId + ".json");
        JsonNode json = new JsonMapper().readTree(keyFile.toFile());
        assertEquals("consent-recorder-wrapped-subject-key/1", json.get("format").asText());
        assertEquals(keyId, json.get("keyId").asText());
        assertEquals("kek-2026:1", json.get("kek").asText());
        assertEquals(60, Base64.getDecoder().decode(json.get("wrappedKey").asText()).length);
        try (Stream<Path> refs = Files.list(root.resolve("subjects"))) {
            List<Path> all = refs.toList();
            assertEquals(1, all.size());
            assertTrue(all.get(0).getFileName().toString().matches("[0-9a-f]{64}"));
            assertEquals(keyId + "\n", Files.readString(all.get(0)));
        }
    }

    @Test
    void noFileNameOrContentRevealsTheSubjectId() throws IOException {
        FileSubjectKeyStore store = (FileSubjectKeyStore) newStore(keyring1);
        store.getOrCreate(ALICE);
        store.getOrCreate(BOB);
        store.issueDataKey(ALICE, RECORDING_A).close();
        for (String subject : List.of(ALICE, BOB)) {
            String digits = subject.substring(1);
            for (Path file : files(store.directory())) {
                String relative = store.directory().relativize(file).toString();
                assertFalse(relative.contains(digits), relative);
                String content = Files.readString(file, StandardCharsets.ISO_8859_1);
                assertFalse(content.contains(digits), relative + " contains a subject id");
                assertFalse(content.contains(subject.substring(4)), relative + " contains part of a subject id");
            }
        }
    }

    @Test
    void lookupNamesDependOnTheStoresSecretIndexKey() {
        FileSubjectKeyStore one = FileSubjectKeyStore.open(dir.resolve("one"), keyring1);
        FileSubjectKeyStore two = FileSubjectKeyStore.open(dir.resolve("two"), keyring1);
        one.getOrCreate(ALICE);
        two.getOrCreate(ALICE);
        String nameOne = dir.resolve("one/subjects").toFile().list()[0];
        String nameTwo = dir.resolve("two/subjects").toFile().list()[0];
        assertNotEquals(nameOne, nameTwo, "an unkeyed hash would be the same everywhere, and brute-forceable");
    }

    @Test
    void keysSurviveReopening() {
        FileSubjectKeyStore store = (FileSubjectKeyStore) newStore(keyring1);
        byte[] audio = StreamTestSupport.randomBytes(2000, 4);
        IssuedDataKey issued = store.issueDataKey(ALICE, RECORDING_A);
        byte[] stored = StreamTestSupport.encrypt(issued.dataKey(), RECORDING_A, audio, 512, CipherBackend.DEFAULT);
        issued.close();

        FileSubjectKeyStore again = FileSubjectKeyStore.open(store.directory(), keyring1);
        assertEquals(store.find(ALICE), again.find(ALICE));
        try (DataKey key = again.unwrapDataKey(issued.wrapped(), RECORDING_A)) {
            assertArrayEquals(audio, StreamTestSupport.decrypt(key, RECORDING_A, stored, CipherBackend.DEFAULT));
        }
        Keyring unrelated = Keyring.of(List.of(KeyTestSupport.kek("other:1", 999)));
        assertThrows(KeyUnavailableException.class, () -> FileSubjectKeyStore.open(store.directory(), unrelated));
    }

    @Test
    void writesLeaveNoTempFilesAndStaleOnesAreShreddedOnOpen() throws IOException {
        FileSubjectKeyStore store = (FileSubjectKeyStore) newStore(keyring1);
        store.getOrCreate(ALICE);
        store.rewrapAll(keyring1.withNewest(kek2));
        store.destroy(ALICE);
        store.getOrCreate(BOB);
        assertTrue(files(store.directory()).stream().noneMatch(f -> f.getFileName().toString().endsWith(".tmp")));

        // A crash between writing and renaming leaves a temp file behind; the next open removes it.
        Path stale = store.directory().resolve("keys").resolve(".sk1-deadbeef.json.0011223344556677.tmp");
        Files.writeString(stale, "{\"half\": \"written");
        FileSubjectKeyStore.open(store.directory(), keyring1.withNewest(kek2));
        assertFalse(Files.exists(stale));
    }

    @Test
    void rewrapReplacesKeyFilesWholeAndKeepsTheirIds() throws IOException {
        FileSubjectKeyStore store = (FileSubjectKeyStore) newStore(keyring1);
        String keyId = store.getOrCreate(ALICE);
        Path keyFile = store.directory().resolve("keys").resolve(keyId + ".json");
        String before = Files.readString(keyFile);
        String indexBefore = Files.readString(store.directory().resolve("index-key.json"));
        store.rewrapAll(keyring1.withNewest(kek2));
        String after = Files.readString(keyFile);
        assertNotEquals(before, after);
        assertTrue(after.contains("\"kek\" : \"kek-2026:2\""), after);
        assertTrue(Files.readString(store.directory().resolve("index-key.json")).contains("kek-2026:2"));
        assertNotEquals(indexBefore, Files.readString(store.directory().resolve("index-key.json")));
        assertEquals(keyId, store.find(ALICE).orElseThrow());
    }

    @Test
    void destroyRemovesTheKeyFileAndTheReference() throws IOException {
        FileSubjectKeyStore store = (FileSubjectKeyStore) newStore(keyring1);
        String keyId = store.getOrCreate(ALICE);
        String wrapped = new JsonMapper().readTree(store.directory().resolve("keys").resolve(keyId + ".json").toFile())
                .get("wrappedKey").asText();
        store.destroy(ALICE);
        assertFalse(Files.exists(store.directory().resolve("keys").resolve(keyId + ".json")));
        try (Stream<Path> refs = Files.list(store.directory().resolve("subjects"))) {
            assertEquals(0, refs.count());
        }
        for (Path file : files(store.directory())) {
            assertFalse(Files.readString(file, StandardCharsets.ISO_8859_1).contains(wrapped));
        }
    }

    @Test
    void filesAreOwnerOnly() throws IOException {
        // the product runs on Linux: owner-only files are part of the contract there, never skipped
        assertTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "a POSIX file system");
        FileSubjectKeyStore store = (FileSubjectKeyStore) newStore(keyring1);
        store.getOrCreate(ALICE);
        for (Path file : files(store.directory())) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file.toString());
        }
        assertEquals("rwx------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(store.directory().resolve("keys"))));
    }

    @Test
    void keyIdsFromOutsideCannotReachOtherFiles() {
        FileSubjectKeyStore store = (FileSubjectKeyStore) newStore(keyring1);
        assertThrows(IllegalArgumentException.class, () -> WrappedDataKey.of("../../index-key", new byte[60]));
        assertThrows(KeyUnavailableException.class,
                () -> store.unwrapDataKey(WrappedDataKey.of("subject-index-key", new byte[60]), RECORDING_A));
        assertThrows(KeyUnavailableException.class,
                () -> store.unwrapDataKey(WrappedDataKey.of("kms:alias.x", new byte[60]), RECORDING_A));
    }

    @Test
    void corruptKeyFileIsReportedNotIgnored() throws IOException {
        FileSubjectKeyStore store = (FileSubjectKeyStore) newStore(keyring1);
        String keyId = store.getOrCreate(ALICE);
        Files.writeString(store.directory().resolve("keys").resolve(keyId + ".json"), "{\"format\": 1}");
        assertThrows(UncheckedIOException.class, () -> store.find(ALICE));
    }
}
