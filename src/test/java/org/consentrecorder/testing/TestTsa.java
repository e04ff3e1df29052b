package org.consentrecorder.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoGeneratorBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampResponseGenerator;
import org.bouncycastle.tsp.TimeStampTokenGenerator;
import org.bouncycastle.util.CollectionStore;

/**
 * A time-stamping authority for tests (RFC 3161 over HTTP): a fresh RSA key and a self-signed certificate with the
 * critical timeStamping extended key usage, and BouncyCastle's {@link TimeStampTokenGenerator} behind a local
 * Vert.x HTTP server. Counts the requests it answered.
 */
public final class TestTsa implements AutoCloseable {
    private final HttpServer server;
    private final X509CertificateHolder certificate;
    private final AtomicInteger answered = new AtomicInteger();

    private TestTsa(HttpServer server, X509CertificateHolder certificate) {
        this.server = server;
        this.certificate = certificate;
    }

    public static TestTsa start(Vertx vertx, String commonName) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        X500Name name = new X500Name("CN=" + commonName);
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
        builder.addExtension(Extension.extendedKeyUsage, true, new ExtendedKeyUsage(KeyPurposeId.id_kp_timeStamping));
        X509CertificateHolder cert = builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate()));
        TimeStampTokenGenerator tokens = new TimeStampTokenGenerator(
                new JcaSimpleSignerInfoGeneratorBuilder().build("SHA256withRSA", keys.getPrivate(),
                        new JcaX509CertificateConverter().getCertificate(cert)),
                new JcaDigestCalculatorProviderBuilder().build().get(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256)),
                new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1"));
        tokens.addCertificates(new CollectionStore<>(List.of(cert)));
        TimeStampResponseGenerator responses = new TimeStampResponseGenerator(tokens, TSPAlgorithms.ALLOWED);
        AtomicInteger serial = new AtomicInteger();
        TestTsa[] self = new TestTsa[1];
        HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            try {
                TimeStampRequest request = new TimeStampRequest(body.getBytes());
                byte[] answer = responses.generate(request, BigInteger.valueOf(serial.incrementAndGet()), new Date())
                        .getEncoded();
                self[0].answered.incrementAndGet();
                req.response().putHeader("content-type", "application/timestamp-reply").end(Buffer.buffer(answer));
            } catch (Exception e) {
                req.response().setStatusCode(400).end();
            }
        }));
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        self[0] = new TestTsa(server, cert);
        return self[0];
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/tsa";
    }

    public X509CertificateHolder certificate() {
        return certificate;
    }

    /** Writes the certificate as PEM (what {@code CR_AUDIT_TSA_CERT} points at). */
    public Path writeCertificate(Path file) throws Exception {
        try (Writer w = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(certificate);
        }
        return file;
    }

    public int answered() {
        return answered.get();
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
