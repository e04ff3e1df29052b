package org.consentrecorder.admin;

import java.time.Duration;
import org.consentrecorder.config.ConfigReader;

/**
 * Where the HTTP server (health, admin API) listens, and how long it waits for slow clients.
 *
 * <p>The default address is 127.0.0.1: plain HTTP stays on the machine unless the operator says
 * otherwise ({@code CR_HTTP_HOST}). With TLS configured ({@code CR_TLS_CERT}) the default is every
 * interface.
 *
 * @param headerTimeout  a connection must deliver a request's headers this soon after it opens or
 *                       after its previous response ended (also how long an idle keep-alive lasts)
 * @param requestTimeout a request's body must have arrived this soon after its headers
 * @param idleTimeout    a connection with no bytes either way for this long is closed (a stalled download too)
 */
public record HttpSettings(String host, int port, Duration headerTimeout, Duration requestTimeout, Duration idleTimeout,
                           int maxConnections) {

    public static final String HTTP_HOST = "CR_HTTP_HOST";
    public static final String HTTP_PORT = "CR_HTTP_PORT";
    public static final String HTTP_HEADER_TIMEOUT = "CR_HTTP_HEADER_TIMEOUT";
    public static final String HTTP_REQUEST_TIMEOUT = "CR_HTTP_REQUEST_TIMEOUT";
    public static final String HTTP_IDLE_TIMEOUT = "CR_HTTP_IDLE_TIMEOUT";
    public static final String HTTP_MAX_CONNECTIONS = "CR_HTTP_MAX_CONNECTIONS";
    public static final int DEFAULT_HTTP_PORT = 8080;

    public static HttpSettings load(ConfigReader r) {
        boolean tls = r.optional(AdminConfig.TLS_CERT).isPresent();
        return new HttpSettings(r.string(HTTP_HOST, tls ? "0.0.0.0" : "127.0.0.1"),
                r.integer(HTTP_PORT, DEFAULT_HTTP_PORT, 0, 65535),
                r.duration(HTTP_HEADER_TIMEOUT, Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMinutes(5)),
                r.duration(HTTP_REQUEST_TIMEOUT, Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMinutes(30)),
                r.duration(HTTP_IDLE_TIMEOUT, Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofHours(1)),
                r.integer(HTTP_MAX_CONNECTIONS, 256, 1, 100_000));
    }

    /** Whether the address reaches beyond this machine. */
    public boolean publicAddress() {
        String h = host.trim();
        return !(h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]"));
    }
}
