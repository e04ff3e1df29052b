package org.consentrecorder.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Short-lived playback tickets: {@code POST /recordings/{id}/playback} takes the reason (and the
 * format, and for restricted data the purpose) in its body, writes the audit row, and answers a
 * ticket; the audio is then fetched with {@code GET /recordings/{id}/audio?ticket=…}. Neither the
 * reason (free text, perhaps a caller's name) nor anything personal appears in a URL.
 *
 * <p>Because an {@code <audio>} element cannot send a bearer token, the ticket is also a
 * <em>capability URL</em>: with no {@code Authorization} header it authenticates the audio request
 * by itself, so the browser streams and seeks with HTTP Range requests. Its limits:
 * <ul>
 * <li>256 random bits ({@link Tokens#newToken}); only its SHA-256 is kept, in this process's memory
 *     (behind a load balancer the audio request must reach the same instance, or the client asks again);
 * <li>valid for {@link #TTL} from issue, never extended: long enough for the range requests of one
 *     listening, short enough that a copied URL is soon worthless;
 * <li>bound to one recording, one session or API token (so one account), one format and one purpose:
 *     it opens nothing else, and every use is that account's;
 * <li>reusable within its life only for GETs of that recording's audio (the browser makes several);
 * <li>dead when its token is: sign-out drops the account's tickets here ({@link #revokeToken}), and
 *     each use checks again that the token is unexpired, unrevoked and its account enabled;
 * <li>the audit row (who, when, reason) is written once, when it is issued, not per range request.
 * </ul>
 */
final class PlaybackTickets {
    static final Duration TTL = Duration.ofMinutes(2);
    static final int MAX_OPEN = 10_000;
    static final String PREFIX = "crp_";
    /** The longest ticket that could have been issued here (prefix and 43 base64url characters). */
    static final int LENGTH = 47;

    /**
     * What a ticket allows: this recording, for this token, in this format ({@code stored} or
     * {@code wav}), with this purpose (null, or {@code legal_claims} for restricted data).
     */
    record Ticket(UUID recordingId, UUID tokenId, String reason, String format, String purpose, Instant expiresAt) {
    }

    private final Map<String, Ticket> open = new ConcurrentHashMap<>();

    String issue(UUID recordingId, UUID tokenId, String reason, String format, String purpose, Instant now) {
        open.values().removeIf(t -> !now.isBefore(t.expiresAt()));
        if (open.size() >= MAX_OPEN) {
            throw new ApiError(503, "busy", "too many playback tickets are open; try again shortly");
        }
        String ticket = Tokens.newToken(PREFIX);
        open.put(key(ticket), new Ticket(recordingId, tokenId, reason, format, purpose, now.plus(TTL)));
        return ticket;
    }

    /** The ticket, if it could have been issued here, is open and has not expired. */
    Optional<Ticket> find(String ticket, Instant now) {
        if (ticket == null || ticket.length() != LENGTH || !ticket.startsWith(PREFIX)) {
            return Optional.empty();
        }
        Ticket t = open.get(key(ticket));
        if (t == null || !now.isBefore(t.expiresAt())) {
            return Optional.empty();
        }
        return Optional.of(t);
    }

    /** At sign-out (or when a token is revoked here): every ticket of that token is gone at once. */
    void revokeToken(UUID tokenId) {
        open.values().removeIf(t -> t.tokenId().equals(tokenId));
    }

    /** Unknown, expired or revoked: 401 when the ticket was the only credential, 403 beside a valid bearer token. */
    static ApiError invalid(int status) {
        return new ApiError(status, "invalid_ticket", "the playback ticket is unknown, expired (tickets last "
                + TTL.toSeconds() + " s) or revoked (sign-out, a revoked token or a disabled account end it); ask for "
                + "a new one: POST " + AdminApi.BASE + "/recordings/{id}/playback");
    }

    /** A valid ticket used for something it was not issued for. */
    static ApiError mismatch(String what) {
        return new ApiError(403, "ticket_mismatch", "the playback ticket was issued for another " + what
                + "; it opens only the recording, format and purpose it was issued for, for the session or token "
                + "that asked for it");
    }

    private static String key(String ticket) {
        return HexFormat.of().formatHex(Tokens.hash(ticket));
    }
}
