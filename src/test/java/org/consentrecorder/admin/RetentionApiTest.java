package org.consentrecorder.admin;

import static org.consentrecorder.admin.RetentionFixtures.daysAgo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retention with a real PostgreSQL, triggered over HTTP: exactly the expired rows go (recordings
 * after 90 days, calls after 180, evidence identifiers after 4 years), legal holds suspend it, the
 * report counts what was done, two instances on one database share the work without doing any
 * row twice, and a caller whose last recording expired loses their key.
 */
class RetentionApiTest {
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private AppHarness start(AppHarness sharing, Map<String, String> env) {
        AppHarness h = sharing == null ? AppHarness.start(env)
                : AppHarness.start(FakeAsterisk.start(), sharing.database, env);
        open.add(0, h);
        return h;
    }

    private ApiClient client(AppHarness h) {
        ApiClient c = new ApiClient(h.app.httpPort());
        open.add(0, c);
        return c;
    }

    private static JsonObject run(ApiClient client, String admin) {
        ApiClient.Reply r = client.post("/api/v1/retention/runs", admin, null);
        assertEquals(200, r.status(), r.toString());
        assertEquals("completed", r.json().getString("status"), r.toString());
        return r.json();
    }

    @Test
    void exactlyTheExpiredRowsGo_holdsSuspendIt_andTheRunReportsWhatItDid() {
        AppHarness h = start(null, Map.of());
        ApiClient client = client(h);
        String admin = ApiTestSupport.adminToken(client);
        String compliance = ApiTestSupport.tokenFor(h, client, admin, "rita", "compliance");
        RetentionFixtures f = new RetentionFixtures(h);

        UUID c100 = f.call("+15559990001", daysAgo(100), Duration.ofMinutes(3), "granted");
        UUID r100 = f.recording(c100, "+15559990001", "archived", daysAgo(100), 3);
        UUID c80 = f.call("+15559990002", daysAgo(80), Duration.ofMinutes(3), "granted");
        UUID r80 = f.recording(c80, "+15559990002", "archived", daysAgo(80), 2);
        UUID heldCall = f.call("+15559990003", daysAgo(100), Duration.ofMinutes(3), "granted");
        UUID heldRecording = f.recording(heldCall, "+15559990003", "archived", daysAgo(100), 2);
        UUID pendingCall = f.call("+15559990004", daysAgo(100), Duration.ofMinutes(1), "granted");
        UUID pending = f.recording(pendingCall, "+15559990004", "finished", daysAgo(100), 0);
        UUID c200 = f.call("+15559990005", daysAgo(200), Duration.ofMinutes(2), "granted");
        f.recording(c200, "+15559990005", "archived", daysAgo(200), 2);
        f.timeline(c200, "started", daysAgo(200));
        f.timeline(c200, "paused", daysAgo(200));
        UUID d200 = f.decision(c200, "+15559990005", daysAgo(200), "granted");
        UUID heldSubjectCall = f.call("+15559990006", daysAgo(200), Duration.ofMinutes(2), "declined");
        UUID heldSubjectDecision = f.decision(heldSubjectCall, "+15559990006", daysAgo(1500), "declined");
        UUID c1500 = f.call("+15559990007", daysAgo(1500), Duration.ofMinutes(1), "declined");
        UUID d1500 = f.decision(c1500, "+15559990007", daysAgo(1500), "declined");
        UUID c1000 = f.call("+15559990008", daysAgo(1000), Duration.ofMinutes(1), "granted");
        UUID d1000 = f.decision(c1000, "+15559990008", daysAgo(1000), "granted");
        f.preference("+15559990007", "do_not_record", daysAgo(1500));
        f.preference("+15559990008", "granted", daysAgo(1000));
        assertEquals(201, client.post("/api/v1/legal-holds", compliance, new JsonObject()
                .put("call_id", heldCall.toString()).put("reason", "dispute 12")).status());
        JsonObject subjectHold = PrivacyTestSupport.created(client.post("/api/v1/legal-holds", compliance,
                new JsonObject().put("caller", "+15559990006").put("reason", "inquiry 7")));
        // statements on a call go with the call (Art. 16 corrections); one on a held call stays
        for (UUID call : List.of(c200, heldCall)) {
            assertEquals(201, client.post("/api/v1/corrections", compliance, new JsonObject().put("call_id",
                    call.toString()).put("kind", "supplement").put("statement", "the caller adds a note")).status());
        }

        JsonObject report = run(client, admin);
        JsonObject counts = report.getJsonObject("counts");
        assertEquals(1L, counts.getLong("call_corrections_deleted"), counts.encode());
        assertEquals(List.of(heldCall), h.rows("select call_id from correction").stream().map(r -> r.get("call_id")).toList());
        assertEquals(5L, counts.getLong("days_aggregated"), counts.encode());
        assertEquals(2L, counts.getLong("recordings_expired"), counts.encode());
        assertEquals(5L, counts.getLong("ciphertext_chunks_deleted"));
        assertEquals(3L, counts.getLong("calls_deleted"));
        assertEquals(2L, counts.getLong("timeline_entries_deleted"));
        assertEquals(1L, counts.getLong("recording_tombstones_deleted"));
        assertEquals(1L, counts.getLong("consent_decisions_redacted"));
        assertEquals(1L, counts.getLong("preferences_deleted"));
        assertEquals(1L, counts.getLong("preference_history_deleted"));
        assertEquals(0L, counts.getLong("subject_keys_destroyed"));
        assertNotNull(report.getString("instance_id"));

        // expired: ciphertext gone, tombstone without key material
        Map<String, Object> expired = h.rows("select * from recording where id = $1", r100).get(0);
        assertEquals("expired", expired.get("state"));
        assertNull(expired.get("wrapped_data_key"));
        assertNull(expired.get("subject"));
        assertEquals(0L, f.count("select count(*) from recording_chunk where recording_id = $1", r100));
        // kept: younger, held, or not archived yet
        assertEquals("archived", h.rows("select state from recording where id = $1", r80).get(0).get("state"));
        assertEquals(2L, f.count("select count(*) from recording_chunk where recording_id = $1", r80));
        assertEquals("archived", h.rows("select state from recording where id = $1", heldRecording).get(0).get("state"));
        assertEquals("finished", h.rows("select state from recording where id = $1", pending).get(0).get("state"));
        // calls: the old ones deleted with their timeline; held and young ones stay
        assertEquals(0L, f.count("select count(*) from call where id = any($1)",
                (Object) new UUID[] {c200, c1500, c1000}));
        assertEquals(0L, f.count("select count(*) from recording_timeline where call_id = $1", c200));
        assertEquals(5L, f.count("select count(*) from call where id = any($1)",
                (Object) new UUID[] {c100, c80, heldCall, pendingCall, heldSubjectCall}));
        // evidence: identifiers redacted after four years, the fact kept; younger evidence untouched
        Map<String, Object> old = h.rows("select * from consent_decision where id = $1", d1500).get(0);
        assertNull(old.get("caller_number"));
        assertNull(old.get("caller_subject"));
        assertEquals("declined", old.get("outcome"));
        assertEquals("retention", old.get("redaction"));
        assertEquals("+15559990008", h.rows("select caller_subject from consent_decision where id = $1", d1000)
                .get(0).get("caller_subject"));
        assertEquals("+15559990005", h.rows("select caller_subject from consent_decision where id = $1", d200)
                .get(0).get("caller_subject"));
        assertEquals("+15559990006", h.rows("select caller_subject from consent_decision where id = $1",
                heldSubjectDecision).get(0).get("caller_subject"), "held");
        assertEquals(0L, f.count("select count(*) from subject_preference where subject = '+15559990007'"));
        assertEquals(1L, f.count("select count(*) from subject_preference where subject = '+15559990008'"));

        // the run is listed; a second run finds nothing left
        JsonObject listed = client.get("/api/v1/retention/runs", compliance).json().getJsonArray("items").getJsonObject(0);
        assertEquals(report.getString("id"), listed.getString("id"));
        JsonObject again = run(client, admin).getJsonObject("counts");
        assertTrue(again.stream().allMatch(e -> ((Number) e.getValue()).longValue() == 0), again.encode());

        // released holds: the next run takes what they held
        for (Object o : client.get("/api/v1/legal-holds?active=true", compliance).json().getJsonArray("items")) {
            String id = ((JsonObject) o).getString("id");
            assertEquals(200, client.post("/api/v1/legal-holds/" + id + "/release", compliance,
                    new JsonObject().put("reason", "done")).status());
        }
        assertNotEquals(null, subjectHold.getString("id"));
        JsonObject afterRelease = run(client, admin).getJsonObject("counts");
        assertEquals(1L, afterRelease.getLong("recordings_expired"), afterRelease.encode());
        assertEquals(1L, afterRelease.getLong("calls_deleted"));
        assertEquals(1L, afterRelease.getLong("consent_decisions_redacted"));
        assertEquals("expired", h.rows("select state from recording where id = $1", heldRecording).get(0).get("state"));
        assertEquals(403, client.post("/api/v1/retention/runs", compliance, null).status(), "admin only");
    }

