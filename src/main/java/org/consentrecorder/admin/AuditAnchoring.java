package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bouncycastle.tsp.TimeStampRequest;
import org.consentrecorder.crypto.AuditChainKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the audit chain's head outside the database, every {@link AuditSettings#interval()} when it has moved: a
 * line of the anchor file, a syslog message, an RFC 3161 time-stamp token (stored in {@code audit_timestamp}); and
 * verifies the chain against all of them ({@link #verify()}). An anchor that fails to be written is logged and tried
 * again at the next tick; it never stops the audit trail itself.
 */
public final class AuditAnchoring {
    private static final Logger LOG = LoggerFactory.getLogger(AuditAnchoring.class);
    /** RFC 5424 PRI: facility 13 (log audit), severity 6 (informational). */
    private static final int SYSLOG_PRI = 13 * 8 + 6;

    private final Vertx vertx;
    private final Pool pool;
    private final AuditChainKeys keys;
    private final AuditSettings settings;
    private final Clock clock;
    private final AuditRepository rows;
    private final AuditAnchorRepository stamps;
    private final Optional<AuditAnchorFile> file;
    private final TimeStamps timeStamps;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile long lastAnchoredSeq = -1;
    private HttpClient http;
    private DatagramSocket syslog;

    /** A problem with the anchors themselves (unreadable file, a token that does not verify). */
    public static final class AnchorProblem extends RuntimeException {
        AnchorProblem(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * @throws IOException if the pinned TSA certificate cannot be read
     */
    public AuditAnchoring(Vertx vertx, Pool pool, AuditChainKeys keys, AuditSettings settings, Clock clock)
            throws IOException {
        this.vertx = vertx;
        this.pool = pool;
        this.keys = keys;
        this.settings = settings;
        this.clock = clock;
        this.rows = new AuditRepository(pool);
        this.stamps = new AuditAnchorRepository(pool);
        this.file = settings.anchorFile().map(AuditAnchorFile::new);
        this.timeStamps = new TimeStamps(settings.tsaCertificate().isPresent()
                ? Optional.of(TimeStamps.readCertificate(settings.tsaCertificate().get())) : Optional.empty());
    }

    /** Starts the periodic anchoring, if anything is configured; returns the timer id or -1. */
    public long start() {
        if (!settings.anchoring()) {
            LOG.warn("the audit chain is not anchored outside the database ({} / {} / {} unset): a rewrite of the "
                    + "whole chain by someone holding the audit key cannot be detected", AuditSettings.ANCHOR_FILE,
                    AuditSettings.ANCHOR_SYSLOG, AuditSettings.TSA_URL);
            return -1;
        }
        anchorNow().onFailure(e -> LOG.warn("audit anchor not written: {}", e.getMessage()));
        return vertx.setPeriodic(settings.interval().toMillis(), id -> anchorNow()
                .onFailure(e -> LOG.warn("audit anchor not written: {}", e.getMessage())));
    }

    /** Anchors the current head unless it was anchored already; completes with the anchor written, if any. */
    public Future<Optional<AuditAnchor>> anchorNow() {
        if (!busy.compareAndSet(false, true)) {
            return Future.succeededFuture(Optional.empty());
        }
        return rows.head().compose(head -> {
            if (head.seq() == 0 || head.seq() == lastAnchoredSeq) {
                return Future.succeededFuture(Optional.<AuditAnchor>empty());
            }
            AuditAnchor anchor = new AuditAnchor(head.seq(), head.hash(), clock.instant(), "now");
            Future<Void> written = file.isEmpty() ? Future.succeededFuture()
                    : vertx.executeBlocking(() -> {
                        file.get().append(anchor);
                        return null;
                    }, true);
            return written
                    .compose(v -> toSyslog(anchor))
                    .compose(v -> timeStamp(anchor))
                    .map(v -> {
                        lastAnchoredSeq = anchor.seq();
                        return Optional.of(anchor);
                    });
        }).onComplete(ar -> busy.set(false));
    }

    private Future<Void> toSyslog(AuditAnchor a) {
        if (settings.syslog().isEmpty()) {
            return Future.succeededFuture();
        }
        if (syslog == null) {
            syslog = vertx.createDatagramSocket();
        }
        String message = "<" + SYSLOG_PRI + ">1 " + a.at() + " - consent-recorder - audit-anchor - seq=" + a.seq()
                + " hash=" + HexFormat.of().formatHex(a.hash());
        AuditSettings.SyslogTarget t = settings.syslog().get();
        return syslog.send(message, t.port(), t.host())
                .recover(e -> {
                    // the file and the TSA still stand; syslog over UDP is best effort by nature
                    LOG.warn("audit anchor not sent to syslog {}:{}: {}", t.host(), t.port(), e.getMessage());
                    return Future.succeededFuture();
                });
    }

    private Future<Void> timeStamp(AuditAnchor a) {
        if (settings.tsaUrl().isEmpty()) {
            return Future.succeededFuture();
        }
        if (http == null) {
            http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(10_000));
        }
        TimeStampRequest request = TimeStamps.request(a.seq(), a.hash());
        byte[] der;
        try {
            der = request.getEncoded();
        } catch (IOException e) {
            return Future.failedFuture(e);
        }
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
                .setAbsoluteURI(settings.tsaUrl().get().toString()).setIdleTimeout(10_000)
                .putHeader("content-type", "application/timestamp-query");
        return http.request(options)
                .compose(req -> req.send(Buffer.buffer(der)))
                .compose(resp -> resp.statusCode() == 200 ? resp.body()
                        : Future.failedFuture("the TSA answered HTTP " + resp.statusCode()))
                .compose(body -> vertx.executeBlocking(() -> timeStamps.accept(request, body.getBytes()), false))
                .compose(token -> vertx.executeBlocking(() -> timeStamps.verify(token, TimeStamps.imprint(a.seq(), a.hash())), false)
                        .compose(verified -> stamps.insert(new AuditAnchorRepository.StoredTimestamp(a.seq(), a.hash(),
                                token, verified.time()))));
    }

    /**
     * Every anchor: the file's lines and the stored time-stamp tokens, each token verified first.
     *
     * @return a failed future with {@link AnchorProblem} if the file is unreadable or a token does not verify
     */
    public Future<List<AuditAnchor>> anchors() {
        Future<List<AuditAnchor>> fromFile = file.isEmpty() ? Future.succeededFuture(List.of())
                : vertx.<List<AuditAnchor>>executeBlocking(() -> file.get().readAll(), false)
                .recover(e -> Future.failedFuture(new AnchorProblem(e.getMessage())));
        return fromFile.compose(lines -> stamps.all().compose(stored -> vertx.executeBlocking(() -> {
            List<AuditAnchor> all = new ArrayList<>(lines);
            for (AuditAnchorRepository.StoredTimestamp t : stored) {
                try {
                    TimeStamps.Verified v = timeStamps.verify(t.token(), TimeStamps.imprint(t.seq(), t.hash()));
                    all.add(new AuditAnchor(t.seq(), t.hash(), v.time(), "time-stamp"));
                } catch (TimeStamps.TimeStampException e) {
                    throw new AnchorProblem("the time-stamp of seq " + t.seq() + " does not verify: " + e.getMessage());
                }
            }
            return all;
        }, false)));
    }

    /**
     * Verifies the chain against the anchors. The anchors are read before the chain's snapshot, so an anchor written
     * meanwhile is never beyond the head the verifier reads.
     */
    public Future<AuditChainVerifier.Report> verify() {
        return anchors()
                .compose(list -> AuditChainVerifier.verify(pool, rows, keys, list))
                .recover(e -> e instanceof AnchorProblem
                        ? rows.head().map(h -> AuditChainVerifier.anchorsBroken(h, e.getMessage()))
                        : Future.failedFuture(e));
    }

    /** Closes the clients it opened. */
    public Future<Void> close() {
        List<Future<?>> closing = new ArrayList<>();
        if (http != null) {
            closing.add(http.close());
        }
        if (syslog != null) {
            closing.add(syslog.close());
        }
        return Future.all(closing).mapEmpty();
    }

    public AuditChainKeys keys() {
        return keys;
    }
}
