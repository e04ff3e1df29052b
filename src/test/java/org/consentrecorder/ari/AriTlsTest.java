package org.consentrecorder.ari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.ConfigSource;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.TestCertificates;
import org.consentrecorder.testing.TestDatabase;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ARI over TLS: the ARI double serves HTTPS and WSS with a certificate a throwaway CA (generated here
 * with BouncyCastle) signed. The application trusts exactly the CA named by CR_ARI_CA_FILE: with it a
 * whole call runs (REST over HTTPS, events over WSS); without it, or with another CA, the handshake fails.
 */
class AriTlsTest {

    private static AriSettings settings(String url, Path ca) {
        Map<String, String> env = new HashMap<>();
        env.put("CR_ARI_URL", url);
        env.put("CR_ARI_PASSWORD", FakeAsterisk.PASSWORD);
        if (ca != null) {
            env.put("CR_ARI_CA_FILE", ca.toString());
        }
        ConfigReader r = new ConfigReader(ConfigSource.of(env));
        AriSettings s = AriSettings.load(r);
        r.throwIfProblems();
        return s;
    }

    private static int status(Vertx vertx, AriSettings s) throws Exception {
        VertxAriHttpClient http = new VertxAriHttpClient(vertx.createHttpClient(s.tls(new HttpClientOptions())),
                s.endpoint(), Duration.ofSeconds(5));
        return http.send("GET", "/asterisk/info", List.of(), null).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS).status();
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    @Test
    void aWholeCallRunsOverHttpsAndWss_trustingTheConfiguredCa(@TempDir Path dir) {
        TestCertificates.Issued certs = TestCertificates.serverFor127("consent-recorder test CA");
        FakeAsterisk asterisk = FakeAsterisk.startTls(certs);
        assertTrue(asterisk.url().startsWith("https://"), asterisk.url());
        Path ca = certs.writeCa(dir);
        try (AppHarness h = AppHarness.start(asterisk, TestDatabase.fresh(), Map.of("CR_ARI_CA_FILE", ca.toString()),
                Duration.ofSeconds(60))) {
            assertTrue(h.app.ari().connected(), "the event WebSocket (WSS) is open");
            String ch = h.asterisk.placeCall("+15559990001");
            h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/.*/play").size() == 2,
                    AppHarness.WAIT);
            h.asterisk.pressDtmf(ch, '1');
            h.asterisk.await("the call in the dialplan", () -> h.asterisk.location(ch).startsWith("dialplan:"),
                    AppHarness.WAIT);
            assertEquals("1", h.asterisk.variables(ch).get("CONSENT_RECORDING"), "recorded: snoop and record over HTTPS");
            h.asterisk.callerHangsUp(ch);
            h.awaitNoLiveCalls();
        }
    }

    @Test
    void withoutTheCa_orWithAnotherCa_theHandshakeFails(@TempDir Path dir) throws Exception {
        TestCertificates.Issued certs = TestCertificates.serverFor127("consent-recorder test CA");
        Path other = Files.createDirectories(dir.resolve("other"));
        Path otherCa = TestCertificates.serverFor127("someone else's CA").writeCa(other);
        Path ca = certs.writeCa(dir);
        Vertx vertx = Vertx.vertx();
        try (FakeAsterisk asterisk = FakeAsterisk.startTls(certs)) {
            assertEquals(200, status(vertx, settings(asterisk.url(), ca)));
            for (Path wrong : new Path[] {null, otherCa}) {
                ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        () -> status(vertx, settings(asterisk.url(), wrong)));
                assertTrue(rootCause(e) instanceof SSLHandshakeException
                        || rootCause(e).getClass().getName().contains("CertPath")
                        || String.valueOf(rootCause(e).getMessage()).contains("certification path"),
                        "a certificate failure, not something else: " + rootCause(e));
            }
            assertTrue(asterisk.requests("GET", "/ari/asterisk/info").size() == 1,
                    "only the trusted client's request got through");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theCaFileIsChecked(@TempDir Path dir) {
        ConfigReader missing = new ConfigReader(ConfigSource.of(Map.of("CR_ARI_URL", "https://asterisk:8089",
                "CR_ARI_PASSWORD", "x", "CR_ARI_CA_FILE", dir.resolve("nope.pem").toString())));
        AriSettings.load(missing);
        assertEquals("CR_ARI_CA_FILE", missing.problems().get(0).key(), missing.problems().toString());
        ConfigReader plain = new ConfigReader(ConfigSource.of(Map.of("CR_ARI_URL", "http://asterisk:8088",
                "CR_ARI_PASSWORD", "x", "CR_ARI_CA_FILE", dir.toString())));
        AriSettings.load(plain);
        assertTrue(plain.problems().get(0).problem().contains("not https"), plain.problems().toString());
        // host names are always verified, whatever the trust
        AriSettings s = settings("https://127.0.0.1:1", null);
        assertTrue(s.tls(new HttpClientOptions()).isVerifyHost());
        assertTrue(s.tls(new WebSocketClientOptions()).isVerifyHost());
    }
}
