package org.consentrecorder.ari;

import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.Secret;

/**
 * Where each Asterisk server's ARI is and how patiently to talk to it; read from the CR_ARI_* keys. With an https://
 * URL, REST goes over HTTPS and events over WSS; {@code caFile} (CR_ARI_CA_FILE) is the PEM file of the certificate
 * authority (or Asterisk's self-signed certificate) to trust instead of the JDK's, and the host name is always
 * verified against the certificate.
 *
 * <p>One server: {@code CR_ARI_URL}, {@code CR_ARI_USER}, {@code CR_ARI_PASSWORD} (named {@code CR_ARI_SERVER_NAME},
 * {@code default} unless set). Several: {@code CR_ARI_SERVERS=pbx1=http://10.0.0.1:8088,pbx2=https://10.0.0.2:8089}
 * with {@code CR_ARI_SERVER_PBX1_USER}, {@code CR_ARI_SERVER_PBX1_PASSWORD} (or {@code _PASSWORD_FILE}) per server.
 * The application name, timeouts, backoff and CA are shared: every Asterisk runs the same Stasis application.
 */
public record AriSettings(List<AriServer> servers, Duration requestTimeout, Duration reconnectMin,
                          Duration reconnectMax, Duration sweepInterval, Optional<Path> caFile) {

    public static final String ARI_URL = "CR_ARI_URL";
    public static final String ARI_USER = "CR_ARI_USER";
    public static final String ARI_PASSWORD = "CR_ARI_PASSWORD";
    public static final String ARI_SERVERS = "CR_ARI_SERVERS";
    public static final String ARI_SERVER_NAME = "CR_ARI_SERVER_NAME";
    /** CR_ARI_SERVER_&lt;NAME&gt;_USER / _PASSWORD / _PASSWORD_FILE: one server's credentials in CR_ARI_SERVERS. */
    public static final String ARI_SERVER_PREFIX = "CR_ARI_SERVER_";
    public static final String ARI_APP = "CR_ARI_APP";
    public static final String ARI_TIMEOUT = "CR_ARI_REQUEST_TIMEOUT";
    public static final String ARI_RECONNECT_MIN = "CR_ARI_RECONNECT_MIN";
    public static final String ARI_RECONNECT_MAX = "CR_ARI_RECONNECT_MAX";
    public static final String ARI_SWEEP_INTERVAL = "CR_ARI_SWEEP_INTERVAL";
    public static final String ARI_CA_FILE = "CR_ARI_CA_FILE";
    public static final String DEFAULT_ARI_URL = "http://127.0.0.1:8088";
    public static final String DEFAULT_ARI_USER = "consent-recorder";
    public static final String DEFAULT_APP = "consent-recorder";
    /** More would be a deployment better split; the bound also bounds the metrics' server label. */
    public static final int MAX_SERVERS = 32;
    private static final List<String> PER_SERVER_KEYS = List.of("_USER", "_PASSWORD", "_PASSWORD_FILE");

    public AriSettings {
        servers = List.copyOf(servers);
    }

    /** The first (with CR_ARI_URL the only) server's endpoint: for what talks to one server (check, demo). */
    public AriEndpoint endpoint() {
        return servers.get(0).endpoint();
    }

    /** The Stasis application every server runs (CR_ARI_APP). */
    public String application() {
        return endpoint().application();
    }

    /** Reads the CR_ARI_* keys; problems are collected in the reader, naming the key. */
    public static AriSettings load(ConfigReader r) {
        String app = r.string(ARI_APP, DEFAULT_APP);
        if (!app.matches("[A-Za-z0-9_\\-.]+")) {
            r.problem(ARI_APP, "'" + app + "' may only contain letters, digits and _-.");
        }
        List<AriServer> servers = r.optional(ARI_SERVERS).isPresent() ? listed(r, app) : List.of(single(r, app));
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
            if (servers.stream().noneMatch(s -> s.endpoint().tls())) {
                r.problem(ARI_CA_FILE, "is set but the ARI URL is not https:// (no server's is): the CA would not "
                        + "be used");
            } else if (!Files.isReadable(ca.get()) || Files.isDirectory(ca.get())) {
                r.problem(ARI_CA_FILE, ca.get() + " is not a readable file (a PEM certificate)");
            }
        }
        return new AriSettings(servers, timeout, min, max, sweep, ca);
    }

    /** The shorthand: CR_ARI_URL and its credentials, one server. */
    private static AriServer single(ConfigReader r, String app) {
        String name = r.string(ARI_SERVER_NAME, AriServer.DEFAULT_NAME);
        if (!AriServer.SINGLE_NAME.matcher(name).matches()) {
            r.problem(ARI_SERVER_NAME, "must be 1-64 characters of A-Z a-z 0-9 . _ : @ -");
            name = AriServer.DEFAULT_NAME;
        }
        URI url = r.httpUrl(ARI_URL, DEFAULT_ARI_URL);
        Credentials inUrl = Credentials.of(url);
        String user = r.string(ARI_USER, inUrl.user());
        Secret secret = r.optional(ARI_PASSWORD).map(Secret::of).orElse(inUrl.password());
        if (secret.isEmpty()) {
            r.problem(ARI_PASSWORD, "is required (or put user:password in " + ARI_URL + ")");
        }
        return new AriServer(name, new AriEndpoint(base(url), user, secret, app));
    }

    /** CR_ARI_SERVERS: name=url entries separated by commas, each with its own credentials. */
    private static List<AriServer> listed(ConfigReader r, String app) {
        List<String> both = new ArrayList<>();
        for (String key : List.of(ARI_URL, ARI_USER, ARI_PASSWORD, ARI_SERVER_NAME)) {
            if (r.optional(key).isPresent()) {
                both.add(key);
            }
        }
        if (!both.isEmpty()) {
            r.problem(ARI_SERVERS, "cannot be used together with " + String.join(", ", both) + " (the shorthand for one "
                    + "server): give every server in " + ARI_SERVERS + " and its credentials as "
                    + ARI_SERVER_PREFIX + "<NAME>_USER / _PASSWORD");
        }
        List<AriServer> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Map<String, String> locations = new HashMap<>();
        for (String entry : r.optional(ARI_SERVERS).orElseThrow().split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            if (eq <= 0) {
                r.problem(ARI_SERVERS, "each entry is name=url (e.g. pbx1=http://10.0.0.1:8088); entry "
                        + (out.size() + 1) + " has no name");
                continue;
            }
            String name = e.substring(0, eq).trim();
            if (!AriServer.LISTED_NAME.matcher(name).matches()) {
                r.problem(ARI_SERVERS, "server name '" + name.replaceAll("[^A-Za-z0-9_.-]", "?") + "' must be 1-32 "
                        + "characters of a-z 0-9 _, starting with a letter");
                continue;
            }
            if (!names.add(name)) {
                r.problem(ARI_SERVERS, "server name '" + name + "' is given twice");
                continue;
            }
            String key = ARI_SERVER_PREFIX + name.toUpperCase(Locale.ROOT);
            URI url = urlOf(r, name, e.substring(eq + 1).trim());
            if (url == null) {
                continue;
            }
            URI base = base(url);
            String where = base.getScheme().toLowerCase(Locale.ROOT) + "://" + base.getHost().toLowerCase(Locale.ROOT)
                    + ":" + new AriEndpoint(base, "", Secret.of(""), app).port() + base.getPath();
            String already = locations.putIfAbsent(where, name);
            if (already != null) {
                r.problem(ARI_SERVERS, "servers '" + already + "' and '" + name + "' have the same URL");
            }
            Credentials inUrl = Credentials.of(url);
            String user = r.string(key + "_USER", inUrl.user());
            Secret secret = password(r, key, inUrl.password());
            if (secret.isEmpty()) {
                r.problem(key + "_PASSWORD", "is required for ARI server '" + name + "' (or " + key
                        + "_PASSWORD_FILE, or user:password in its URL)");
            }
            out.add(new AriServer(name, new AriEndpoint(base, user, secret, app)));
        }
        if (out.isEmpty() && r.problems().stream().noneMatch(p -> p.key().equals(ARI_SERVERS))) {
            r.problem(ARI_SERVERS, "names no server (name=url, separated by commas)");
        }
        if (out.size() > MAX_SERVERS) {
            r.problem(ARI_SERVERS, "names " + out.size() + " servers; at most " + MAX_SERVERS);
        }
        // a typo in a per-server key would otherwise leave a server without the password meant for it
        for (String key : r.source().keysWithPrefix(ARI_SERVER_PREFIX)) {
            if (key.equals(ARI_SERVER_NAME)) {
                continue;
            }
            boolean known = names.stream().anyMatch(n -> PER_SERVER_KEYS.stream()
                    .anyMatch(suffix -> key.equals(ARI_SERVER_PREFIX + n.toUpperCase(Locale.ROOT) + suffix)));
            if (!known) {
                r.problem(key, "names no server of " + ARI_SERVERS + " (expected " + ARI_SERVER_PREFIX
                        + "<NAME>_USER, _PASSWORD or _PASSWORD_FILE)");
            }
        }
        if (out.isEmpty()) {
            // the problems above stop the start; a placeholder keeps the record whole until then
            out.add(new AriServer(AriServer.DEFAULT_NAME, new AriEndpoint(URI.create(DEFAULT_ARI_URL),
                    DEFAULT_ARI_USER, Secret.of(""), app)));
        }
        return out;
    }

    private static URI urlOf(ConfigReader r, String name, String raw) {
        try {
            URI uri = new URI(raw);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                r.problem(ARI_SERVERS, "the URL of server '" + name + "' must start with http:// or https://");
                return null;
            }
            if (uri.getHost() == null) {
                r.problem(ARI_SERVERS, "the URL of server '" + name + "' has no host name");
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            // the URL may carry a password: never echoed
            r.problem(ARI_SERVERS, "the URL of server '" + name + "' is not a valid URL");
            return null;
        }
    }

    /** _PASSWORD, else the file named by _PASSWORD_FILE (one line; a trailing line break is not part of it). */
    private static Secret password(ConfigReader r, String key, Secret fallback) {
        Optional<String> direct = r.optional(key + "_PASSWORD");
        Optional<String> file = r.optional(key + "_PASSWORD_FILE");
        if (direct.isPresent() && file.isPresent()) {
            r.problem(key + "_PASSWORD_FILE", "cannot be used together with " + key + "_PASSWORD");
        }
        if (direct.isPresent()) {
            return Secret.of(direct.get());
        }
        if (file.isPresent()) {
            Path path = Path.of(file.get());
            try {
                return Secret.of(Files.readString(path, StandardCharsets.UTF_8).replaceAll("[\\r\\n]+$", ""));
            } catch (IOException | RuntimeException e) {
                r.problem(key + "_PASSWORD_FILE", path + " cannot be read");
                return Secret.of("");
            }
        }
        return fallback;
    }

    /** Accept both http://host:8088 and http://host:8088/ari; the base is the part before /ari, without credentials. */
    private static URI base(URI url) {
        String path = url.getPath() == null ? "" : url.getPath();
        path = path.replaceAll("/+$", "");
        if (path.endsWith("/ari")) {
            path = path.substring(0, path.length() - 4);
        }
        return URI.create(url.getScheme() + "://" + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "") + path);
    }

    /** Credentials may ride in the URL (http://user:secret@host:8088); explicit keys win. */
    private record Credentials(String user, Secret password) {
        static Credentials of(URI url) {
            if (url.getRawUserInfo() == null) {
                return new Credentials(DEFAULT_ARI_USER, Secret.of(""));
            }
            String[] parts = url.getUserInfo().split(":", 2);
            return new Credentials(parts[0], Secret.of(parts.length > 1 ? parts[1] : ""));
        }
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
