package org.consentrecorder.admin;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the HTTP server does for every connection and response before any route runs: a cap on open
 * connections, a deadline for request headers (slow-header clients are disconnected), a deadline for
 * request bodies, an idle timeout, and the security headers every response carries.
 *
 * <p>Vert.x has no header-read timeout of its own: each connection gets a one-second check that
 * closes it when it has waited too long for headers or for a body. A request being answered
 * (a long download) is left to the idle timeout.
 */
public final class HttpServerGuard {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServerGuard.class);
    /** For API responses; the console's route replaces it with its own. */
    public static final String API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private final Vertx vertx;
    private final HttpSettings settings;
    private final boolean tls;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<HttpConnection, Watch> watches = new ConcurrentHashMap<>();

    private static final class Watch {
        final long timer;
        volatile long since;
        volatile HttpServerRequest current;
        volatile boolean answered;

        Watch(long timer, long since) {
            this.timer = timer;
            this.since = since;
        }
    }

    public HttpServerGuard(Vertx vertx, HttpSettings settings, boolean tls) {
        this.vertx = vertx;
        this.settings = settings;
        this.tls = tls;
    }

    /**
     * The server options' part: the idle timeout, and no cleartext HTTP/2 upgrade (its detection
     * waits for the first bytes before the connection exists for us, which would let a silent
     * client escape the header deadline and the connection cap).
     */
    public HttpServerOptions apply(HttpServerOptions options) {
        return options.setIdleTimeout((int) settings.idleTimeout().toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setHttp2ClearTextEnabled(false);
    }

    /** Installs the connection handler and wraps the request handler. */
    public HttpServer install(HttpServer server, Handler<HttpServerRequest> next) {
        if (!tls && settings.publicAddress()) {
            LOG.warn("!!! PLAIN HTTP ON A NON-LOOPBACK ADDRESS ({}): passwords, session tokens and recordings cross the "
                    + "network unencrypted. Set CR_TLS_CERT/CR_TLS_KEY, or put a TLS reverse proxy in front and bind "
                    + "CR_HTTP_HOST=127.0.0.1 (or a private container network) !!!", settings.host());
        }
        server.connectionHandler(this::opened);
        server.invalidRequestHandler(this::invalid);
        return server.requestHandler(req -> {
            Watch w = watches.get(req.connection());
            if (w != null) {
                w.current = req;
                w.answered = false;
                w.since = System.nanoTime();
            }
            secure(req.response());
            next.handle(req);
        });
    }

    private void opened(HttpConnection c) {
        if (open.incrementAndGet() > settings.maxConnections()) {
            open.decrementAndGet();
            LOG.warn("connection refused: {} connections open (CR_HTTP_MAX_CONNECTIONS)", settings.maxConnections());
            c.close();
            return;
        }
        long timer = vertx.setPeriodic(1000, id -> check(c));
        watches.put(c, new Watch(timer, System.nanoTime()));
        c.closeHandler(v -> {
            open.decrementAndGet();
            Watch w = watches.remove(c);
            if (w != null) {
                vertx.cancelTimer(w.timer);
            }
        });
    }

    private void check(HttpConnection c) {
        Watch w = watches.get(c);
        if (w == null) {
            return;
        }
        long waited = System.nanoTime() - w.since;
        HttpServerRequest req = w.current;
        if (req == null || w.answered) {
            if (waited > settings.headerTimeout().toNanos()) {
                c.close();
            }
            return;
        }
        if (!req.isEnded()) {
            if (waited > settings.requestTimeout().toNanos()) {
                LOG.debug("closing a connection whose request body did not arrive in time");
                c.close();
            }
            return;
        }
        if (req.response().ended()) {
            // answered: from now on the connection waits for the next request's headers
            w.answered = true;
            w.since = System.nanoTime();
        }
    }

    /**
     * A request the HTTP codec could not read (request line or headers too long, malformed): the
     * JSON error shape like every other error, and the connection is closed.
     */
    private void invalid(HttpServerRequest req) {
        Throwable cause = req.decoderResult() == null ? null : req.decoderResult().cause();
        int status = cause instanceof io.netty.handler.codec.http.TooLongHttpLineException ? 414
                : cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException ? 431 : 400;
        String code = status == 414 ? "uri_too_long" : status == 431 ? "headers_too_large" : "bad_request";
        String message = status == 414 ? "the request line is too long (query parameters have documented maximum lengths)"
                : status == 431 ? "the request headers are too large" : "the request is not valid HTTP";
        HttpServerResponse r = req.response();
        secure(r);
        r.setStatusCode(status).putHeader("content-type", "application/json").putHeader("connection", "close")
                .end(new io.vertx.core.json.JsonObject().put("error", code).put("message", message).encode());
    }

    /** Headers every response carries; a route may replace the CSP with its own. */
    private void secure(HttpServerResponse r) {
        r.putHeader("x-content-type-options", "nosniff")
                .putHeader("referrer-policy", "no-referrer")
                .putHeader("x-frame-options", "DENY")
                .putHeader("content-security-policy", API_CSP);
        if (tls) {
            r.putHeader("strict-transport-security", "max-age=31536000; includeSubDomains");
        }
    }
}
