package org.consentrecorder.ari;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.consentrecorder.config.Secret;

/**
 * Where ARI lives and how to authenticate. The base URI is Asterisk's HTTP server (the part
 * before /ari); credentials travel in the Authorization header, never in a URL we log.
 */
public record AriEndpoint(URI base, String user, Secret password, String application) {

    public boolean tls() {
        return "https".equalsIgnoreCase(base.getScheme());
    }

    public String host() {
        return base.getHost();
    }

    public int port() {
        if (base.getPort() > 0) {
            return base.getPort();
        }
        return tls() ? 443 : 80;
    }

    /** Path prefix of the ARI resources, e.g. "/ari" or "/asterisk/ari" behind a proxy. */
    public String ariPath() {
        String p = base.getPath() == null ? "" : base.getPath();
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p + "/ari";
    }

    public String authorization() {
        String pair = user + ":" + password.reveal();
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    public String eventsPath() {
        return ariPath() + "/events?app=" + encode(application);
    }

    /** A printable location without credentials. */
    public String describe() {
        return base.getScheme() + "://" + host() + ":" + port() + ariPath() + " (user " + user + ", app " + application + ")";
    }

    /** Percent-encoding for query values; spaces become %20 as Asterisk's own clients send them. */
    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
