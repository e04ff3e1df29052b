package org.consentrecorder.admin;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * An opaque keyset cursor: the (time, id) of the last item of a page, newest first. Clients pass
 * back {@code next_cursor} unchanged; anything else is a 400.
 */
public record Cursor(Instant at, UUID id) {

    public String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((at.toEpochMilli() + "," + id).getBytes(StandardCharsets.UTF_8));
    }

    public OffsetDateTime time() {
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    public static Optional<Cursor> from(QueryInput q) {
        return q.string("cursor").map(Cursor::decode);
    }

    static Cursor decode(String s) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8);
            String[] parts = text.split(",", 2);
            return new Cursor(Instant.ofEpochMilli(Long.parseLong(parts[0])), UUID.fromString(parts[1]));
        } catch (RuntimeException e) {
            throw ApiError.badRequest("query parameter 'cursor' is not a cursor this API gave out (use next_cursor as is)");
        }
    }

    public static String of(OffsetDateTime at, UUID id) {
        return new Cursor(at.toInstant(), id).encode();
    }
}
