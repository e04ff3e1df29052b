package org.consentrecorder.crypto;

import static org.consentrecorder.crypto.KeyTestSupport.keyBase64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyringLoaderTest {

    @TempDir
    Path dir;

    private Path file(String json) throws IOException {
        Path file = dir.resolve("keyring.json");
        Files.writeString(file, json);
        return file;
    }

    private static String json(String newest, String... entries) {
        return "{\"format\": \"consent-recorder-keyring/1\","
                + (newest == null ? "" : " \"newest\": \"" + newest + "\",")
                + " \"keys\": [" + String.join(",", entries) + "]}";
    }

    private static String entry(String id, String key) {
        return "{\"id\": \"" + id + "\", \"key\": \"" + key + "\"}";
    }

    /** The message names the problem and leaks none of the given secrets. */
    private static KeyringException rejected(Runnable load, String expectedFragment, String... secrets) {
        KeyringException e = assertThrows(KeyringException.class, load::run);
        assertTrue(e.getMessage().contains(expectedFragment), e.getMessage());
        for (String secret : secrets) {
            assertFalse(e.getMessage().contains(secret), "message leaks input: " + e.getMessage());
            assertFalse(e.getMessage().contains(secret.substring(0, 12)), "message leaks input: " + e.getMessage());
        }
        return e;
    }

    @Test
    void loadsJsonFileAndPicksTheHighestVersionAsNewest() throws IOException {
        Keyring keyring = KeyringLoader.fromFile(file(json(null,
                entry("kek-2026:2", keyBase64(2)), entry("kek-2026:3", keyBase64(3)), entry("kek-2025:1", keyBase64(1)))));
        assertEquals(KekId.parse("kek-2026:3"), keyring.newestId());
        assertEquals(3, keyring.ids().size());
    }

    @Test
    void explicitNewestWins() throws IOException {
        Keyring keyring = KeyringLoader.fromFile(file(json("kek-a:1",
                entry("kek-a:1", keyBase64(1)), entry("kek-b:7", keyBase64(2)))));
        assertEquals(KekId.parse("kek-a:1"), keyring.newestId());
    }

    @Test
    void loadsCompactEnvironmentFormat() {
        Keyring keyring = KeyringLoader.fromEnvironmentValue(
                " kek-2026:1=" + keyBase64(1) + ";kek-2026:2=" + keyBase64(2) + "\n,kek-2026:3=" + keyBase64(3) + " ");
        assertEquals(KekId.parse("kek-2026:3"), keyring.newestId());
        Keyring pinned = KeyringLoader.fromEnvironmentValue(
                "kek-2026:1=" + keyBase64(1) + ";kek-2026:2=" + keyBase64(2) + ";newest=kek-2026:1");
        assertEquals(KekId.parse("kek-2026:1"), pinned.newestId());
    }

    @Test
    void environmentMayHoldTheJsonFormatToo() {
        Keyring keyring = KeyringLoader.fromEnvironmentValue(json(null, entry("kek-x:4", keyBase64(4))));
        assertEquals(KekId.parse("kek-x:4"), keyring.newestId());
    }

    @Test
    void fileAndEnvironmentAreMerged() throws IOException {
        Keyring keyring = KeyringLoader.load(file(json(null, entry("kek-2026:1", keyBase64(1)))),
                "kek-2026:2=" + keyBase64(2));
        assertEquals(List.of(KekId.parse("kek-2026:1"), KekId.parse("kek-2026:2")), List.copyOf(keyring.ids()));
        assertEquals(KekId.parse("kek-2026:2"), keyring.newestId());
    }

    @Test
    void badBase64IsNamedWithoutEchoingIt() throws IOException {
        String bad = "not*base64*at*all*but*long*enough*to*matter";
        Path f = file(json(null, entry("kek-2026:1", bad)));
        rejected(() -> KeyringLoader.fromFile(f), "kek-2026:1): key is not valid base64", bad);
        rejected(() -> KeyringLoader.fromEnvironmentValue("kek-2026:1=" + bad), "entry 1 (kek-2026:1): key is not valid base64",
                bad);
    }

    @Test
    void wrongLengthIsNamed() throws IOException {
        String short16 = Base64.getEncoder().encodeToString(KeyTestSupport.keyBytes(9)).substring(0, 24);
        Path f = file(json(null, entry("kek-2026:1", short16)));
        rejected(() -> KeyringLoader.fromFile(f), "decodes to 18 bytes, expected 32", short16);
    }

    @Test
    void duplicateIdIsRefused() throws IOException {
        Path f = file(json(null, entry("kek-2026:1", keyBase64(1)), entry("kek-2026:1", keyBase64(2))));
        rejected(() -> KeyringLoader.fromFile(f), "kek-2026:1 twice", keyBase64(1), keyBase64(2));
        rejected(() -> KeyringLoader.load(f, "kek-2026:2=" + keyBase64(3) + ";kek-2026:1=" + keyBase64(4)),
                "kek-2026:1 twice", keyBase64(4));
    }

    @Test
    void emptyKeyringsAreRefused() throws IOException {
        Path f = file(json(null));
        rejected(() -> KeyringLoader.fromFile(f), "no keys");
        rejected(() -> KeyringLoader.fromEnvironmentValue(" ; ,"), "no keys");
        rejected(() -> KeyringLoader.load(null, "  "), "no keyring configured");
    }

    @Test
    void ambiguousNewestIsRefused() {
        rejected(() -> KeyringLoader.fromEnvironmentValue("a:3=" + keyBase64(1) + ";b:3=" + keyBase64(2)),
                "share the highest version 3", keyBase64(1));
        rejected(() -> KeyringLoader.fromEnvironmentValue("a:3=" + keyBase64(1) + ";newest=a:4"),
                "newest KEK a:4 is not in the keyring");
    }

    @Test
    void aKeyPastedWhereTheIdBelongsIsNotEchoed() {
        String key = keyBase64(5);
        String hexKey = java.util.HexFormat.of().formatHex(KeyTestSupport.keyBytes(5));
        rejected(() -> KeyringLoader.fromEnvironmentValue(hexKey), "not of the form name:version=base64key", hexKey);
        rejected(() -> KeyringLoader.fromEnvironmentValue(key), "KEK id must look like name:version", key);
        rejected(() -> KeyringLoader.fromEnvironmentValue(key.replace("=", "") + "=" + key),
                "KEK id must look like name:version", key);
    }

    @Test
    void malformedJsonReportsOnlyThePosition() throws IOException {
        String key = keyBase64(6);
        Path f = file("{\"format\": \"consent-recorder-keyring/1\", \"keys\": [{\"id\": \"k:1\", \"key\": " + key + "}]}");
        KeyringException e = rejected(() -> KeyringLoader.fromFile(f), "not valid JSON (line 1", key);
        assertFalse(e.getMessage().contains(key.substring(0, 6)));
    }

    @Test
    void structuralProblemsAreNamed() throws IOException {
        Path noFormat = file("{\"keys\": [" + entry("k:1", keyBase64(1)) + "]}");
        rejected(() -> KeyringLoader.fromFile(noFormat), "\"format\" must be");
        Path unknownField = file(json(null, "{\"id\": \"k:1\", \"key\": \"" + keyBase64(1) + "\", \"kye\": 1}"));
        rejected(() -> KeyringLoader.fromFile(unknownField), "keys entry 1: unknown field");
        Path badId = file(json(null, entry("no-version", keyBase64(1))));
        rejected(() -> KeyringLoader.fromFile(badId), "keys entry 1 \"id\": KEK id must look like name:version");
        rejected(() -> KeyringLoader.fromFile(dir.resolve("missing.json")), "cannot be read");
    }

    @Test
    void keyringAndKekPrintNoKeyBytes() {
        Keyring keyring = KeyringLoader.fromEnvironmentValue("kek-2026:1=" + keyBase64(1));
        assertEquals("Keyring[newest=kek-2026:1, keks=[kek-2026:1]]", keyring.toString());
        assertEquals("Kek[kek-2026:1, redacted]", keyring.find(KekId.parse("kek-2026:1")).orElseThrow().toString());
        keyring.destroy();
        assertTrue(keyring.isDestroyed());
    }
}
