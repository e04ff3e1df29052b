package org.consentrecorder.privacy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Times in the JSON this package writes (reports, the export manifest): UTC ISO-8601 with milliseconds. */
public final class JsonTime {
    private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'");

    private JsonTime() {
    }

    /** Null for null. */
    public static String format(Instant t) {
        return t == null ? null
                : ISO_MILLIS.format(OffsetDateTime.ofInstant(t.truncatedTo(ChronoUnit.MILLIS), ZoneOffset.UTC));
    }
}
