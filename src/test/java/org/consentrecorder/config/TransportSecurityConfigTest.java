package org.consentrecorder.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.ari.AriSettings;
import org.consentrecorder.ari.VertxAriHttpClient;
import org.consentrecorder.testing.TestCertificates;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The shipped PBX encrypts signalling and media, and the compose stack talks to it over TLS (issue 18).
 * No Docker engine here: the files are checked as declarations, and the certificate script the
 * container runs at its first start is run for real and its certificate trusted by the app's ARI client.
 */
class TransportSecurityConfigTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path CONFIG = ROOT.resolve("asterisk-config");

    /** section -> key -> value of an Asterisk .conf file (comments stripped; the first value of a key). */
    private static Map<String, Map<String, String>> conf(String name) throws Exception {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        String current = "";
        for (String raw : Files.readAllLines(CONFIG.resolve(name), StandardCharsets.UTF_8)) {
            String line = raw.replaceAll("(?<!\\\\);.*$", "").strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("[")) {
                current = line.substring(1, line.indexOf(']'));
                sections.putIfAbsent(current, new LinkedHashMap<>());
                continue;
            }
            String[] kv = line.split("\\s*=>?\\s*", 2);
            sections.computeIfAbsent(current, k -> new LinkedHashMap<>()).putIfAbsent(kv[0], kv.length > 1 ? kv[1] : "");
        }
        return sections;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(String name) throws Exception {
        Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        return (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get(name);
    }

    @Test
    void pjsipDeclaresTheTlsTransportAndSrtpWithASwitchToRequireIt() throws Exception {
        Map<String, Map<String, String>> pjsip = conf("pjsip.conf");
        Map<String, String> tls = pjsip.get("transport-tls");
        assertEquals("transport", tls.get("type"));
        assertEquals("tls", tls.get("protocol"));
        assertEquals("0.0.0.0:5061", tls.get("bind"));
        assertEquals("/etc/asterisk/keys/asterisk.crt", tls.get("cert_file"));
        assertEquals("/etc/asterisk/keys/asterisk.key", tls.get("priv_key_file"));
        assertTrue(tls.get("method").matches("tlsv1_[23]"), tls.get("method"));

        Map<String, String> endpoint = pjsip.get("softphone-endpoint");
        assertEquals("sdes", endpoint.get("media_encryption"), "SRTP (SDES keys over TLS signalling)");
        assertEquals("${PJSIP_SRTP_OPTIMISTIC}", endpoint.get("media_encryption_optimistic"),
                "the switch: rendered from ASTERISK_REQUIRE_SRTP");
        assertNull(endpoint.get("transport"), "no endpoint is pinned to plain UDP");

        String entrypoint = Files.readString(CONFIG.resolve("docker-entrypoint.sh"));
        assertTrue(entrypoint.contains("yes) PJSIP_SRTP_OPTIMISTIC=no"), "ASTERISK_REQUIRE_SRTP=yes requires SRTP");
        assertTrue(entrypoint.contains("no) PJSIP_SRTP_OPTIMISTIC=yes"));
        assertTrue(entrypoint.contains("${PJSIP_TRANSPORT_NAT} ${PJSIP_SRTP_OPTIMISTIC}'"), "rendered into pjsip.conf");
        assertTrue(entrypoint.contains("|PJSIP_SRTP_OPTIMISTIC)"), "and checked like the other placeholders");
        assertTrue(entrypoint.contains("/usr/local/bin/asterisk-tls-certificate /etc/asterisk/keys"),
                "the certificate is made at start when none is there");
        String dockerfile = Files.readString(CONFIG.resolve("Dockerfile"));
        assertTrue(dockerfile.contains("COPY tls-certificate.sh /usr/local/bin/asterisk-tls-certificate"));
        assertTrue(dockerfile.contains("        openssl \\"), "the image has openssl for the script");
        assertTrue(dockerfile.contains("5061/tcp"));

        // ARI over HTTPS/WSS with the same certificate; plain HTTP only inside the container
        Map<String, String> http = conf("http.conf").get("general");
        assertEquals("yes", http.get("tlsenable"));
        assertEquals("0.0.0.0:8089", http.get("tlsbindaddr"));
        assertEquals(tls.get("cert_file"), http.get("tlscertfile"));
        assertEquals(tls.get("priv_key_file"), http.get("tlsprivatekey"));
        assertEquals("127.0.0.1", http.get("bindaddr"));
    }

    @Test
    void composeUsesTlsBetweenTheAppAndAsterisk() throws Exception {
        Map<String, Object> asterisk = service("asterisk");
        Map<String, Object> app = service("app");
        assertTrue(((List<?>) asterisk.get("ports")).contains("5061:5061/tcp"), "SIP over TLS published");
        assertEquals(List.of("8089"), asterisk.get("expose"), "only ARI's TLS port, inside the compose network");
        assertFalse(String.valueOf(asterisk.get("ports")).contains("8088"));
        assertFalse(String.valueOf(asterisk.get("ports")).contains("8089"));
        assertTrue(((List<?>) asterisk.get("volumes")).contains("asterisk-tls:/etc/asterisk/keys"));
        assertTrue(((List<?>) app.get("volumes")).contains("asterisk-tls:/run/asterisk-tls:ro"),
                "the app sees Asterisk's certificate (read-only)");
        assertEquals("${ASTERISK_REQUIRE_SRTP:-no}", ((Map<?, ?>) asterisk.get("environment")).get("ASTERISK_REQUIRE_SRTP"));

        Properties dotenv = new Properties();
        dotenv.load(Files.newBufferedReader(ROOT.resolve(".env.example")));
        assertEquals("https://asterisk:8089", dotenv.getProperty("CR_ARI_URL"));
        assertEquals("/run/asterisk-tls/asterisk.crt", dotenv.getProperty("CR_ARI_CA_FILE"),
                "the file the certificate script writes, where the app mounts the volume");
        assertEquals("no", dotenv.getProperty("ASTERISK_REQUIRE_SRTP"));
    }

    @Test
    void theCertificateMadeAtFirstStart_isTrustedByTheAppsAriClient_andKeptAtTheNext(@TempDir Path dir) throws Exception {
        Path keys = dir.resolve("keys");
        run(keys, "127.0.0.1", "pbx.example.test");
        Path crt = keys.resolve("asterisk.crt");
        Path key = keys.resolve("asterisk.key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(crt)));
        List<String> names = new ArrayList<>();
        cert.getSubjectAlternativeNames().forEach(n -> names.add(n.get(1).toString()));
        assertEquals(List.of("asterisk", "127.0.0.1", "pbx.example.test"), names);

        // the app trusts exactly this certificate (CR_ARI_CA_FILE) and verifies the host name against it
        String pem = Files.readString(crt);
        Vertx vertx = Vertx.vertx();
        try (FakeAsterisk asterisk = FakeAsterisk.startTls(new TestCertificates.Issued(pem, pem, Files.readString(key)))) {
            ConfigReader r = new ConfigReader(ConfigSource.of(Map.of("CR_ARI_URL", asterisk.url(),
                    "CR_ARI_PASSWORD", FakeAsterisk.PASSWORD, "CR_ARI_CA_FILE", crt.toString())));
            AriSettings s = AriSettings.load(r);
            r.throwIfProblems();
            VertxAriHttpClient http = new VertxAriHttpClient(vertx.createHttpClient(s.tls(new HttpClientOptions())),
                    s.endpoint(), Duration.ofSeconds(30));
            assertEquals(200, http.send("GET", "/asterisk/info", List.of(), null).toCompletionStage()
                    .toCompletableFuture().get(60, TimeUnit.SECONDS).status());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        // the next start keeps it (as it keeps a certificate the operator mounted)
        byte[] before = Files.readAllBytes(crt);
        run(keys);
        assertArrayEquals(before, Files.readAllBytes(crt));
    }

    private static void run(Path keys, String... names) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", CONFIG.resolve("tls-certificate.sh").toString(),
                keys.toString()));
        command.addAll(List.of(names));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }
}
