package org.consentrecorder.admin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.Optional;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.Secret;

/**
 * Settings of the admin API: the first admin, development mode, TLS, token lifetime, login
 * throttling and the request body limit. Read by {@code AppConfig.load}; the README lists the keys.
 *
 * <p>Outside development mode a configured admin password that is empty-ish, short or a known
 * default ({@code change-me...}, {@code admin}, ...) is a configuration problem. A missing one is
 * refused at start-up unless the database already holds an active admin (created with the
 * {@code admin create} command): see {@link AdminBootstrap}.
 */
public record AdminConfig(
        String adminUser,
        Optional<Secret> adminPassword,
        boolean devMode,
        Optional<Tls> tls,
        Duration tokenTtl,
        LoginLimits login,
        int bodyLimitBytes,
        Set<Role> mfaRequiredRoles,
        boolean tokensMayPlay,
        TrustedProxies trustedProxies) {

    /** PEM files: the certificate chain and its private key (PKCS#8 or PKCS#1). */
    public record Tls(Path certificate, Path key) {
    }

    /**
     * Login throttling: failures allowed without delay per (account, address) and per address; after
     * that each attempt waits {@code baseDelay} doubled per further failure, up to {@code maxDelay}.
     * Counters are forgotten {@code window} after their last failure. An account is locked after
     * {@code lockAfter} failures within 24 h from anywhere. At most {@code hashQueue} password
     * hashes wait for the hashing threads; more are answered 503.
     */
    public record LoginLimits(int maxFailuresPerAccount, int maxFailuresPerAddress, Duration window,
                              Duration baseDelay, Duration maxDelay, int lockAfter, int hashQueue) {
        public LoginLimits(int maxFailuresPerAccount, int maxFailuresPerAddress, Duration window) {
            this(maxFailuresPerAccount, maxFailuresPerAddress, window, Duration.ofSeconds(1), Duration.ofMinutes(15), 100, 16);
        }
    }

    /** Roles that read personal data or the audit trail, and admin: they sign in with a second factor by default. */
    public static final Set<Role> DEFAULT_MFA_ROLES = Set.copyOf(EnumSet.of(Role.ADMIN, Role.COMPLIANCE, Role.SUPERVISOR, Role.AUDITOR));

    public static final String ADMIN_USER = "CR_ADMIN_USER";
    public static final String ADMIN_PASSWORD = "CR_ADMIN_PASSWORD";
    public static final String DEV_MODE = "CR_DEV_MODE";
    public static final String TLS_CERT = "CR_TLS_CERT";
    public static final String TLS_KEY = "CR_TLS_KEY";
    public static final String TOKEN_TTL = "CR_TOKEN_TTL";
    public static final String LOGIN_MAX_FAILURES = "CR_LOGIN_MAX_FAILURES";
    public static final String LOGIN_MAX_FAILURES_PER_ADDRESS = "CR_LOGIN_MAX_FAILURES_PER_ADDRESS";
    public static final String LOGIN_WINDOW = "CR_LOGIN_WINDOW";
    public static final String API_BODY_LIMIT = "CR_API_BODY_LIMIT";
    public static final String LOGIN_DELAY = "CR_LOGIN_DELAY";
    public static final String LOGIN_MAX_DELAY = "CR_LOGIN_MAX_DELAY";
    public static final String LOGIN_LOCK_AFTER = "CR_LOGIN_LOCK_AFTER";
    public static final String LOGIN_HASH_QUEUE = "CR_LOGIN_HASH_QUEUE";
    public static final String MFA_REQUIRED_ROLES = "CR_MFA_REQUIRED_ROLES";
    public static final String TOKENS_MAY_PLAY = "CR_TOKENS_MAY_PLAY";
    public static final String TRUSTED_PROXIES = "CR_TRUSTED_PROXIES";

    public static AdminConfig load(ConfigReader r) {
        boolean dev = r.bool(DEV_MODE, false);
        String user = r.string(ADMIN_USER, "admin").toLowerCase(Locale.ROOT);
        if (!Usernames.valid(user)) {
            r.problem(ADMIN_USER, "'" + user + "' is not a user name (" + Usernames.RULE + ")");
        }
        Optional<Secret> password = r.optional(ADMIN_PASSWORD).map(Secret::of);
        if (password.isPresent() && !dev) {
            PasswordPolicy.problem(user, password.get().reveal())
                    .ifPresent(p -> r.problem(ADMIN_PASSWORD, p + " (outside " + DEV_MODE + "=true)"));
        }
        Optional<String> cert = r.optional(TLS_CERT);
        Optional<String> key = r.optional(TLS_KEY);
        Optional<Tls> tls = Optional.empty();
        if (cert.isPresent() != key.isPresent()) {
            r.problem(cert.isPresent() ? TLS_KEY : TLS_CERT, "must be set together with "
                    + (cert.isPresent() ? TLS_CERT : TLS_KEY) + " (PEM files), or leave both unset for plain HTTP");
        } else if (cert.isPresent()) {
            Path c = Path.of(cert.get());
            Path k = Path.of(key.get());
            readablePem(r, TLS_CERT, c, "CERTIFICATE");
            readablePem(r, TLS_KEY, k, "PRIVATE KEY");
            tls = Optional.of(new Tls(c, k));
        }
        Duration ttl = r.duration(TOKEN_TTL, Duration.ofMinutes(15), Duration.ofMinutes(1), Duration.ofHours(24));
        LoginLimits limits = new LoginLimits(
                r.integer(LOGIN_MAX_FAILURES, 5, 1, 1000),
                r.integer(LOGIN_MAX_FAILURES_PER_ADDRESS, 20, 1, 100_000),
                r.duration(LOGIN_WINDOW, Duration.ofMinutes(15), Duration.ofSeconds(1), Duration.ofHours(24)),
                r.duration(LOGIN_DELAY, Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofHours(1)),
                r.duration(LOGIN_MAX_DELAY, Duration.ofMinutes(15), Duration.ofSeconds(1), Duration.ofHours(24)),
                r.integer(LOGIN_LOCK_AFTER, 100, 10, 100_000),
                r.integer(LOGIN_HASH_QUEUE, 16, 1, 10_000));
        int bodyLimit = r.integer(API_BODY_LIMIT, 64 * 1024, 1024, 16 * 1024 * 1024);
        Set<Role> mfaRoles = EnumSet.noneOf(Role.class);
        Optional<String> mfaList = r.optional(MFA_REQUIRED_ROLES);
        if (mfaList.isEmpty()) {
            mfaRoles.addAll(DEFAULT_MFA_ROLES);
        } else {
            for (String name : mfaList.get().split(",")) {
                String n = name.trim().toLowerCase(Locale.ROOT);
                if (n.isEmpty() || n.equals("none")) {
                    continue;
                }
                Role.fromWire(n).ifPresentOrElse(mfaRoles::add, () -> r.problem(MFA_REQUIRED_ROLES,
                        "'" + n + "' is not a role (" + Role.choices() + ", or 'none')"));
            }
            if (!dev && !mfaRoles.contains(Role.ADMIN)) {
                LoggerHolder.LOG.warn("{} leaves out admin: admins sign in with a password only", MFA_REQUIRED_ROLES);
            }
        }
        boolean tokensMayPlay = r.bool(TOKENS_MAY_PLAY, false);
        java.util.List<String> bad = new java.util.ArrayList<>();
        TrustedProxies proxies = TrustedProxies.parse(r.string(TRUSTED_PROXIES, ""), bad);
        bad.forEach(b -> r.problem(TRUSTED_PROXIES, "'" + b + "' is not an IP address or CIDR block"));
        return new AdminConfig(user, password, dev, tls, ttl, limits, bodyLimit, Set.copyOf(mfaRoles), tokensMayPlay, proxies);
    }

    /** Whether this role must sign in with a second factor. */
    public boolean requiresMfa(Role role) {
        return mfaRequiredRoles.contains(role);
    }

    private static final class LoggerHolder {
        static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AdminConfig.class);
    }

    private static void readablePem(ConfigReader r, String key, Path path, String kind) {
        if (!Files.isReadable(path)) {
            r.problem(key, "file " + path + " does not exist or is not readable");
            return;
        }
        try {
            String text = Files.readString(path);
            if (!text.contains("-----BEGIN") || !text.contains(kind + "-----")) {
                r.problem(key, "file " + path + " is not a PEM file with a " + kind);
            }
        } catch (Exception e) {
            r.problem(key, "cannot read " + path + ": " + e.getClass().getSimpleName());
        }
    }
}
