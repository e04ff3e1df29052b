package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.consentrecorder.config.ConfigProblem;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.ConfigSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API's pure parts: configuration rules, password hashing, byte ranges, audit hashing, roles. */
class AdminUnitsTest {

    private static List<ConfigProblem> problems(Map<String, String> env) {
        ConfigReader r = new ConfigReader(ConfigSource.of(env));
        AdminConfig.load(r);
        return r.problems();
    }

    @Test
    void config_defaultsAndKeys() {
        ConfigReader r = new ConfigReader(ConfigSource.of(Map.of()));
        AdminConfig c = AdminConfig.load(r);
        assertTrue(r.problems().isEmpty());
        assertEquals("admin", c.adminUser());
        assertTrue(c.adminPassword().isEmpty());
        assertFalse(c.devMode());
        assertEquals(Duration.ofMinutes(15), c.tokenTtl());
        assertEquals(5, c.login().maxFailuresPerAccount());
        assertEquals(20, c.login().maxFailuresPerAddress());
        assertEquals(65536, c.bodyLimitBytes());
        assertTrue(c.tls().isEmpty());
    }

    @Test
    void config_defaultOrWeakAdminSecrets_areRefusedOutsideDevelopmentMode() {
        for (String weak : List.of("change-me-admin-password", "admin", "password", "short1!", "aaaaaaaaaaaaaaaa", "Admin")) {
            List<ConfigProblem> p = problems(Map.of("CR_ADMIN_PASSWORD", weak));
            assertEquals(1, p.size(), weak);
            assertEquals("CR_ADMIN_PASSWORD", p.get(0).key());
            assertFalse(p.get(0).problem().contains(weak), "the value is never echoed");
            assertTrue(problems(Map.of("CR_ADMIN_PASSWORD", weak, "CR_DEV_MODE", "true")).isEmpty(), weak);
        }
        assertTrue(problems(Map.of("CR_ADMIN_PASSWORD", "a-Real-secret-2025")).isEmpty());
        assertEquals(1, problems(Map.of("CR_ADMIN_USER", "Bad User!")).size());
    }

    @Test
    void config_tlsNeedsBothReadablePemFiles(@TempDir Path dir) throws Exception {
        assertEquals("CR_TLS_KEY", problems(Map.of("CR_TLS_CERT", "/x.pem")).get(0).key());
        Path cert = dir.resolve("c.pem");
        Path key = dir.resolve("k.pem");
        Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n");
        assertTrue(problems(Map.of("CR_TLS_CERT", cert.toString(), "CR_TLS_KEY", key.toString())).isEmpty());
        assertEquals(2, problems(Map.of("CR_TLS_CERT", key.toString(), "CR_TLS_KEY", dir.resolve("none").toString())).size());
        Map<String, String> env = new HashMap<>(Map.of("CR_TOKEN_TTL", "5s", "CR_LOGIN_MAX_FAILURES", "0", "CR_API_BODY_LIMIT", "10"));
        assertEquals(3, problems(env).size());
    }

