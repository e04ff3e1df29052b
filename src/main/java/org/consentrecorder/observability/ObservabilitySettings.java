package org.consentrecorder.observability;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import org.consentrecorder.admin.HttpSettings;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.Secret;

/**
 * Where {@code GET /metrics} is served and who may read it, how often the gauges that need the
 * database are refreshed, and the log format. Read by {@code AppConfig.load}; the README lists the keys.
 *
 * @param metricsPort  empty: the API's own server (CR_HTTP_PORT) serves /metrics; otherwise a server of its own
 *                     (0: on any free port)
 * @param metricsHost  where that server of its own listens (loopback unless the operator says otherwise)
 * @param metricsToken when present every scrape must send it as a bearer token; when absent only
 *                     loopback peers may scrape
 */
public record ObservabilitySettings(
        OptionalInt metricsPort,
        String metricsHost,
        Optional<Secret> metricsToken,
        Duration refreshInterval,
        LogFormat logFormat) {

    public static final String METRICS_PORT = "CR_METRICS_PORT";
    public static final String METRICS_HOST = "CR_METRICS_HOST";
    public static final String METRICS_TOKEN = "CR_METRICS_TOKEN";
    public static final String METRICS_REFRESH = "CR_METRICS_REFRESH";
    public static final String LOG_FORMAT = "CR_LOG_FORMAT";
    /** Shorter tokens are guessable; Prometheus sends the token with every scrape. */
    static final int MIN_TOKEN_LENGTH = 20;

    /** How log lines are written: Logback reads the same key from the environment (logback.xml). */
    public enum LogFormat {
        /** One human-readable line per event. */
        TEXT,
        /** One JSON object per line: time, level, logger, thread, message, call_id, stack_trace. */
        JSON
    }

    public static ObservabilitySettings load(ConfigReader r, HttpSettings http) {
        OptionalInt port = r.optional(METRICS_PORT).isPresent()
                ? OptionalInt.of(r.integer(METRICS_PORT, 0, 0, 65535)) : OptionalInt.empty();
        // 0 is "any free port": a server of its own even when CR_HTTP_PORT is 0 too
        boolean ownServer = port.isPresent() && (port.getAsInt() != http.port() || port.getAsInt() == 0);
        Optional<String> host = r.optional(METRICS_HOST);
        if (host.isPresent() && !ownServer) {
            r.problem(METRICS_HOST, "applies to a metrics server of its own: set " + METRICS_PORT
                    + " to a port other than " + HttpSettings.HTTP_PORT + " (without it /metrics is served on "
                    + HttpSettings.HTTP_PORT + " and bound like the API)");
        }
        Optional<Secret> token = r.optional(METRICS_TOKEN).map(Secret::of);
        token.flatMap(t -> tokenProblem(t.reveal())).ifPresent(p -> r.problem(METRICS_TOKEN, p));
        Duration refresh = r.duration(METRICS_REFRESH, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofMinutes(10));
        String formatName = r.string(LOG_FORMAT, "text");
        LogFormat format = switch (formatName) {
            case "text" -> LogFormat.TEXT;
            case "json" -> LogFormat.JSON;
            default -> {
                // exactly these: logback.xml includes logback-format-<value>.xml
                r.problem(LOG_FORMAT, "'" + formatName + "' is not one of text, json (lower case)");
                yield LogFormat.TEXT;
            }
        };
        return new ObservabilitySettings(ownServer ? port : OptionalInt.empty(), host.orElse("127.0.0.1"), token,
                refresh, format);
    }

    /** The message never repeats the token. */
    static Optional<String> tokenProblem(String token) {
        String t = token.strip();
        if (t.length() < MIN_TOKEN_LENGTH) {
            return Optional.of("is shorter than " + MIN_TOKEN_LENGTH + " characters (e.g. openssl rand -hex 24)");
        }
        if (t.toLowerCase(Locale.ROOT).startsWith("change-me") || !t.equals(token) || t.chars().distinct().count() < 8) {
            return Optional.of("is a placeholder or not random enough (e.g. openssl rand -hex 24)");
        }
        return Optional.empty();
    }

    /** True when /metrics is served by a server of its own rather than the API's. */
    public boolean ownServer() {
        return metricsPort.isPresent();
    }
}
