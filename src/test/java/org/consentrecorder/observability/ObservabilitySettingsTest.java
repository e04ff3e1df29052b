package org.consentrecorder.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.consentrecorder.admin.HttpSettings;
import org.consentrecorder.config.ConfigProblem;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.ConfigSource;
import org.junit.jupiter.api.Test;

/** CR_METRICS_* and CR_LOG_FORMAT: defaults, and a clear problem for each bad value that never echoes a token. */
class ObservabilitySettingsTest {
    private static final String TOKEN = "8f1c2e9a7b6d5f4e3c2b1a0918273645";

    private record Loaded(ObservabilitySettings settings, List<ConfigProblem> problems) {
        String problemsText() {
            return problems.toString();
        }
    }

    private static Loaded load(Map<String, String> env) {
        ConfigReader r = new ConfigReader(ConfigSource.of(env));
        HttpSettings http = HttpSettings.load(r);
        ObservabilitySettings s = ObservabilitySettings.load(r, http);
        return new Loaded(s, r.problems());
    }

    @Test
    void defaults_metricsOnTheApiServerForLoopbackOnly_textLogs() {
        Loaded l = load(Map.of());
        assertEquals(List.of(), l.problems());
        assertFalse(l.settings().ownServer());
        assertTrue(l.settings().metricsToken().isEmpty());
        assertEquals(Duration.ofSeconds(30), l.settings().refreshInterval());
        assertEquals(ObservabilitySettings.LogFormat.TEXT, l.settings().logFormat());
    }

    @Test
    void aPortOfItsOwn_boundWhereTheOperatorSays() {
        Loaded l = load(Map.of("CR_METRICS_PORT", "9464", "CR_METRICS_HOST", "0.0.0.0", "CR_METRICS_TOKEN", TOKEN,
                "CR_LOG_FORMAT", "json", "CR_METRICS_REFRESH", "10s"));
        assertEquals(List.of(), l.problems());
        assertTrue(l.settings().ownServer());
        assertEquals(9464, l.settings().metricsPort().getAsInt());
        assertEquals("0.0.0.0", l.settings().metricsHost());
        assertEquals(TOKEN, l.settings().metricsToken().orElseThrow().reveal());
        assertEquals(ObservabilitySettings.LogFormat.JSON, l.settings().logFormat());
        // the API's own port is not a server of its own
        Loaded same = load(Map.of("CR_HTTP_PORT", "8081", "CR_METRICS_PORT", "8081"));
        assertFalse(same.settings().ownServer());
        // a server of its own listens on loopback unless told otherwise
        assertEquals("127.0.0.1", load(Map.of("CR_METRICS_PORT", "9464")).settings().metricsHost());
    }

    @Test
    void badValues_eachAProblemNamingItsKey_neverTheToken() {
        assertTrue(load(Map.of("CR_METRICS_HOST", "0.0.0.0")).problemsText().contains("CR_METRICS_HOST"),
                "a host without a port of its own");
        assertTrue(load(Map.of("CR_HTTP_PORT", "8081", "CR_METRICS_PORT", "8081", "CR_METRICS_HOST", "0.0.0.0"))
                .problemsText().contains("CR_METRICS_HOST"), "the API's port is not a port of its own");
        Map<String, String> env = new HashMap<>();
        env.put("CR_METRICS_TOKEN", "short-secret");
        env.put("CR_METRICS_PORT", "70000");
        env.put("CR_METRICS_REFRESH", "5ms");
        env.put("CR_LOG_FORMAT", "JSON");                 // Logback includes logback-format-<value>.xml: lower case only
        Loaded l = load(env);
        String text = l.problemsText();
        for (String key : List.of("CR_METRICS_TOKEN", "CR_METRICS_PORT", "CR_METRICS_REFRESH",
                "CR_LOG_FORMAT")) {
            assertTrue(text.contains(key), key + " in " + text);
        }
        assertFalse(text.contains("short-secret"), text);
        String placeholder = "change-me-metrics-token-000000";
        assertTrue(load(Map.of("CR_METRICS_TOKEN", placeholder)).problemsText().contains("placeholder"));
        assertFalse(load(Map.of("CR_METRICS_TOKEN", placeholder)).problemsText().contains(placeholder));
        assertTrue(load(Map.of("CR_METRICS_TOKEN", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa")).problemsText().contains("random"));
    }
}
