package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The ticket store on its own: what a ticket is, how long it lives, and that revoking a token ends its tickets. */
class PlaybackTicketsTest {
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private final PlaybackTickets tickets = new PlaybackTickets();
    private final UUID recording = UUID.randomUUID();
    private final UUID token = UUID.randomUUID();

    @Test
    void aTicketIs256RandomBits_andFoundWithWhatItWasIssuedFor() {
        String a = tickets.issue(recording, token, "ticket 1", "wav", "legal_claims", NOW);
        String b = tickets.issue(recording, token, "ticket 1", "wav", "legal_claims", NOW);
        assertNotEquals(a, b);
        assertTrue(a.startsWith(PlaybackTickets.PREFIX), a);
        assertEquals(PlaybackTickets.LENGTH, a.length());
        assertEquals(32, Base64.getUrlDecoder().decode(a.substring(4)).length);
        PlaybackTickets.Ticket t = tickets.find(a, NOW).orElseThrow();
        assertEquals(recording, t.recordingId());
        assertEquals(token, t.tokenId());
        assertEquals("wav", t.format());
        assertEquals("legal_claims", t.purpose());
        assertEquals(NOW.plus(PlaybackTickets.TTL), t.expiresAt());
    }

    @Test
    void aTicketLivesItsTtlFromIssue_notASecondLonger() {
        String a = tickets.issue(recording, token, "ticket 2", "stored", null, NOW);
        Instant end = NOW.plus(PlaybackTickets.TTL);
        assertTrue(tickets.find(a, end.minusMillis(1)).isPresent());
        assertEquals(Optional.empty(), tickets.find(a, end));
        assertEquals(Optional.empty(), tickets.find(a, end.plusSeconds(3600)));
    }

    @Test
    void revokingTheToken_endsItsTicketsOnly() {
        UUID other = UUID.randomUUID();
        String mine = tickets.issue(recording, token, "ticket 3", "stored", null, NOW);
        String theirs = tickets.issue(recording, other, "ticket 3", "stored", null, NOW);
        tickets.revokeToken(token);
        assertEquals(Optional.empty(), tickets.find(mine, NOW));
        assertTrue(tickets.find(theirs, NOW).isPresent());
    }

    @Test
    void whatCouldNotHaveBeenIssuedHere_isNeverLookedUp() {
        String a = tickets.issue(recording, token, "ticket 4", "stored", null, NOW);
        assertEquals(Optional.empty(), tickets.find(null, NOW));
        assertEquals(Optional.empty(), tickets.find(a + "x", NOW));
        assertEquals(Optional.empty(), tickets.find("crs_" + a.substring(4), NOW), "a session token's prefix");
        assertEquals(Optional.empty(), tickets.find(a.substring(0, 46), NOW));
    }
}