    @Test
    void aCallersLastRecordingExpiring_destroysTheirKey_butNotWhileAnotherRecordingNeedsIt() throws Exception {
        AppHarness h = start(null, Map.of());
        ApiClient client = client(h);
        String admin = ApiTestSupport.adminToken(client);
        PrivacyTestSupport.Archived only = PrivacyTestSupport.archivedCall(h, "+15559990101", false);
        PrivacyTestSupport.Archived older = PrivacyTestSupport.archivedCall(h, "+15559990102", false);
        PrivacyTestSupport.archivedCall(h, "+15559990102", false);
        h.rows("update recording set finished_at = now() - interval '100 days' where id = any($1)",
                (Object) new UUID[] {only.recordingId(), older.recordingId()});
        assertTrue(h.app.subjectKeys().find("+15559990101").isPresent());

        JsonObject counts = run(client, admin).getJsonObject("counts");
        assertEquals(2L, counts.getLong("recordings_expired"));
        assertEquals(1L, counts.getLong("subject_keys_destroyed"), counts.encode());
        assertTrue(h.app.subjectKeys().find("+15559990101").isEmpty(), "no audio left: the key goes, backups included");
        assertTrue(h.app.subjectKeys().find("+15559990102").isPresent(), "a younger recording still needs it");
    }

