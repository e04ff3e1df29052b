package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.ConfigSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditSettingsTest {
    @TempDir
    Path dir;

    private static ConfigReader reader(Map<String, String> env) {
        return new ConfigReader(ConfigSource.of(env));
    }

    private static String problems(ConfigReader r) {
        return r.problems().stream().map(Object::toString).collect(Collectors.joining("\n"));
    }

    @Test
    void unset_meansNoAnchoring() {
        ConfigReader r = reader(Map.of());
        AuditSettings s = AuditSettings.load(r);
        assertTrue(r.problems().isEmpty(), problems(r));
        assertFalse(s.anchoring());
        assertEquals(Duration.ofMinutes(15), s.interval());
    }

    @Test
    void everyTarget_isRead() throws Exception {
        Path cert = Files.writeString(dir.resolve("tsa.pem"), "-----BEGIN CERTIFICATE-----\n");
        ConfigReader r = reader(Map.of(AuditSettings.ANCHOR_FILE, dir.resolve("anchors.jsonl").toString(),
                AuditSettings.ANCHOR_INTERVAL, "5m", AuditSettings.ANCHOR_SYSLOG, "logs.example:514",
                AuditSettings.TSA_URL, "https://tsa.example/tsr", AuditSettings.TSA_CERT, cert.toString()));
        AuditSettings s = AuditSettings.load(r);
        assertTrue(r.problems().isEmpty(), problems(r));
        assertTrue(s.anchoring());
        assertEquals(Duration.ofMinutes(5), s.interval());
        assertEquals(new AuditSettings.SyslogTarget("logs.example", 514), s.syslog().orElseThrow());
        assertEquals("tsa.example", s.tsaUrl().orElseThrow().getHost());
    }

    @Test
    void badValues_areNamed() {
        ConfigReader r = reader(Map.of(AuditSettings.ANCHOR_FILE, dir.resolve("missing/anchors.jsonl").toString(),
                AuditSettings.ANCHOR_SYSLOG, "no-port", AuditSettings.TSA_URL, "ftp://tsa.example",
                AuditSettings.TSA_CERT, dir.resolve("none.pem").toString()));
        AuditSettings.load(r);
        String all = problems(r);
        for (String key : new String[] {AuditSettings.ANCHOR_FILE, AuditSettings.ANCHOR_SYSLOG, AuditSettings.TSA_URL,
                AuditSettings.TSA_CERT}) {
            assertTrue(all.contains(key), key + " in " + all);
        }
    }
}