    @Test
    void argon2id_phcStrings() {
        PasswordHasher hasher = new PasswordHasher(1024, 1);
        String hash = hasher.hash("correct horse battery staple");
        assertTrue(hash.startsWith("$argon2id$v=19$m=1024,t=1,p=1$"), hash);
        assertTrue(hasher.verify("correct horse battery staple", hash));
        assertFalse(hasher.verify("correct horse battery stapler", hash));
        assertNotEquals(hash, hasher.hash("correct horse battery staple"), "salted");
        assertFalse(hasher.verify("x", "$argon2i$v=19$m=1024,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA"));
        assertFalse(hasher.verify("x", "plain"));
        // a hash made with other parameters still verifies: they travel in the string
        assertTrue(new PasswordHasher().verify("correct horse battery staple", hash));
        // the default cost parameters (OWASP) are what new hashes carry
        String defaults = new PasswordHasher().hash("pw-0123456789");
        assertTrue(defaults.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), defaults);
    }

    @Test
    void byteRanges() {
        assertEquals(Optional.empty(), ByteRange.parse(null, 100));
        assertEquals(new ByteRange(0, 9, 100), ByteRange.parse("bytes=0-9", 100).orElseThrow());
        assertEquals(new ByteRange(90, 99, 100), ByteRange.parse("bytes=90-", 100).orElseThrow());
        assertEquals(new ByteRange(80, 99, 100), ByteRange.parse("bytes=-20", 100).orElseThrow());
        assertEquals(new ByteRange(0, 99, 100), ByteRange.parse("bytes=-500", 100).orElseThrow());
        assertEquals(new ByteRange(5, 99, 100), ByteRange.parse("bytes=5-1000", 100).orElseThrow());
        assertEquals("bytes 5-99/100", ByteRange.parse("bytes=5-1000", 100).orElseThrow().contentRange());
        for (String bad : List.of("bytes=100-", "bytes=5-4", "bytes=0-1,3-4", "bytes=x-", "pages=1-2", "bytes=-0", "bytes=-",
                "bytes=99999999999999999999-")) {
            ApiError e = assertThrows(ApiError.class, () -> ByteRange.parse(bad, 100), bad);
            assertEquals(416, e.status());
        }
        assertThrows(ApiError.class, () -> ByteRange.parse("bytes=0-", 0));
    }

    @Test
    void auditHash_coversEveryField_andIsKeyed() {
        org.consentrecorder.crypto.AuditChainKeys keys = org.consentrecorder.testing.AppHarness.auditKeys();
        String key = keys.currentId();
        Instant at = Instant.parse("2025-01-01T00:00:00.123Z");
        byte[] ref = new byte[32];
        AuditRow row = new AuditRow(7, at, "account", "id", "sue", "recordings.play", "recording", "r1", "127.0.0.1",
                "allowed", "{\"a\":1}", ref, key);
        byte[] prev = new byte[32];
        byte[] hash = row.hash(prev, keys);
        assertArrayEquals(hash, row.hash(prev, keys));
        assertFalse(java.util.Arrays.equals(hash, new AuditRow(8, at, "account", "id", "sue", "recordings.play",
                "recording", "r1", "127.0.0.1", "allowed", "{\"a\":1}", ref, key).hash(prev, keys)));
        assertFalse(java.util.Arrays.equals(hash, new AuditRow(7, at.plusMillis(1), "account", "id", "sue",
                "recordings.play", "recording", "r1", "127.0.0.1", "allowed", "{\"a\":1}", ref, key).hash(prev, keys)));
        assertFalse(java.util.Arrays.equals(hash, new AuditRow(7, at, "account", "id", "sue", "recordings.play",
                "recording", "r1", "127.0.0.1", "denied", "{\"a\":1}", ref, key).hash(prev, keys)));
        assertFalse(java.util.Arrays.equals(hash, new AuditRow(7, at, "account", "id", "sue", "recordings.play",
                "recording", "r1", "127.0.0.1", "allowed", "{\"a\":1}", new byte[] {1}, key).hash(prev, keys)));
        // moving text from one field into the next changes the hash (fields are length-prefixed)
        assertFalse(java.util.Arrays.equals(hash, new AuditRow(7, at, "account", "id", "sue", "recordings.play",
                "recording", "r", "1127.0.0.1", "allowed", "{\"a\":1}", ref, key).hash(prev, keys)));
        assertFalse(java.util.Arrays.equals(new AuditRow(7, at, "account", "id", "sue", "recordings.play", "recording",
                        null, "127.0.0.1", "allowed", null, ref, key).hash(prev, keys),
                new AuditRow(7, at, "account", "id", "sue", "recordings.play", "recording", "", "127.0.0.1", "allowed",
                        null, ref, key).hash(prev, keys)));
        // keyed: the same row under another key, or unkeyed, has another hash
        org.consentrecorder.crypto.AuditChainKeys other = org.consentrecorder.crypto.AuditChainKeys.of(
                org.consentrecorder.crypto.KeyringLoader.load(null, "kek-test:1="
                        + java.util.Base64.getEncoder().encodeToString(new byte[32])));
        assertFalse(java.util.Arrays.equals(hash, row.hash(prev, other)));
        AuditRow unkeyed = new AuditRow(7, at, "account", "id", "sue", "recordings.play", "recording", "r1",
                "127.0.0.1", "allowed", "{\"a\":1}", ref, null);
        assertFalse(java.util.Arrays.equals(hash, unkeyed.hash(prev, keys)));
    }

    @Test
    void freeText_leavesTheChainedRow_andItsCommitmentHidesIt() {
        AuditEntry e = new AuditEntry("account", "id", "sue", "consent.withdraw", "subject", "subj-abc", "a reason",
                "127.0.0.1", "ok", "{\"caller\":\"subj-abc\",\"note\":\"ticket 4711\",\"changed\":true}");
        AuditText.Split split = AuditText.split(e);
        assertEquals("{\"caller\":\"subj-abc\",\"changed\":true}", split.detail());
        assertEquals("subj-abc", split.subject());
        assertEquals("{\"reason\":\"a reason\",\"note\":\"ticket 4711\"}", split.text().body());
        byte[] commitment = split.text().commitment();
        assertArrayEquals(commitment, AuditText.commitment(split.text().nonce(), split.text().body()));
        // without the nonce the text cannot be confirmed by guessing it
        assertFalse(java.util.Arrays.equals(commitment, AuditText.commitment(new byte[16], split.text().body())));
        assertEquals(null, AuditText.split(new AuditEntry("account", "id", "sue", "audit.read", null, null, null,
                "127.0.0.1", "allowed", "{\"limit\":5}")).text(), "no free text, nothing beside the chain");
    }

    @Test
    void roles_denyByDefault() {
        assertTrue(Role.ADMIN.allows(Permission.MANAGE_ACCOUNTS));
        assertFalse(Role.ADMIN.allows(Permission.PLAYBACK));
        assertFalse(Role.ADMIN.allows(Permission.READ_AUDIT));
        assertTrue(Role.COMPLIANCE.allows(Permission.ERASURE));
        assertFalse(Role.SUPERVISOR.allows(Permission.EXPORT));
        assertTrue(Role.AUDITOR.allows(Permission.READ_AUDIT));
        assertFalse(Role.AUDITOR.allows(Permission.SEARCH));
        assertTrue(Role.AGENT.allows(Permission.CONTROL_LIVE_CALLS));
        assertFalse(Role.AGENT.allows(Permission.SEARCH));
    }

    @Test
    void liveCallStatuses_mapToHttp() {
        assertEquals(200, LiveCallRoutes.httpStatus("paused"));
        assertEquals(200, LiveCallRoutes.httpStatus("pause_failed_recording_stopped"), "the recording is safely stopped");
        assertEquals(404, LiveCallRoutes.httpStatus("not_found"));
        assertEquals(409, LiveCallRoutes.httpStatus("not_recording"));
        assertEquals(502, LiveCallRoutes.httpStatus("resume_failed_still_paused"));
        assertEquals(504, LiveCallRoutes.httpStatus("timeout"));
    }

    @Test
    void tokens() {
        String t = Tokens.newToken(Tokens.API_PREFIX);
        assertTrue(Tokens.wellFormed(t));
        assertFalse(Tokens.wellFormed(t.substring(1)));
        assertFalse(Tokens.wellFormed("crs_" + "!".repeat(43)));
        assertEquals(32, Tokens.hash(t).length);
    }

    @Test
    void controlCharacters_everyC0ButTabAndNewline() {
        for (char c = 0; c < 0x20; c++) {
            assertEquals(c != '\t' && c != '\n', ControlCharacters.present("a" + c + "b"), "U+" + (int) c);
        }
        assertFalse(ControlCharacters.present("plain text, DEL \u007f and é ü 電話 are not C0"));
        assertFalse(ControlCharacters.present(""));
    }
}
