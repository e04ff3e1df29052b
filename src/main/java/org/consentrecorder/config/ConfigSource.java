package org.consentrecorder.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where settings come from: an optional properties file (named by CR_CONFIG_FILE) overlaid by the
 * environment. The environment wins so that containers can override a packaged file.
 */
public final class ConfigSource {
    public static final String CONFIG_FILE_KEY = "CR_CONFIG_FILE";
    private final Map<String, String> values;

    private ConfigSource(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static ConfigSource of(Map<String, String> values) {
        return new ConfigSource(values);
    }

    /** Reads the file named by CR_CONFIG_FILE (if any) and overlays the given environment. */
    public static ConfigSource load(Map<String, String> environment) {
        Map<String, String> merged = new HashMap<>();
        String file = environment.get(CONFIG_FILE_KEY);
        if (file != null && !file.isBlank()) {
            Path path = Path.of(file.trim());
            if (!Files.isReadable(path)) {
                throw new ConfigException(List.of(new ConfigProblem(CONFIG_FILE_KEY,
                        "file " + path + " does not exist or is not readable")));
            }
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException(List.of(new ConfigProblem(CONFIG_FILE_KEY,
                        "cannot read " + path + ": " + e.getMessage())));
            }
            properties.stringPropertyNames().forEach(k -> merged.put(k.trim(), properties.getProperty(k)));
        }
        environment.forEach((k, v) -> {
            if (k.startsWith("CR_")) {
                merged.put(k, v);
            }
        });
        return new ConfigSource(merged);
    }

    /** The raw value, empty when unset or blank. */
    public Optional<String> get(String key) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(v.trim());
    }

    /** Keys that start with the given prefix, for families of settings such as per-outcome targets. */
    public List<String> keysWithPrefix(String prefix) {
        return values.keySet().stream().filter(k -> k.startsWith(prefix)).sorted().toList();
    }
}
