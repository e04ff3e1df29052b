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
import org.consentrecorder.config.ConfigSource;
import org.consentrecorder.store.DatabaseServer;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.TestDatabase;
import org.junit.jupiter.api.Test;

/** {@code register} prints the records of processing; {@code retention run} runs the job and {@code retention runs} lists it. */
class PrivacyCliTest {

    private static AppConfig config() throws Exception {
        return AppConfig.load(ConfigSource.of(Map.of("CR_ARI_PASSWORD", "s3cret-ari", "CR_KEYRING", AppHarness.TEST_KEYRING,
                "CR_KEYSTORE_DIR", org.consentrecorder.testing.TempDirs.create("cli-keys").toString(),
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
    void privacyExportWritesTheBundleToAFile_completesTheRequest_andIsAudited() throws Exception {
        try (AppHarness h = AppHarness.start(Map.of())) {
            String caller = "+15552220001";
            String ch = h.asterisk.placeCall(caller);
            h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/.*/play").size() >= 2,
                    AppHarness.WAIT);
            h.asterisk.pressDtmf(ch, '1');
            h.awaitRows("select 1 from call where channel_id = $1 and phase = 'in_dialplan'", ch);
            h.asterisk.callerHangsUp(ch);
            h.asterisk.await("archived", () -> !h.rows("select 1 from recording where state = 'archived'").isEmpty(),
                    AppHarness.WAIT);
            java.util.UUID request = java.util.UUID.randomUUID();
            h.rows("insert into privacy_request (id, kind, subject, received_at, due_at, status, created_by, created_at) "
                    + "values ($1, 'access', $2, now(), now() + interval '1 month', 'open', 'test', now())", request, caller);
            java.nio.file.Path out = org.consentrecorder.testing.TempDirs.create("export").resolve("bundle.zip");
            AppConfig config = AppConfig.load(ConfigSource.of(h.env()));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            assertEquals(0, PrivacyCommand.export(config, h.database, request, out,
                    new PrintStream(bytes, true, StandardCharsets.UTF_8)), bytes.toString(StandardCharsets.UTF_8));
            java.util.Set<String> names = new java.util.TreeSet<>();
            try (java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(Files.newInputStream(out))) {
                for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                    names.add(e.getName());
                }
            }
            assertEquals(4, names.size(), names.toString());
            assertTrue(names.contains("manifest.json"));
            assertTrue(names.contains("manifest.schema.json"), "the portable format carries its schema");
            assertEquals("completed", h.rows("select status from privacy_request where id = $1", request).get(0).get("status"));
            assertEquals(java.util.List.of("allowed", "ok"), h.rows("select outcome from audit_log where actor_kind = 'cli' "
                    + "and target_id = $1 order by seq", request.toString()).stream().map(r -> r.get("outcome")).toList());
            assertEquals(2, PrivacyCommand.export(config, h.database, request, out,
                    new PrintStream(bytes, true, StandardCharsets.UTF_8)), "the file exists: never overwritten");
            assertTrue(Files.exists(out));
        }
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
