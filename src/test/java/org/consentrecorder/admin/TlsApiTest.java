package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.Map;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With CR_TLS_CERT and CR_TLS_KEY the API (and health) is served over HTTPS only. */
class TlsApiTest {

    /** A self-signed certificate made with the JDK's keytool, written out as PEM files. */
    static Path[] selfSigned(Path dir) throws Exception {
        Path keystore = dir.resolve("test.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "api", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(keystore.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        Key key = ks.getKey("api", "changeit".toCharArray());
        Certificate cert = ks.getCertificate("api");
        Path certPem = dir.resolve("cert.pem");
        Path keyPem = dir.resolve("key.pem");
        Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes());
        Files.writeString(certPem, "-----BEGIN CERTIFICATE-----\n" + b64.encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        Files.writeString(keyPem, "-----BEGIN PRIVATE KEY-----\n" + b64.encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        return new Path[] {certPem, keyPem};
    }

    @Test
    void loginAndApiOverHttps(@TempDir Path dir) throws Exception {
        Path[] pem = selfSigned(dir);
        try (AppHarness h = AppHarness.start(Map.of("CR_TLS_CERT", pem[0].toString(), "CR_TLS_KEY", pem[1].toString()));
             ApiClient https = new ApiClient(h.app.httpPort(), true);
             ApiClient plain = new ApiClient(h.app.httpPort(), false)) {
            String token = ApiTestSupport.adminToken(https);
            assertEquals(200, https.get("/api/v1/accounts", token).status());
            assertEquals(200, https.get("/health/live", null).status());
            assertThrows(IllegalStateException.class, () -> plain.get("/health/live", null), "no plain HTTP on a TLS port");
        }
    }
}
