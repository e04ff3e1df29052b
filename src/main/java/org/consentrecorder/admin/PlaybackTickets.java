package org.consentrecorder.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Short-lived playback tickets: {@code POST /recordings/{id}/playback} takes the reason in its body
 * and answers a ticket; the audio is then fetched with {@code ?ticket=…}, so neither the reason
 * (free text, perhaps a caller's name) nor anything personal appears in a URL. A ticket holds no
 * personal data, is good for one recording, for the session or token that asked, for
 * {@link #TTL} (long enough for the range requests of one listening), and only its hash is kept,
 * in this process's memory: behind a load balancer the audio request must reach the same
 * instance (sticky sessions), or the client asks again.
 */
final class PlaybackTickets {
    static final Duration TTL = Duration.ofMinutes(2);
    static final int MAX_OPEN = 10_000;
    static final String PREFIX = "crp_";

    record Ticket(UUID recordingId, UUID tokenId, String reason, Instant expiresAt) {
    }

    private final Map<String, Ticket> open = new ConcurrentHashMap<>();

    String issue(UUID recordingId, UUID tokenId, String reason, Instant now) {
        open.values().removeIf(t -> !now.isBefore(t.expiresAt()));
        if (open.size() >= MAX_OPEN) {
            throw new ApiError(503, "busy", "too many playback tickets are open; try again shortly");
        }
        String ticket = Tokens.newToken(PREFIX);
        open.put(key(ticket), new Ticket(recordingId, tokenId, reason, now.plus(TTL)));
        return ticket;
    }

    /** The ticket's reason, if it is open, for this recording and this caller's token. */
    Optional<String> redeem(String ticket, UUID recordingId, UUID tokenId, Instant now) {
        if (ticket == null || !ticket.startsWith(PREFIX) || ticket.length() > 64) {
            return Optional.empty();
        }
        Ticket t = open.get(key(ticket));
        if (t == null || !now.isBefore(t.expiresAt()) || !t.recordingId().equals(recordingId)
                || !t.tokenId().equals(tokenId)) {
            return Optional.empty();
        }
        return Optional.of(t.reason());
    }

    private static String key(String ticket) {
        return HexFormat.of().formatHex(Tokens.hash(ticket));
    }
}
