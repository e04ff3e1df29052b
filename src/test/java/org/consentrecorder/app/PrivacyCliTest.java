package org.consentrecorder.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import org.consentrecorder.config.AppConfig;
import org.consentrecorder.config.ConfigSource;
import org.consentrecorder.store.DatabaseServer;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.TestDatabase;
import org.junit.jupiter.api.Test;

/** {@code register} prints the records of processing; {@code retention run} runs the job and {@code retention runs} lists it. */
class PrivacyCliTest {

    private static AppConfig config() throws Exception {
        return AppConfig.load(ConfigSource.of(Map.of("CR_ARI_PASSWORD", "s3cret-ari", "CR_KEYRING", AppHarness.TEST_KEYRING,
                "CR_KEYSTORE_DIR", Files.createTempDirectory("cr-cli-keys").toString(),
                "CR_LAWFUL_BASIS", "legitimate_interest")));
    }

    @Test
    void registerAsJsonAndMarkdown() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RegisterCommand.print(config(), false, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        JsonObject register = new JsonObject(bytes.toString(StandardCharsets.UTF_8));
        assertTrue(register.getJsonArray("activities").getJsonObject(0).getString("lawful_basis")
                .startsWith("GDPR Art. 6(1)(f)"), "the configured basis");
        bytes.reset();
        RegisterCommand.print(config(), true, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("## Recording of inbound calls"));
    }

    @Test
    void retentionRunAndRuns() throws Exception {
        DatabaseServer db = TestDatabase.fresh();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(0, RetentionCommand.run(config(), db, new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        JsonObject run = new JsonObject(bytes.toString(StandardCharsets.UTF_8));
        assertEquals("completed", run.getString("status"));
        assertEquals("cli", run.getString("trigger"));
        bytes.reset();
        assertEquals(0, RetentionCommand.runs(db, 5, new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        JsonArray runs = new JsonArray(bytes.toString(StandardCharsets.UTF_8));
        assertEquals(run.getString("id"), runs.getJsonObject(0).getString("id"));
    }
}
