package org.consentrecorder.store;

import io.vertx.pgclient.PgException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/** Small conversions shared by the repositories. */
public final class Sql {
    private Sql() {
    }

    /** UTC with millisecond precision, as the evidence promises. */
    public static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MILLIS), ZoneOffset.UTC);
    }

    public static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    /** The database refused a write of a stale lease holder (cr_fence, V36). */
    public static boolean staleLease(Throwable e) {
        return e instanceof PgException pg && ServerLease.STALE_SQLSTATE.equals(pg.getSqlState());
    }

    public static boolean uniqueViolation(Throwable e) {
        return e instanceof PgException pg && "23505".equals(pg.getSqlState());
    }
}
