package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.Test;

/**
 * The subject export is the portable format (GDPR Art. 20): a real bundle, made over HTTP from calls
 * recorded through the ARI double, has a manifest that validates against the published schema
 * (docs/subject-export.schema.json, draft 2020-12, formats asserted), carries that very schema, and
 * each recording file is what its media type says. The validator is shown to reject drift.
 */
class SubjectExportSchemaTest {
    private static final Path PUBLISHED = Path.of("docs", "subject-export.schema.json");

    private static JsonSchema schema() throws Exception {
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(
                Files.readString(PUBLISHED), SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
    }

    private static Set<ValidationMessage> check(JsonSchema schema, JsonObject manifest) {
        return schema.validate(manifest.encode(), InputFormat.JSON);
    }

    @Test
    void aRealExportValidatesAgainstThePublishedSchema_andCarriesIt() throws Exception {
        JsonSchema schema = schema();
        try (AppHarness h = AppHarness.start(Map.of()); ApiClient client = new ApiClient(h.app.httpPort())) {
            String admin = ApiTestSupport.adminToken(client);
            String compliance = ApiTestSupport.tokenFor(h, client, admin, "pia", "compliance");
            String caller = "+15552220001";
            PrivacyTestSupport.Archived recorded = PrivacyTestSupport.archivedCall(h, caller, true);
            UUID declined = PrivacyTestSupport.declinedCall(h, caller);
            // a recording with no file to give (discarded), so the manifest says why
            ApiTestSupport.insertRecording(h, UUID.randomUUID(), declined, caller, "discarded", 0);
            assertEquals(201, client.post("/api/v1/corrections", compliance, new JsonObject()
                    .put("call_id", recorded.callId().toString()).put("kind", "supplement")
                    .put("statement", "The caller adds that the agent was told twice.")).status());
            assertEquals(200, client.get("/api/v1/consent?caller=" + ApiTestSupport.enc(caller), compliance).status());
            String requestId = PrivacyTestSupport.requestFor(client, compliance, "access", caller);

            ApiClient.Reply reply = client.get("/api/v1/privacy/requests/" + requestId + "/export", compliance);
            assertEquals(200, reply.status(), reply.toString());
            Map<String, byte[]> zip = PrivacyTestSupport.unzip(reply.body());
            JsonObject manifest = new JsonObject(new String(zip.get("manifest.json"), StandardCharsets.UTF_8));
            // the manifest has something in every list, so the schema is exercised, not vacuously met
            for (String list : new String[] {"calls", "consent_decisions", "timeline", "recordings",
                    "privacy_requests", "corrections", "audit_entries", "consent_preference_history"}) {
                assertFalse(manifest.getJsonArray(list).isEmpty(), list);
            }
            assertEquals(Set.of(), check(schema, manifest), "the real manifest follows the published schema");

            assertArrayEquals(Files.readAllBytes(PUBLISHED), zip.get("manifest.schema.json"),
                    "the bundle carries the published schema itself");
            JsonArray recordings = manifest.getJsonArray("recordings");
            int withFile = 0;
            for (Object o : recordings) {
                JsonObject r = (JsonObject) o;
                if (r.getString("file") == null) {
                    assertEquals("discarded because consent was withdrawn during the call", r.getString("why_no_file"));
                    continue;
                }
                withFile++;
                byte[] file = zip.get(r.getString("file"));
                // the default archive codec: Ogg Opus, and the manifest says so
                assertEquals("opus", r.getString("codec"));
                assertEquals("audio/ogg; codecs=opus", r.getString("media_type"));
                assertEquals("OggS", new String(Arrays.copyOfRange(file, 0, 4), StandardCharsets.US_ASCII));
            }
            assertEquals(1, withFile);
            assertTrue(new String(zip.get("README.txt"), StandardCharsets.UTF_8).contains("manifest.schema.json"));

            // and the schema is strict enough to notice drift: an unknown field, a wrong type, a bad format
            JsonObject extra = manifest.copy();
            extra.getJsonArray("calls").getJsonObject(0).put("unexpected", 1);
            assertFalse(check(schema, extra).isEmpty());
            JsonObject wrongType = manifest.copy();
            wrongType.getJsonObject("summary").put("calls", "two");
            assertFalse(check(schema, wrongType).isEmpty());
            JsonObject badTime = manifest.copy().put("generated_at", "yesterday");
            assertFalse(check(schema, badTime).isEmpty());
            JsonObject missing = manifest.copy();
            missing.remove("recordings");
            assertFalse(check(schema, missing).isEmpty());
        }
    }
}
