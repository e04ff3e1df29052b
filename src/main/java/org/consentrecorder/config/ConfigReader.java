package org.consentrecorder.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Typed access to a {@link ConfigSource} that collects every problem instead of stopping at the
 * first, so an operator fixes the whole configuration in one go. Messages name the key and the
 * problem; values are quoted only for settings that are not secret.
 */
public final class ConfigReader {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");
    private final ConfigSource source;
    private final List<ConfigProblem> problems = new ArrayList<>();

    public ConfigReader(ConfigSource source) {
        this.source = source;
    }

    public ConfigSource source() {
        return source;
    }

    public void problem(String key, String message) {
        problems.add(new ConfigProblem(key, message));
    }

    public List<ConfigProblem> problems() {
        return List.copyOf(problems);
    }

    /** Throws a {@link ConfigException} listing everything wrong so far. */
    public void throwIfProblems() {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    public Optional<String> optional(String key) {
        return source.get(key);
    }

    public String string(String key, String defaultValue) {
        return source.get(key).orElse(defaultValue);
    }

    public String required(String key) {
        Optional<String> v = source.get(key);
        if (v.isEmpty()) {
            problem(key, "is required but not set");
            return "";
        }
        return v.get();
    }

    public Secret secret(String key) {
        return Secret.of(source.get(key).orElse(""));
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Optional<String> v = source.get(key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(v.get());
            if (parsed < min || parsed > max) {
                problem(key, "'" + v.get() + "' is out of range " + min + ".." + max);
                return defaultValue;
            }
            return parsed;
        } catch (NumberFormatException e) {
            problem(key, "'" + v.get() + "' is not a whole number");
            return defaultValue;
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        Optional<String> v = source.get(key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        switch (v.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1":
                return true;
            case "false", "no", "off", "0":
                return false;
            default:
                problem(key, "'" + v.get() + "' is not a boolean (use true or false)");
                return defaultValue;
        }
    }

    /** Durations are written as 500ms, 8s, 2m, 1h or 90d (days of 24 hours); a bare number means milliseconds. */
    public Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
        Optional<String> v = source.get(key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        Matcher m = DURATION.matcher(v.get().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            problem(key, "'" + v.get() + "' is not a duration (examples: 500ms, 8s, 2m, 1h, 90d)");
            return defaultValue;
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            problem(key, "'" + v.get() + "' is out of range " + min.toMillis() + "ms.." + max.toMillis() + "ms");
            return defaultValue;
        }
        return d;
    }

    private static final Pattern PERIOD = Pattern.compile("(\\d{1,4})\\s*(mo|d)");

    /**
     * A calendar period: {@code 1mo} (calendar months, as in "within one month") or {@code 30d}
     * (days). Months are not a fixed number of days, so they are not a {@link Duration}.
     */
    public java.time.Period period(String key, java.time.Period defaultValue, int maxDays) {
        Optional<String> v = source.get(key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        Matcher m = PERIOD.matcher(v.get().toLowerCase(Locale.ROOT).trim());
        if (!m.matches()) {
            problem(key, "'" + v.get() + "' is not a period (examples: 1mo for one calendar month, 30d)");
            return defaultValue;
        }
        int amount = Integer.parseInt(m.group(1));
        java.time.Period p = m.group(2).equals("mo") ? java.time.Period.ofMonths(amount) : java.time.Period.ofDays(amount);
        if (amount < 1 || (m.group(2).equals("mo") ? amount * 31L : amount) > maxDays) {
            problem(key, "'" + v.get() + "' is out of range 1d.." + maxDays + "d");
            return defaultValue;
        }
        return p;
    }

    public <E extends Enum<E>> E oneOf(String key, E defaultValue, Class<E> type) {
        Optional<String> v = source.get(key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(v.get())) {
                return e;
            }
        }
        problem(key, "'" + v.get() + "' is not one of " + Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
        return defaultValue;
    }

    /** An http(s) URL; user info is allowed but never echoed in the problem message. */
    public URI httpUrl(String key, String defaultValue) {
        String raw = string(key, defaultValue);
        try {
            URI uri = new URI(raw);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                problem(key, "must start with http:// or https://");
                return URI.create(defaultValue);
            }
            if (uri.getHost() == null) {
                problem(key, "has no host name");
                return URI.create(defaultValue);
            }
            return uri;
        } catch (URISyntaxException e) {
            problem(key, "is not a valid URL");
            return URI.create(defaultValue);
        }
    }
}
