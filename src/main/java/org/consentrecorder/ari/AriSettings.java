package org.consentrecorder.ari;

import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.Secret;

/**
 * Where Asterisk's ARI is and how patiently to talk to it; read from the CR_ARI_* keys. With an https://
 * URL, REST goes over HTTPS and events over WSS; {@code caFile} (CR_ARI_CA_FILE) is the PEM file of the
 * certificate authority (or Asterisk's self-signed certificate) to trust instead of the JDK's, and the
 * host name is always verified against the certificate.
 */
public record AriSettings(AriEndpoint endpoint, Duration requestTimeout, Duration reconnectMin,
                          Duration reconnectMax, Duration sweepInterval, Optional<Path> caFile) {

    public static final String ARI_URL = "CR_ARI_URL";
    public static final String ARI_USER = "CR_ARI_USER";
    public static final String ARI_PASSWORD = "CR_ARI_PASSWORD";
    public static final String ARI_APP = "CR_ARI_APP";
    public static final String ARI_TIMEOUT = "CR_ARI_REQUEST_TIMEOUT";
    public static final String ARI_RECONNECT_MIN = "CR_ARI_RECONNECT_MIN";
    public static final String ARI_RECONNECT_MAX = "CR_ARI_RECONNECT_MAX";
    public static final String ARI_SWEEP_INTERVAL = "CR_ARI_SWEEP_INTERVAL";
    public static final String ARI_CA_FILE = "CR_ARI_CA_FILE";
    public static final String DEFAULT_ARI_URL = "http://127.0.0.1:8088";
    public static final String DEFAULT_ARI_USER = "consent-recorder";
    public static final String DEFAULT_APP = "consent-recorder";

    /** Reads the CR_ARI_* keys; problems are collected in the reader, naming the key. */
    public static AriSettings load(ConfigReader r) {
        URI url = r.httpUrl(ARI_URL, DEFAULT_ARI_URL);
        String user = DEFAULT_ARI_USER;
        String password = "";
        // credentials may ride in the URL (http://user:secret@host:8088); explicit keys win
        if (url.getRawUserInfo() != null) {
            String[] parts = url.getUserInfo().split(":", 2);
            user = parts[0];
            password = parts.length > 1 ? parts[1] : "";
        }
        user = r.string(ARI_USER, user);
        Secret secret = r.optional(ARI_PASSWORD).map(Secret::of).orElse(Secret.of(password));
        if (secret.isEmpty()) {
            r.problem(ARI_PASSWORD, "is required (or put user:password in " + ARI_URL + ")");
        }
        String path = url.getPath() == null ? "" : url.getPath();
        // accept both http://host:8088 and http://host:8088/ari
        path = path.replaceAll("/+$", "");
        if (path.endsWith("/ari")) {
            path = path.substring(0, path.length() - 4);
        }
        URI base = URI.create(url.getScheme() + "://" + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "") + path);
        String app = r.string(ARI_APP, DEFAULT_APP);
        if (!app.matches("[A-Za-z0-9_\\-.]+")) {
            r.problem(ARI_APP, "'" + app + "' may only contain letters, digits and _-.");
        }
        Duration timeout = r.duration(ARI_TIMEOUT, Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMinutes(1));
        Duration min = r.duration(ARI_RECONNECT_MIN, Duration.ofMillis(500), Duration.ofMillis(10), Duration.ofMinutes(1));
        Duration max = r.duration(ARI_RECONNECT_MAX, Duration.ofSeconds(30), Duration.ofMillis(10), Duration.ofMinutes(10));
        if (max.compareTo(min) < 0) {
            r.problem(ARI_RECONNECT_MAX, "must not be shorter than " + ARI_RECONNECT_MIN);
            max = min;
        }
        Duration sweep = r.duration(ARI_SWEEP_INTERVAL, Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofHours(1));
        Optional<Path> ca = r.optional(ARI_CA_FILE).map(String::trim).filter(v -> !v.isEmpty()).map(Path::of);
        if (ca.isPresent()) {
            if (!"https".equalsIgnoreCase(base.getScheme())) {
                r.problem(ARI_CA_FILE, "is set but " + ARI_URL + " is not https://: the CA would not be used");
            } else if (!Files.isReadable(ca.get()) || Files.isDirectory(ca.get())) {
                r.problem(ARI_CA_FILE, ca.get() + " is not a readable file (a PEM certificate)");
            }
        }
        return new AriSettings(new AriEndpoint(base, user, secret, app), timeout, min, max, sweep, ca);
    }

    /** The TLS side of the REST clients: the configured CA as the only trust, host names verified. */
    public HttpClientOptions tls(HttpClientOptions options) {
        options.setVerifyHost(true);
        caFile.ifPresent(f -> options.setTrustOptions(new PemTrustOptions().addCertPath(f.toString())));
        return options;
    }

    /** The TLS side of the event WebSocket client, as {@link #tls(HttpClientOptions)}. */
    public WebSocketClientOptions tls(WebSocketClientOptions options) {
        options.setVerifyHost(true);
        caFile.ifPresent(f -> options.setTrustOptions(new PemTrustOptions().addCertPath(f.toString())));
        return options;
    }
}
