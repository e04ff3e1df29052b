package org.consentrecorder.keystore;

import java.net.URI;
import java.util.Optional;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.Secret;

/**
 * Where the subject keys live when several instances share them: a PostgreSQL database (or a schema) of its own,
 * reached with credentials of its own, never the recordings' database. With no CR_KEYSTORE_URL the keys stay in the
 * CR_KEYSTORE_DIR directory, which serves one instance only.
 */
public record KeyStoreSettings(Optional<URI> url, String user, Secret password) {

    public static final String KEYSTORE_URL = "CR_KEYSTORE_URL";
    public static final String KEYSTORE_USER = "CR_KEYSTORE_USER";
    public static final String KEYSTORE_PASSWORD = "CR_KEYSTORE_PASSWORD";

    public boolean shared() {
        return url.isPresent();
    }

    /** Reads the CR_KEYSTORE_URL/USER/PASSWORD keys; problems are collected in the reader, naming the key. */
    public static KeyStoreSettings load(ConfigReader r) {
        Optional<URI> url = r.optional(KEYSTORE_URL).flatMap(raw -> parse(r, raw));
        return new KeyStoreSettings(url, r.string(KEYSTORE_USER, "consent_recorder_keys"), r.secret(KEYSTORE_PASSWORD));
    }

    private static Optional<URI> parse(ConfigReader r, String raw) {
        String value = raw.startsWith("jdbc:") ? raw.substring("jdbc:".length()) : raw;
        if (value.startsWith("postgres://")) {
            value = "postgresql://" + value.substring("postgres://".length());
        }
        try {
            URI uri = new URI(value);
            if ("postgresql".equals(uri.getScheme()) && uri.getHost() != null && uri.getPath() != null
                    && uri.getPath().length() > 1) {
                return Optional.of(uri);
            }
        } catch (java.net.URISyntaxException e) {
            // reported below; the value may hold a password, so it is not quoted
        }
        r.problem(KEYSTORE_URL, "must look like postgresql://host:5432/database (a database of its own for the keys)");
        return Optional.empty();
    }

    /** The JDBC address, without credentials. */
    String jdbcUrl() {
        URI u = url.orElseThrow();
        return "jdbc:postgresql://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "") + u.getRawPath()
                + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }

    /** The user: from the URL if it names one, else CR_KEYSTORE_USER. */
    String effectiveUser() {
        String info = url.orElseThrow().getUserInfo();
        if (info == null || info.isEmpty()) {
            return user;
        }
        int colon = info.indexOf(':');
        return colon < 0 ? info : info.substring(0, colon);
    }

    /** The password: CR_KEYSTORE_PASSWORD if set, else the URL's. */
    String effectivePassword() {
        if (!password.isEmpty()) {
            return password.reveal();
        }
        String info = url.orElseThrow().getUserInfo();
        int colon = info == null ? -1 : info.indexOf(':');
        return colon < 0 ? "" : info.substring(colon + 1);
    }

    /** Never the URL itself: it may carry a password. */
    @Override
    public String toString() {
        return "KeyStoreSettings[" + describe() + "]";
    }

    /** host:port/database, for logs. */
    public String describe() {
        return url.map(u -> u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "") + u.getPath()).orElse("(none)");
    }
}
