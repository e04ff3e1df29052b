package org.consentrecorder.app;

import org.consentrecorder.config.ConfigException;
import org.consentrecorder.config.ConfigSource;
import org.consentrecorder.config.ConfigProblem;
import org.consentrecorder.config.Secret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.consentrecorder.call.LawfulBasis;
import org.consentrecorder.call.Outcome;
import org.consentrecorder.call.PauseStyle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration is validated at start-up; a bad value names its key and the problem, never a secret. */
class AppConfigTest {

    private static Map<String, String> minimal() {
        Map<String, String> env = new HashMap<>();
        env.put("CR_ARI_PASSWORD", "s3cret-ari");
        return env;
    }

    private static ConfigException invalid(Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> AppConfig.load(ConfigSource.of(env)));
    }

    @Test
    void givenOnlyAPassword_thenDefaultsAreSensible() {
        AppConfig c = AppConfig.load(ConfigSource.of(minimal()));
        assertEquals("127.0.0.1", c.ari().endpoint().host());
        assertEquals(8088, c.ari().endpoint().port());
        assertEquals("/ari", c.ari().endpoint().ariPath());
        assertEquals("consent-recorder", c.ari().endpoint().application());
        assertTrue(c.database().embedded());
        assertEquals(8080, c.http().port());
        assertEquals(LawfulBasis.CONSENT, c.calls().ivr().basis());
        assertEquals('1', c.calls().ivr().acceptKey());
        assertEquals('2', c.calls().ivr().declineKey());
        assertEquals(Duration.ofSeconds(8), c.calls().ivr().noInputTimeout());
        assertEquals(2, c.calls().ivr().attempts());
        assertEquals(PauseStyle.SKIP, c.calls().recording().pauseStyle());
        assertEquals(Duration.ofMillis(500), c.calls().recording().pauseDeadline());
        assertEquals(List.of("en", "de"), c.calls().ivr().notices().all().stream().map(n -> n.id()).toList());
        assertTrue(c.calls().ivr().targets().fallback().isNextPriority());
    }

    @Test
    void givenCredentialsInTheUrl_thenTheyAreUsedButExplicitKeysWin() {
        Map<String, String> env = new HashMap<>();
        env.put("CR_ARI_URL", "https://asterisk:url-secret@pbx.example.org:8089/ari/");
        AppConfig c = AppConfig.load(ConfigSource.of(env));
        assertEquals("asterisk", c.ari().endpoint().user());
        assertEquals("url-secret", c.ari().endpoint().password().reveal());
        assertTrue(c.ari().endpoint().tls());
        assertEquals("/ari", c.ari().endpoint().ariPath());
        env.put("CR_ARI_USER", "other");
        assertEquals("other", AppConfig.load(ConfigSource.of(env)).ari().endpoint().user());
    }

    @Test
    void givenNoAriPassword_thenTheKeyIsNamed() {
        ConfigException e = invalid(new HashMap<>());
        assertEquals("CR_ARI_PASSWORD", e.problems().get(0).key());
    }

    @Test
    void givenSeveralBadValues_thenEveryProblemIsListedWithItsKey() {
        Map<String, String> env = minimal();
        env.put("CR_HTTP_PORT", "eighty");
        env.put("CR_IVR_TIMEOUT", "soon");
        env.put("CR_LAWFUL_BASIS", "vibes");
        env.put("CR_IVR_ACCEPT_KEY", "12");
        env.put("CR_PAUSE_STYLE", "mute");
        env.put("CR_DB_URL", "mysql://db/x");
        env.put("CR_CONTINUE_TARGET_GRANTED", "only-a-context");
        env.put("CR_CONTINUE_TARGET_MAYBE", "a,b,1");
        env.put("CR_PAUSE_DTMF", "*8");
        env.put("CR_ARI_URL", "ftp://pbx");
        ConfigException e = invalid(env);
        List<String> keys = e.problems().stream().map(ConfigProblem::key).toList();
        assertTrue(keys.containsAll(List.of("CR_HTTP_PORT", "CR_IVR_TIMEOUT", "CR_LAWFUL_BASIS", "CR_IVR_ACCEPT_KEY",
                "CR_PAUSE_STYLE", "CR_DB_URL", "CR_CONTINUE_TARGET_GRANTED", "CR_CONTINUE_TARGET_MAYBE",
                "CR_PAUSE_DTMF", "CR_ARI_URL")), keys.toString());
        assertTrue(e.getMessage().contains("CR_HTTP_PORT: 'eighty' is not a whole number"), e.getMessage());
    }

    @Test
    void givenABadUrlWithASecret_thenTheSecretIsNotInTheMessage() {
        Map<String, String> env = new HashMap<>();
        env.put("CR_ARI_URL", "gopher://u:very-secret-value@pbx");
        env.put("CR_DB_PASSWORD", "db-very-secret");
        env.put("CR_DB_POOL_SIZE", "0");
        ConfigException e = invalid(env);
        assertFalse(e.getMessage().contains("very-secret"), e.getMessage());
    }

    @Test
    void givenPerOutcomeTargets_thenTheyOverrideTheDefault() {
        Map<String, String> env = minimal();
        env.put("CR_CONTINUE_TARGET", "consent-recorder-targets,continue,1");
        env.put("CR_CONTINUE_TARGET_DECLINED", "consent-recorder-targets,declined");
        AppConfig c = AppConfig.load(ConfigSource.of(env));
        assertEquals("declined", c.calls().ivr().targets().forOutcome(Outcome.DECLINED).extension());
        assertEquals(1, c.calls().ivr().targets().forOutcome(Outcome.DECLINED).priority());
        assertEquals("continue", c.calls().ivr().targets().forOutcome(Outcome.GRANTED).extension());
    }

    @Test
    void givenAConfigFile_thenTheEnvironmentWins(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("app.properties");
        Files.writeString(file, "CR_ARI_PASSWORD=from-file\nCR_HTTP_PORT=9090\nCR_IVR_ATTEMPTS=3\n");
        Map<String, String> env = new HashMap<>();
        env.put("CR_CONFIG_FILE", file.toString());
        env.put("CR_HTTP_PORT", "9191");
        env.put("PATH", "/usr/bin");
        AppConfig c = AppConfig.load(ConfigSource.load(env));
        assertEquals(9191, c.http().port());
        assertEquals(3, c.calls().ivr().attempts());
        assertEquals("from-file", c.ari().endpoint().password().reveal());
    }

    @Test
    void givenAMissingConfigFile_thenItsKeyIsNamed() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigSource.load(Map.of("CR_CONFIG_FILE", "/nonexistent/app.properties")));
        assertEquals("CR_CONFIG_FILE", e.problems().get(0).key());
    }

    @Test
    void givenANoticesFile_thenItsSetsAreUsedAndMistakesNamed(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("notices.json");
        Files.writeString(good, """
                {"sets": [{"id": "fr", "language": "fr", "version": "2026-11", "dialledNumbers": ["+33100"],
                  "notice": {"uri": "sound:custom/notice", "text": "Cet appel peut être enregistré."},
                  "choice": {"uri": "sound:custom/choice", "text": "Appuyez sur 1."},
                  "invalidChoice": {"uri": "sound:custom/invalid", "text": "Choix invalide."},
                  "notRecorded": {"uri": "sound:custom/not-recorded", "text": "Pas enregistré."}}]}
                """);
        Map<String, String> env = minimal();
        env.put("CR_NOTICES_FILE", good.toString());
        env.put("CR_NOTICE_DEFAULT", "fr");
        AppConfig c = AppConfig.load(ConfigSource.of(env));
        assertEquals("fr", c.calls().ivr().notices().select("+33100", "en", List.of()).id());
        assertEquals("2026-11", c.calls().ivr().notices().defaultSet().version());

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"sets\": [{\"id\": \"x\", \"language\": \"en\", \"notice\": {\"uri\": \"http://evil\", \"text\": \"t\"}}]}");
        env.put("CR_NOTICES_FILE", bad.toString());
        ConfigException e = invalid(env);
        assertTrue(e.problems().stream().allMatch(p -> p.key().startsWith("CR_NOTICE")), e.getMessage());
        assertTrue(e.getMessage().contains("sets[0]"), e.getMessage());
    }

    @Test
    void secretsAreRedactedInToString() {
        assertEquals("***", Secret.of("x").toString());
        AppConfig c = AppConfig.load(ConfigSource.of(minimal()));
        assertFalse(c.toString().contains("s3cret-ari"));
    }

    @Test
    void givenHa_thenTheDatabaseAndTheKeyStoreMustBeShared_andPasswordsInTheKeyStoreUrlStayOut() {
        Map<String, String> env = minimal();
        env.put("CR_HA", "true");
        ConfigException e = invalid(env);
        assertEquals(2, e.problems().stream().filter(p -> p.key().equals("CR_HA")).count(), e.getMessage());
        assertTrue(e.getMessage().contains("CR_DB_URL") && e.getMessage().contains("CR_KEYSTORE_URL"), e.getMessage());

        env.put("CR_DB_URL", "postgresql://db.internal:5432/recorder");
        env.put("CR_KEYSTORE_URL", "postgresql://keys:key-url-secret@keys.internal:5432/keys");
        env.put("CR_INSTANCE_ID", "pbx1-a");
        AppConfig c = AppConfig.load(ConfigSource.of(env));
        assertTrue(c.lease().enabled());
        assertEquals("pbx1-a", c.lease().instanceId());
        assertEquals(Duration.ofSeconds(3), c.lease().ttl());
        assertTrue(c.keyStore().shared());
        assertFalse(c.toString().contains("key-url-secret"), "the key store's password never in a printout");

        env.put("CR_KEYSTORE_URL", "mysql://keys.internal/keys");
        env.put("CR_INSTANCE_ID", "no spaces allowed");
        ConfigException bad = invalid(env);
        assertTrue(bad.problems().stream().anyMatch(p -> p.key().equals("CR_KEYSTORE_URL")), bad.getMessage());
        assertTrue(bad.problems().stream().anyMatch(p -> p.key().equals("CR_INSTANCE_ID")), bad.getMessage());
    }
}
