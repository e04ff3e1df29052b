package org.consentrecorder.admin;

import java.io.IOException;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import org.bouncycastle.asn1.cmp.PKIStatus;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampToken;

/**
 * RFC 3161 time-stamps of audit anchors, with BouncyCastle's bcpkix: the request for an anchor, the check of the
 * TSA's response against it, and the verification of a stored token (signature, signer, imprint). The imprint is
 * {@code SHA-256("consent-recorder audit anchor v1\n" || int8(seq) || hash)}, so a token names one head exactly.
 */
public final class TimeStamps {
    private static final byte[] DOMAIN = "consent-recorder audit anchor v1\n".getBytes(StandardCharsets.UTF_8);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Optional<X509CertificateHolder> pinned;

    /** @param pinned the TSA's certificate; when present, a token signed by any other certificate is refused */
    public TimeStamps(Optional<X509CertificateHolder> pinned) {
        this.pinned = pinned;
    }

    /** Reads the PEM certificate of {@link AuditSettings#TSA_CERT}. */
    public static X509CertificateHolder readCertificate(Path pem) throws IOException {
        try (Reader in = Files.newBufferedReader(pem, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(in)) {
            Object o = parser.readObject();
            if (o instanceof X509CertificateHolder cert) {
                return cert;
            }
            throw new IOException(pem + " holds no PEM certificate");
        }
    }

    /** The problem with a time-stamp: the TSA refused, answered something else, or a stored token does not verify. */
    public static final class TimeStampException extends Exception {
        public TimeStampException(String message) {
            super(message);
        }
    }

    /** A verified token: when the TSA says it saw the anchor. */
    public record Verified(Instant time) {
    }

    public static byte[] imprint(long seq, byte[] hash) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(DOMAIN);
            sha.update(java.nio.ByteBuffer.allocate(8).putLong(seq).array());
            sha.update(hash);
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A request (with a fresh nonce, asking for the TSA's certificate) for the anchor (seq, hash). */
    public static TimeStampRequest request(long seq, byte[] hash) {
        TimeStampRequestGenerator generator = new TimeStampRequestGenerator();
        generator.setCertReq(true);
        return generator.generate(TSPAlgorithms.SHA256, imprint(seq, hash), new BigInteger(64, RANDOM));
    }

    /** The token of the TSA's response, once the response is checked against the request and the token verified. */
    public byte[] accept(TimeStampRequest request, byte[] response) throws TimeStampException {
        try {
            TimeStampResponse r = new TimeStampResponse(response);
            if (r.getStatus() != PKIStatus.GRANTED && r.getStatus() != PKIStatus.GRANTED_WITH_MODS) {
                throw new TimeStampException("the TSA refused the request (status " + r.getStatus() + ": "
                        + r.getStatusString() + ")");
            }
            r.validate(request);
            byte[] token = r.getTimeStampToken().getEncoded();
            verify(token, request.getMessageImprintDigest());
            return token;
        } catch (TSPException | IOException e) {
            throw new TimeStampException("the TSA's response is not a valid answer to the request: " + e.getMessage());
        }
    }

    /** Verifies a stored token: its signature by the (pinned) TSA certificate, and that it stamps {@code imprint}. */
    public Verified verify(byte[] tokenBytes, byte[] imprint) throws TimeStampException {
        try {
            TimeStampToken token = new TimeStampToken(new CMSSignedData(tokenBytes));
            @SuppressWarnings("unchecked")
            Collection<X509CertificateHolder> signers = token.getCertificates().getMatches(token.getSID());
            X509CertificateHolder signer = pinned.orElse(signers.isEmpty() ? null : signers.iterator().next());
            if (signer == null) {
                throw new TimeStampException("the token carries no signer certificate and none is configured ("
                        + AuditSettings.TSA_CERT + ")");
            }
            if (!token.getSID().match(signer)) {
                throw new TimeStampException("the token is not signed by the configured TSA certificate");
            }
            token.validate(new JcaSimpleSignerInfoVerifierBuilder().build(signer));
            if (!MessageDigest.isEqual(token.getTimeStampInfo().getMessageImprintDigest(), imprint)) {
                throw new TimeStampException("the token stamps another anchor");
            }
            return new Verified(token.getTimeStampInfo().getGenTime().toInstant());
        } catch (CMSException | TSPException | IOException | OperatorCreationException
                 | java.security.cert.CertificateException e) {
            throw new TimeStampException("the token does not verify: " + e.getMessage());
        }
    }
}