    @Test
    void twoInstancesRunConcurrently_andHandleEveryExpiredRowExactlyOnce() throws Exception {
        Map<String, String> small = Map.of("CR_RETENTION_BATCH", "4");
        AppHarness one = start(null, small);
        AppHarness two = start(one, small);
        RetentionFixtures f = new RetentionFixtures(one);
        int n = 30;
        for (int i = 0; i < n; i++) {
            UUID young = f.call(null, daysAgo(100 + i % 3), Duration.ofSeconds(30 + i), "granted");
            f.recording(young, null, "archived", daysAgo(100 + i % 3), 2);
            UUID old = f.call("+1555999" + String.format("%04d", i), daysAgo(200 + i % 5), Duration.ofSeconds(20), "declined");
            f.timeline(old, "started", daysAgo(200 + i % 5));
            f.decision(UUID.randomUUID(), "+1555998" + String.format("%04d", i), daysAgo(1500 + i % 2), "declined");
        }
        ApiClient a = client(one);
        ApiClient b = client(two);
        String tokenA = ApiTestSupport.adminToken(a);
        String tokenB = ApiTestSupport.adminToken(b);
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<JsonObject> runA = CompletableFuture.supplyAsync(() -> {
            await(go);
            return run(a, tokenA);
        });
        CompletableFuture<JsonObject> runB = CompletableFuture.supplyAsync(() -> {
            await(go);
            return run(b, tokenB);
        });
        go.countDown();
        JsonObject countsA = runA.get().getJsonObject("counts");
        JsonObject countsB = runB.get().getJsonObject("counts");
        assertNotEquals(runA.get().getString("instance_id"), runB.get().getString("instance_id"));
        for (Map.Entry<String, Long> expected : Map.of("recordings_expired", (long) n, "ciphertext_chunks_deleted",
                2L * n, "calls_deleted", (long) n, "timeline_entries_deleted", (long) n, "consent_decisions_redacted",
                (long) n, "days_aggregated", 8L).entrySet()) {
            long total = countsA.getLong(expected.getKey(), 0L) + countsB.getLong(expected.getKey(), 0L);
            assertEquals(expected.getValue(), total, expected.getKey() + ": " + countsA + " + " + countsB);
        }
        assertEquals(0L, f.count("select count(*) from recording where state = 'archived'"));
        assertEquals(0L, f.count("select count(*) from recording_chunk"));
        assertEquals(0L, f.count("select count(*) from consent_decision where redacted_at is null"));
        assertEquals((long) n, f.count("select count(*) from call"), "only the young calls are left");
        assertEquals(Set.of("completed"), Set.copyOf(one.rows("select status from retention_run").stream()
                .map(r -> r.get("status")).toList()));
        assertEquals(2L, f.count("select count(distinct instance_id) from retention_run"));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
