package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.CapturedLogs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The playback ticket as a capability URL: without an Authorization header it opens the audio of
 * its one recording (Range requests included, 206), in its format and for its purpose, for its
 * session while that session lives, and nothing else; the audit row is the issue's, once; the
 * ticket never reaches a log line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlaybackCapabilityUrlTest {
    private static final String CALLER = "+15551238001";
    private static final String OTHER = "+15551238999";
    private AppHarness h;
    private ApiClient client;
    private final InMemoryRecordingArchive archive = new InMemoryRecordingArchive();
    private String supervisor;
    private String compliance;
    private UUID callId;
    private final UUID recordingId = UUID.randomUUID();
    private final UUID otherRecording = UUID.randomUUID();
    private final byte[] audio = new byte[200_000];

    @BeforeAll
    void start() {
        h = AppHarness.start(Map.of());
        h.app.useRecordingArchive(archive);
        client = new ApiClient(h.app.httpPort());
        String admin = ApiTestSupport.adminToken(client);
        supervisor = ApiTestSupport.tokenFor(h, client, admin, "sue", "supervisor");
        compliance = ApiTestSupport.tokenFor(h, client, admin, "carl", "compliance");
        callId = (UUID) ApiTestSupport.recordedCall(h, CALLER).get("id");
        new Random(7).nextBytes(audio);
        ApiTestSupport.insertRecording(h, recordingId, callId, CALLER, "archived", audio.length);
        archive.put(InMemoryRecordingArchive.meta(recordingId, callId, "archived", audio.length), audio);
        UUID otherCall = UUID.randomUUID();
        ApiTestSupport.insertRecording(h, otherRecording, otherCall, OTHER, "archived", 1000);
        archive.put(InMemoryRecordingArchive.meta(otherRecording, otherCall, "archived", 1000), new byte[1000]);
    }

    @AfterAll
    void stop() {
        client.close();
        h.close();
    }

    private String audioUrl(UUID recording, String ticket) {
        return "/api/v1/recordings/" + recording + "/audio?ticket=" + ticket;
    }

    private JsonObject ticket(String token, UUID recording, JsonObject body) {
        ApiClient.Reply r = client.post("/api/v1/recordings/" + recording + "/playback", token, body);
        assertEquals(200, r.status(), r.toString());
        return r.json();
    }

    private String ticket(String token, String reason) {
        return ticket(token, recordingId, new JsonObject().put("reason", reason)).getString("ticket");
    }

    private static void refused(ApiClient.Reply r, int status, String error) {
        assertEquals(status, r.status(), r.toString());
        assertEquals(error, r.error(), r.toString());
        assertTrue(r.headers().get("content-type").startsWith("application/json"), "nothing served: " + r.headers());
    }

    @Test
    void theTicketAlone_streamsItsRecordingWithRanges_andTheReasonIsAuditedOnce() {
        String reason = "ticket 8001: caller disputes the order";
        JsonObject issued = ticket(supervisor, recordingId, new JsonObject().put("reason", reason));
        String ticket = issued.getString("ticket");
        assertEquals(47, ticket.length(), "crp_ and 256 random bits");
        assertEquals(120, issued.getLong("expires_in"));
        assertEquals(audioUrl(recordingId, ticket), issued.getString("audio_url"));

        // what a browser does: a first open range, then ranges where it seeks; no Authorization header
        ApiClient.Reply first = client.get(audioUrl(recordingId, ticket), null, Map.of("range", "bytes=0-"));
        assertEquals(206, first.status(), first.toString());
        assertEquals("bytes 0-" + (audio.length - 1) + "/" + audio.length, first.headers().get("content-range"));
        assertArrayEquals(audio, first.body().getBytes());
        assertEquals("no-store", first.headers().get("cache-control"));
        ApiClient.Reply later = client.get(audioUrl(recordingId, ticket), null, Map.of("range", "bytes=150000-"));
        assertEquals(206, later.status(), later.toString());
        assertEquals("bytes 150000-" + (audio.length - 1) + "/" + audio.length, later.headers().get("content-range"));
        assertArrayEquals(Arrays.copyOfRange(audio, 150_000, audio.length), later.body().getBytes());
        ApiClient.Reply whole = client.get(audioUrl(recordingId, ticket), null);
        assertEquals(200, whole.status());
        assertEquals("no-store", whole.headers().get("cache-control"));

        List<Map<String, Object>> rows = ApiTestSupport.auditRows(h, "recordings.play", recordingId.toString());
        List<Map<String, Object>> ours = rows.stream().filter(r -> reason.equals(r.get("reason"))).toList();
        assertEquals(1, ours.size(), "one row for three requests: " + rows);
        assertEquals("sue", ours.get(0).get("actor_name"));
        assertEquals("allowed", ours.get(0).get("outcome"));
        JsonObject detail = new JsonObject((String) ours.get(0).get("detail"));
        assertEquals("stored", detail.getString("format"));
        assertEquals(callId.toString(), detail.getString("call_id"));
    }

    @Test
    void aTicketOpensNothingElse_norAnotherFormat_norWithAnotherAccountsToken() {
        String ticket = ticket(supervisor, "ticket 8002 review");
        refused(client.get(audioUrl(otherRecording, ticket), null), 403, "ticket_mismatch");
        refused(client.get(audioUrl(otherRecording, ticket), null, Map.of("range", "bytes=0-")), 403, "ticket_mismatch");
        // the refusal is attributed to the ticket's account
        assertTrue(ApiTestSupport.auditRows(h, "recordings.play", otherRecording.toString()).stream()
                .anyMatch(r -> "rejected:ticket_mismatch".equals(r.get("outcome")) && "sue".equals(r.get("actor_name"))));
        refused(client.get(audioUrl(recordingId, ticket) + "&format=wav", null), 403, "ticket_mismatch");
        refused(client.get(audioUrl(recordingId, ticket) + "&purpose=legal_claims", null), 403, "ticket_mismatch");
        // with a bearer token the two must be the same session's
        refused(client.get(audioUrl(recordingId, ticket), compliance), 403, "ticket_mismatch");
        assertEquals(200, client.get(audioUrl(recordingId, ticket), supervisor).status());
        // made up, too long, given twice: nothing
        refused(client.get(audioUrl(recordingId, "crp_" + "A".repeat(43)), null), 401, "invalid_ticket");
        refused(client.get(audioUrl(recordingId, ticket + "x".repeat(100)), null), 401, "invalid_ticket");
        refused(client.get(audioUrl(recordingId, ticket) + "&ticket=" + ticket, null), 401, "invalid_ticket");
        // a ticket in the format the browser asked for works in that format only
        String wav = ticket(supervisor, recordingId, new JsonObject().put("reason", "ticket 8002 wav")
                .put("format", "wav")).getString("ticket");
        assertEquals(200, client.get(audioUrl(recordingId, wav), null).status());
        assertEquals(200, client.get(audioUrl(recordingId, wav) + "&format=wav", null).status());
        refused(client.get(audioUrl(recordingId, wav) + "&format=stored", null), 403, "ticket_mismatch");
        assertEquals(400, client.post("/api/v1/recordings/" + recordingId + "/playback", supervisor,
                new JsonObject().put("reason", "ticket 8002").put("format", "mp3")).status());
    }

    @Test
    void anExpiredTicket_isRefusedAndServesNothing() {
        PlaybackTickets tickets = h.app.adminApi().playbackTickets();
        String live = ticket(supervisor, "ticket 8003 expiry");
        PlaybackTickets.Ticket t = tickets.find(live, Instant.now()).orElseThrow();
        // issued a moment longer ago than a ticket lives
        String expired = tickets.issue(recordingId, t.tokenId(), t.reason(), t.format(), null,
                Instant.now().minus(PlaybackTickets.TTL).minusSeconds(1));
        ApiClient.Reply r = client.get(audioUrl(recordingId, expired), null, Map.of("range", "bytes=0-99"));
        refused(r, 401, "invalid_ticket");
        assertTrue(r.json().getString("message").contains("expired"), r.toString());
        refused(client.get(audioUrl(recordingId, expired), supervisor), 403, "invalid_ticket");
    }

    @Test
    void signingOut_revokingTheSessionOrDisablingTheAccount_endsItsTickets() {
        String admin = ApiTestSupport.adminToken(client);
        String session = client.login("sue", ApiTestSupport.PASSWORD);
        String ticket = ticket(session, "ticket 8004 sign-out");
        assertEquals(206, client.get(audioUrl(recordingId, ticket), null, Map.of("range", "bytes=0-9")).status());
        assertEquals(204, client.post("/api/v1/auth/logout", session, new JsonObject()).status());
        refused(client.get(audioUrl(recordingId, ticket), null, Map.of("range", "bytes=0-9")), 401, "invalid_ticket");

        // revoked elsewhere (another instance, the database): every use checks the session again
        String other = client.login("sue", ApiTestSupport.PASSWORD);
        String second = ticket(other, "ticket 8004 revoked");
        h.rows("update access_token set revoked_at = now() where token_hash = $1", io.vertx.core.buffer.Buffer.buffer(Tokens.hash(other)));
        refused(client.get(audioUrl(recordingId, second), null), 401, "invalid_ticket");

        // a disabled account
        ApiTestSupport.tokenFor(h, client, admin, "dora", "supervisor");
        String dora = client.login("dora", ApiTestSupport.PASSWORD);
        String third = ticket(dora, "ticket 8004 disabled");
        assertEquals(200, client.get(audioUrl(recordingId, third), null).status());
        h.rows("update operator_account set disabled = true where username = 'dora'");
        refused(client.get(audioUrl(recordingId, third), null), 401, "invalid_ticket");
    }

    @Test
    void aRestrictedRecording_needsCompliancesLegalClaimsTicket_andARestrictionPlacedMeanwhileStopsAPlainOne() {
        UUID call = (UUID) ApiTestSupport.recordedCall(h, "+15551238002").get("id");
        UUID rec = UUID.randomUUID();
        ApiTestSupport.insertRecording(h, rec, call, "+15551238002", "archived", 5000);
        archive.put(InMemoryRecordingArchive.meta(rec, call, "archived", 5000), new byte[5000]);
        String plain = ticket(supervisor, rec, new JsonObject().put("reason", "ticket 8005 before")).getString("ticket");
        assertEquals(200, client.get(audioUrl(rec, plain), null).status());
        ApiClient.Reply placed = client.post("/api/v1/restrictions", compliance, new JsonObject()
                .put("call_id", call.toString()).put("reason", "caller contests accuracy, ticket 8005"));
        assertEquals(201, placed.status(), placed.toString());
        refused(client.get(audioUrl(rec, plain), null), 403, "restricted");

        ApiClient.Reply asked = client.post("/api/v1/recordings/" + rec + "/playback", supervisor,
                new JsonObject().put("reason", "ticket 8005 after").put("purpose", "legal_claims"));
        assertEquals(403, asked.status(), asked.toString());
        assertEquals("restricted", asked.error());
        assertEquals(403, client.post("/api/v1/recordings/" + rec + "/playback", compliance,
                new JsonObject().put("reason", "ticket 8005 plain")).status(), "compliance too, without the purpose");
        String claim = ticket(compliance, rec, new JsonObject().put("reason", "claim 2026-55: defence")
                .put("purpose", "legal_claims")).getString("ticket");
        ApiClient.Reply played = client.get(audioUrl(rec, claim), null, Map.of("range", "bytes=1000-1999"));
        assertEquals(206, played.status(), played.toString());
        Map<String, Object> row = ApiTestSupport.auditRows(h, "recordings.play", rec.toString()).stream()
                .filter(r -> "claim 2026-55: defence".equals(r.get("reason"))).findFirst().orElseThrow();
        assertEquals("legal_claims", new JsonObject((String) row.get("detail")).getString("purpose"));
    }

    @Test
    void noTicketReachesALogLine_whateverBecomesOfTheRequest() {
        CapturedLogs logs = CapturedLogs.everything(Level.DEBUG);
        List<String> tickets = new ArrayList<>();
        try {
            String good = ticket(supervisor, "ticket 8006 logs");
            tickets.add(good);
            assertEquals(206, client.get(audioUrl(recordingId, good), null, Map.of("range", "bytes=10-20")).status());
            assertEquals(416, client.get(audioUrl(recordingId, good), null, Map.of("range", "bytes=9999999-")).status());
            assertEquals(403, client.get(audioUrl(otherRecording, good), null).status());
            String bogus = "crp_" + "Z".repeat(43);
            tickets.add(bogus);
            assertEquals(401, client.get(audioUrl(recordingId, bogus), null).status());
            // a stream that breaks on the server's side (as on a decryption failure) is logged and audited
            UUID broken = UUID.randomUUID();
            UUID call = UUID.randomUUID();
            ApiTestSupport.insertRecording(h, broken, call, OTHER, "archived", audio.length);
            archive.putFailingAfter(InMemoryRecordingArchive.meta(broken, call, "archived", audio.length), audio, 50_000);
            String failing = ticket(supervisor, broken, new JsonObject().put("reason", "ticket 8006 broken"))
                    .getString("ticket");
            tickets.add(failing);
            try {
                client.get(audioUrl(broken, failing), null);
            } catch (IllegalStateException e) {
                // the connection is reset: a short body never passes as a whole one
            }
            h.awaitRows("select 1 from audit_log where action = 'recordings.play' and target_id = $1 "
                    + "and outcome = 'failed'", broken.toString());
        } finally {
            logs.close();
        }
        List<ILoggingEvent> logged = logs.events();
        assertFalse(logged.isEmpty(), "the capture works: the application logged at DEBUG meanwhile");
        assertTrue(logged.stream().anyMatch(e -> e.getFormattedMessage().contains("stream ended early")),
                "the server-side failure was logged");
        for (ILoggingEvent e : logged) {
            String text = e.getFormattedMessage() + " " + e.getMDCPropertyMap() + " " + throwable(e.getThrowableProxy());
            for (String t : tickets) {
                assertFalse(text.contains(t) || text.contains(t.substring(4)), "a ticket in a log line: " + text);
            }
            assertFalse(text.contains("ticket=crp_"), text);
        }
    }

    private static String throwable(IThrowableProxy t) {
        StringBuilder out = new StringBuilder();
        for (IThrowableProxy p = t; p != null; p = p.getCause()) {
            out.append(p.getClassName()).append(": ").append(p.getMessage()).append(' ');
        }
        return out.toString();
    }
}
