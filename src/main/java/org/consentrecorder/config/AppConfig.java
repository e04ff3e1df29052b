package org.consentrecorder.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.consentrecorder.admin.AdminConfig;
import org.consentrecorder.ari.AriEndpoint;
import org.consentrecorder.call.CallSettings;
import org.consentrecorder.call.CallerIdentity;
import org.consentrecorder.call.ContinueTarget;
import org.consentrecorder.call.ContinueTargets;
import org.consentrecorder.call.IvrSettings;
import org.consentrecorder.call.LawfulBasis;
import org.consentrecorder.call.NoticeCatalog;
import org.consentrecorder.call.Outcome;
import org.consentrecorder.privacy.PrivacySettings;
import org.consentrecorder.recording.ArchiveSettings;
import org.consentrecorder.recording.PauseStyle;
import org.consentrecorder.recording.RecordingSettings;

/**
 * The application's whole configuration, typed and validated once at start-up. Every key is an
 * environment variable (or a line of the CR_CONFIG_FILE properties file); the README lists them.
 */
public record AppConfig(
        AriConfig ari,
        HttpConfig http,
        DatabaseConfig database,
        CallSettings calls,
        ArchiveSettings archive,
        AdminConfig admin,
        PrivacySettings privacy) {

    public record AriConfig(AriEndpoint endpoint, Duration requestTimeout, Duration reconnectMin,
                            Duration reconnectMax, Duration sweepInterval) {
    }

    public record HttpConfig(String host, int port) {
    }

    /** url empty means: start the embedded PostgreSQL in embeddedDirectory. */
    public record DatabaseConfig(Optional<String> url, String user, Secret password, int poolSize,
                                 Path embeddedDirectory, int embeddedPort) {
        public boolean embedded() {
            return url.isEmpty();
        }
    }

    public static final String ARI_URL = "CR_ARI_URL";
    public static final String ARI_USER = "CR_ARI_USER";
    public static final String ARI_PASSWORD = "CR_ARI_PASSWORD";
    public static final String ARI_APP = "CR_ARI_APP";
    public static final String ARI_TIMEOUT = "CR_ARI_REQUEST_TIMEOUT";
    public static final String ARI_RECONNECT_MIN = "CR_ARI_RECONNECT_MIN";
    public static final String ARI_RECONNECT_MAX = "CR_ARI_RECONNECT_MAX";
    public static final String ARI_SWEEP_INTERVAL = "CR_ARI_SWEEP_INTERVAL";
    public static final String HTTP_HOST = "CR_HTTP_HOST";
    public static final String HTTP_PORT = "CR_HTTP_PORT";
    public static final String DB_URL = "CR_DB_URL";
    public static final String DB_USER = "CR_DB_USER";
    public static final String DB_PASSWORD = "CR_DB_PASSWORD";
    public static final String DB_POOL_SIZE = "CR_DB_POOL_SIZE";
    public static final String DB_EMBEDDED_DIR = "CR_DB_EMBEDDED_DIR";
    public static final String DB_EMBEDDED_PORT = "CR_DB_EMBEDDED_PORT";
    public static final String LAWFUL_BASIS = "CR_LAWFUL_BASIS";
    public static final String ACCEPT_KEY = "CR_IVR_ACCEPT_KEY";
    public static final String DECLINE_KEY = "CR_IVR_DECLINE_KEY";
    public static final String IVR_TIMEOUT = "CR_IVR_TIMEOUT";
    public static final String IVR_ATTEMPTS = "CR_IVR_ATTEMPTS";
    public static final String IVR_PROMPT_MAX = "CR_IVR_PROMPT_MAX";
    public static final String IVR_REGRANT_WINDOW = "CR_IVR_REGRANT_WINDOW";
    public static final String NOTICES_FILE = "CR_NOTICES_FILE";
    public static final String NOTICE_DEFAULT = "CR_NOTICE_DEFAULT";
    public static final String CONTINUE_TARGET = "CR_CONTINUE_TARGET";
    public static final String CALLER_COUNTRY_CODE = "CR_CALLER_COUNTRY_CODE";
    public static final String RECORDING_FORMAT = "CR_RECORDING_FORMAT";
    public static final String SNOOP_SPY = "CR_SNOOP_SPY";
    public static final String PAUSE_STYLE = "CR_PAUSE_STYLE";
    public static final String PAUSE_DTMF = "CR_PAUSE_DTMF";
    public static final String RESUME_DTMF = "CR_RESUME_DTMF";
    public static final String WITHDRAW_DTMF = "CR_WITHDRAW_DTMF";
    public static final String DTMF_SEQUENCE_GAP = "CR_DTMF_SEQUENCE_GAP";
    public static final String PAUSE_USEREVENT = "CR_PAUSE_USEREVENT";
    public static final String RESUME_USEREVENT = "CR_RESUME_USEREVENT";
    public static final String PAUSE_DEADLINE = "CR_PAUSE_DEADLINE";
    public static final String MAX_PAUSE = "CR_MAX_PAUSE";
    public static final String BURST_GUARD = "CR_BURST_GUARD";
    public static final String BURST_DIGITS = "CR_BURST_DIGITS";
    public static final String BURST_WINDOW = "CR_BURST_WINDOW";
    public static final String SNOOP_TIMEOUT = "CR_SNOOP_TIMEOUT";
    public static final String TEARDOWN_TIMEOUT = "CR_TEARDOWN_TIMEOUT";
    public static final String OUTAGE_PAUSE = "CR_OUTAGE_PAUSE";

    public static final String KEYRING = "CR_KEYRING";
    public static final String KEYRING_FILE = "CR_KEYRING_FILE";
    public static final String KEYSTORE_DIR = "CR_KEYSTORE_DIR";
    public static final String ARCHIVE_SEGMENT_SIZE = "CR_ARCHIVE_SEGMENT_SIZE";
    public static final String ARCHIVE_SEGMENTS_PER_CHUNK = "CR_ARCHIVE_SEGMENTS_PER_CHUNK";
    public static final String ARCHIVE_CONCURRENCY = "CR_ARCHIVE_CONCURRENCY";
    public static final String ARCHIVE_LEASE = "CR_ARCHIVE_LEASE";
    public static final String ARCHIVE_RETRY_MIN = "CR_ARCHIVE_RETRY_MIN";
    public static final String ARCHIVE_RETRY_MAX = "CR_ARCHIVE_RETRY_MAX";
    public static final String ARCHIVE_POLL = "CR_ARCHIVE_POLL";
    public static final String ARCHIVE_RECONCILE = "CR_ARCHIVE_RECONCILE";

    public static final String DEFAULT_ARI_URL = "http://127.0.0.1:8088";
    public static final String DEFAULT_ARI_USER = "consent-recorder";
    public static final String DEFAULT_APP = "consent-recorder";
    public static final int DEFAULT_HTTP_PORT = 8080;

    /** Reads and validates everything; throws {@link ConfigException} naming every bad key. */
    public static AppConfig load(ConfigSource source) {
        ConfigReader r = new ConfigReader(source);
        AriConfig ari = ari(r);
        HttpConfig http = new HttpConfig(r.string(HTTP_HOST, "0.0.0.0"), r.integer(HTTP_PORT, DEFAULT_HTTP_PORT, 0, 65535));
        DatabaseConfig db = database(r);
        CallSettings calls = new CallSettings(ivr(r), recording(r));
        ArchiveSettings archive = archive(r);
        AdminConfig admin = AdminConfig.load(r);
        PrivacySettings privacy = PrivacySettings.load(r);
        r.throwIfProblems();
        return new AppConfig(ari, http, db, calls, archive, admin, privacy);
    }

    /** Only the database settings: for commands that need nothing else (admin create, audit verify). */
    public static DatabaseConfig loadDatabase(ConfigSource source) {
        ConfigReader r = new ConfigReader(source);
        DatabaseConfig db = database(r);
        r.throwIfProblems();
        return db;
    }

    private static AriConfig ari(ConfigReader r) {
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
        return new AriConfig(new AriEndpoint(base, user, secret, app), timeout, min, max, sweep);
    }

    private static DatabaseConfig database(ConfigReader r) {
        Optional<String> url = r.optional(DB_URL);
        url.ifPresent(u -> {
            if (!u.startsWith("postgresql://") && !u.startsWith("postgres://") && !u.startsWith("jdbc:postgresql://")) {
                r.problem(DB_URL, "must look like postgresql://host:5432/database");
            }
        });
        return new DatabaseConfig(url,
                r.string(DB_USER, "consent_recorder"),
                r.secret(DB_PASSWORD),
                r.integer(DB_POOL_SIZE, 10, 1, 200),
                Path.of(r.string(DB_EMBEDDED_DIR, "data/postgres")),
                r.integer(DB_EMBEDDED_PORT, 0, 0, 65535));
    }

    private static IvrSettings ivr(ConfigReader r) {
        LawfulBasis basis = r.oneOf(LAWFUL_BASIS, LawfulBasis.CONSENT, LawfulBasis.class);
        char accept = key(r, ACCEPT_KEY, '1');
        char decline = key(r, DECLINE_KEY, '2');
        if (accept == decline) {
            r.problem(DECLINE_KEY, "must differ from " + ACCEPT_KEY);
        }
        Duration timeout = r.duration(IVR_TIMEOUT, Duration.ofSeconds(8), Duration.ofSeconds(1), Duration.ofMinutes(2));
        int attempts = r.integer(IVR_ATTEMPTS, 2, 1, 5);
        Duration promptMax = r.duration(IVR_PROMPT_MAX, Duration.ofSeconds(90), Duration.ofSeconds(5), Duration.ofMinutes(10));
        Duration regrant = r.duration(IVR_REGRANT_WINDOW, Duration.ofSeconds(4), Duration.ZERO, Duration.ofMinutes(1));
        NoticeCatalog notices = NoticeLoader.load(r, basis);
        return new IvrSettings(basis, accept, decline, timeout, attempts, promptMax, regrant, notices,
                continueTargets(r), new CallerIdentity(countryCode(r)));
    }

    private static String countryCode(ConfigReader r) {
        String cc = r.string(CALLER_COUNTRY_CODE, "").replace("+", "");
        if (!cc.isEmpty() && !cc.matches("\\d{1,3}")) {
            r.problem(CALLER_COUNTRY_CODE, "'" + cc + "' is not a country calling code (1 to 3 digits, e.g. 49)");
            return "";
        }
        return cc;
    }

    private static ContinueTargets continueTargets(ConfigReader r) {
        ContinueTarget fallback = ContinueTarget.NEXT_PRIORITY;
        Optional<String> spec = r.optional(CONTINUE_TARGET);
        if (spec.isPresent()) {
            fallback = parseTarget(r, CONTINUE_TARGET, spec.get());
        }
        Map<Outcome, ContinueTarget> byOutcome = new EnumMap<>(Outcome.class);
        for (String key : r.source().keysWithPrefix(CONTINUE_TARGET + "_")) {
            String suffix = key.substring(CONTINUE_TARGET.length() + 1);
            Outcome outcome;
            try {
                outcome = Outcome.valueOf(suffix.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                r.problem(key, "'" + suffix.toLowerCase(Locale.ROOT) + "' is not an outcome");
                continue;
            }
            r.optional(key).ifPresent(v -> byOutcome.put(outcome, parseTarget(r, key, v)));
        }
        return new ContinueTargets(fallback, byOutcome);
    }

    private static ContinueTarget parseTarget(ConfigReader r, String key, String spec) {
        try {
            return ContinueTarget.parse(spec);
        } catch (IllegalArgumentException e) {
            r.problem(key, "'" + spec + "': " + e.getMessage());
            return ContinueTarget.NEXT_PRIORITY;
        }
    }

    private static RecordingSettings recording(ConfigReader r) {
        RecordingSettings d = RecordingSettings.defaults();
        String format = r.string(RECORDING_FORMAT, d.format());
        if (!format.matches("[a-z0-9]+")) {
            r.problem(RECORDING_FORMAT, "'" + format + "' is not an Asterisk format name (e.g. wav, gsm, ulaw)");
        }
        String spy = r.string(SNOOP_SPY, d.spy());
        if (!spy.equals("both") && !spy.equals("in") && !spy.equals("out")) {
            r.problem(SNOOP_SPY, "'" + spy + "' is not one of both, in, out");
        }
        String pause = sequence(r, PAUSE_DTMF, d.pauseSequence());
        String resume = sequence(r, RESUME_DTMF, d.resumeSequence());
        String withdraw = sequence(r, WITHDRAW_DTMF, d.withdrawSequence());
        if (!pause.isEmpty() && (pause.equals(resume) || pause.equals(withdraw))) {
            r.problem(PAUSE_DTMF, "must differ from the resume and withdraw sequences");
        }
        if (!resume.isEmpty() && resume.equals(withdraw)) {
            r.problem(RESUME_DTMF, "must differ from the withdraw sequence");
        }
        return new RecordingSettings(
                format, spy,
                r.oneOf(PAUSE_STYLE, d.pauseStyle(), PauseStyle.class),
                pause, resume, withdraw,
                r.duration(DTMF_SEQUENCE_GAP, d.sequenceGap(), Duration.ofMillis(200), Duration.ofSeconds(30)),
                userEvent(r, PAUSE_USEREVENT, d.pauseUserEvent()),
                userEvent(r, RESUME_USEREVENT, d.resumeUserEvent()),
                r.duration(PAUSE_DEADLINE, d.pauseDeadline(), Duration.ofMillis(50), Duration.ofSeconds(10)),
                r.duration(MAX_PAUSE, d.maxPause(), Duration.ZERO, Duration.ofHours(12)),
                r.bool(BURST_GUARD, d.burstGuard()),
                r.integer(BURST_DIGITS, d.burstDigits(), 2, 32),
                r.duration(BURST_WINDOW, d.burstWindow(), Duration.ofMillis(200), Duration.ofMinutes(1)),
                r.duration(SNOOP_TIMEOUT, d.snoopTimeout(), Duration.ofMillis(100), Duration.ofMinutes(1)),
                r.duration(TEARDOWN_TIMEOUT, d.teardownTimeout(), Duration.ofSeconds(1), Duration.ofMinutes(10)),
                r.bool(OUTAGE_PAUSE, d.pauseOnOutage()));
    }

    private static ArchiveSettings archive(ConfigReader r) {
        int segmentSize = r.integer(ARCHIVE_SEGMENT_SIZE, ArchiveSettings.DEFAULT_SEGMENT_SIZE, 4096, 4 * 1024 * 1024);
        int perChunk = r.integer(ARCHIVE_SEGMENTS_PER_CHUNK, ArchiveSettings.DEFAULT_SEGMENTS_PER_CHUNK, 1, 256);
        if ((long) segmentSize * perChunk > 64L * 1024 * 1024) {
            r.problem(ARCHIVE_SEGMENTS_PER_CHUNK, "a chunk row would exceed 64 MiB; use fewer segments per chunk");
        }
        Duration retryMin = r.duration(ARCHIVE_RETRY_MIN, Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofHours(1));
        Duration retryMax = r.duration(ARCHIVE_RETRY_MAX, Duration.ofMinutes(5), Duration.ofMillis(10), Duration.ofDays(1));
        if (retryMax.compareTo(retryMin) < 0) {
            r.problem(ARCHIVE_RETRY_MAX, "must not be shorter than " + ARCHIVE_RETRY_MIN);
        }
        Optional<Secret> keyringValue = r.optional(KEYRING).map(Secret::of);
        Optional<java.nio.file.Path> keyringFile = r.optional(KEYRING_FILE).map(java.nio.file.Path::of);
        return new ArchiveSettings(segmentSize, perChunk,
                r.integer(ARCHIVE_CONCURRENCY, 2, 1, 32),
                r.duration(ARCHIVE_LEASE, Duration.ofMinutes(2), Duration.ofMillis(100), Duration.ofHours(6)),
                retryMin, retryMax,
                r.duration(ARCHIVE_POLL, Duration.ofSeconds(5), Duration.ofMillis(10), Duration.ofMinutes(10)),
                r.duration(ARCHIVE_RECONCILE, Duration.ofMinutes(5), Duration.ofMillis(100), Duration.ofDays(1)),
                Path.of(r.string(KEYSTORE_DIR, "data/keys")),
                keyringFile, keyringValue);
    }

    private static char key(ConfigReader r, String key, char fallback) {
        String v = r.string(key, String.valueOf(fallback));
        if (v.length() != 1 || "0123456789*#".indexOf(v.charAt(0)) < 0) {
            r.problem(key, "'" + v + "' is not a single DTMF key (0-9, * or #)");
            return fallback;
        }
        return v.charAt(0);
    }

    private static String sequence(ConfigReader r, String key, String fallback) {
        String v = r.string(key, fallback);
        if (v.equalsIgnoreCase("off") || v.equalsIgnoreCase("none")) {
            return "";
        }
        if (!v.matches("[0-9*#A-Da-d]{1,8}")) {
            r.problem(key, "'" + v + "' is not a DTMF sequence of 1 to 8 keys (0-9, *, #, A-D), or off");
            return fallback;
        }
        return v.toUpperCase(Locale.ROOT);
    }

    private static String userEvent(ConfigReader r, String key, String fallback) {
        String v = r.string(key, fallback);
        if (!v.matches("[A-Za-z0-9_\\-.]{1,64}")) {
            r.problem(key, "'" + v + "' is not a UserEvent name (letters, digits, _-.)");
            return fallback;
        }
        return v;
    }
}
