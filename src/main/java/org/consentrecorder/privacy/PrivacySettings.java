package org.consentrecorder.privacy;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Period;
import java.util.HexFormat;
import java.util.Optional;
import org.consentrecorder.config.ConfigReader;

/**
 * Settings of the privacy lifecycle: retention periods, how often and in which batch size the
 * retention job runs, the deadline of data-subject requests, and who the controller is (for the
 * records of processing). Read by {@code AppConfig.load}; docs/privacy.md explains the defaults.
 *
 * @param instanceId names this process in retention reports (several instances may share a database)
 */
public record PrivacySettings(
        RetentionPolicy retention,
        Duration retentionInterval,
        int retentionBatch,
        Period requestDue,
        Controller controller,
        String instanceId) {

    /** How long each category is kept; empty means "until erased" (the category is not expired). */
    public record RetentionPolicy(Optional<Duration> recordings, Optional<Duration> calls, Optional<Duration> evidence) {
    }

    /** The controller named in the records of processing; empty strings when not configured. */
    public record Controller(String name, String contact, String dpoContact) {
    }

    public static final String RETENTION_RECORDINGS = "CR_RETENTION_RECORDINGS";
    public static final String RETENTION_CALLS = "CR_RETENTION_CALLS";
    public static final String RETENTION_EVIDENCE = "CR_RETENTION_EVIDENCE";
    public static final String RETENTION_INTERVAL = "CR_RETENTION_INTERVAL";
    public static final String RETENTION_BATCH = "CR_RETENTION_BATCH";
    public static final String DSAR_DUE = "CR_DSAR_DUE";
    public static final String CONTROLLER_NAME = "CR_CONTROLLER_NAME";
    public static final String CONTROLLER_CONTACT = "CR_CONTROLLER_CONTACT";
    public static final String DPO_CONTACT = "CR_DPO_CONTACT";
    public static final String INSTANCE_ID = "CR_INSTANCE_ID";

    public static final Duration DEFAULT_RECORDINGS = Duration.ofDays(90);
    public static final Duration DEFAULT_CALLS = Duration.ofDays(180);
    /** Three years of limitation counted from the end of a year: up to four years after the call. */
    public static final Duration DEFAULT_EVIDENCE = Duration.ofDays(4 * 365);

    private static final Duration MIN_RETENTION = Duration.ofHours(1);
    private static final Duration MAX_RETENTION = Duration.ofDays(100 * 365);

    public static PrivacySettings load(ConfigReader r) {
        Optional<Duration> recordings = retention(r, RETENTION_RECORDINGS, DEFAULT_RECORDINGS);
        Optional<Duration> calls = retention(r, RETENTION_CALLS, DEFAULT_CALLS);
        Optional<Duration> evidence = retention(r, RETENTION_EVIDENCE, DEFAULT_EVIDENCE);
        // a recording must never outlive the call it belongs to, nor the consent that justified it
        if (shorter(calls, recordings)) {
            r.problem(RETENTION_CALLS, "must not be shorter than " + RETENTION_RECORDINGS
                    + " (a recording must not outlive its call's metadata)");
        }
        if (shorter(evidence, recordings)) {
            r.problem(RETENTION_EVIDENCE, "must not be shorter than " + RETENTION_RECORDINGS
                    + " (the consent evidence must outlive the recording it justifies)");
        }
        Duration interval = r.duration(RETENTION_INTERVAL, Duration.ofHours(1), Duration.ZERO, Duration.ofDays(7));
        int batch = r.integer(RETENTION_BATCH, 500, 1, 10_000);
        Period due = r.period(DSAR_DUE, Period.ofMonths(1), 92);
        Controller controller = new Controller(r.string(CONTROLLER_NAME, "").trim(),
                r.string(CONTROLLER_CONTACT, "").trim(), r.string(DPO_CONTACT, "").trim());
        String instance = r.string(INSTANCE_ID, defaultInstanceId());
        if (!instance.matches("[A-Za-z0-9_.:@-]{1,100}")) {
            r.problem(INSTANCE_ID, "'" + instance + "' may only contain letters, digits and _.:@- (1 to 100)");
            instance = defaultInstanceId();
        }
        return new PrivacySettings(new RetentionPolicy(recordings, calls, evidence), interval, batch, due, controller,
                instance);
    }

    /** A duration, or "off" for "kept until erased". */
    private static Optional<Duration> retention(ConfigReader r, String key, Duration fallback) {
        if (r.optional(key).map(v -> v.trim().equalsIgnoreCase("off")).orElse(false)) {
            return Optional.empty();
        }
        return Optional.of(r.duration(key, fallback, MIN_RETENTION, MAX_RETENTION));
    }

    /** True when {@code a} would expire before {@code b} (an empty period never expires). */
    private static boolean shorter(Optional<Duration> a, Optional<Duration> b) {
        if (a.isEmpty()) {
            return false;
        }
        return b.isEmpty() || a.get().compareTo(b.get()) < 0;
    }

    private static String defaultInstanceId() {
        // HOSTNAME rather than a DNS lookup: start-up must not wait for a resolver
        String host = System.getenv().getOrDefault("HOSTNAME", "").replaceAll("[^A-Za-z0-9_.-]", "");
        byte[] random = new byte[2];
        new SecureRandom().nextBytes(random);
        return (host.isEmpty() ? "instance" : host) + "-" + ProcessHandle.current().pid() + "-"
                + HexFormat.of().formatHex(random);
    }
}
