package org.consentrecorder.privacy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Rows as JSON the way the admin API writes them: UTC ISO-8601 times with milliseconds, bytea as hex. */
public final class RowJson {
    private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'");

    private RowJson() {
    }

    public static String time(Instant t) {
        return t == null ? null
                : ISO_MILLIS.format(OffsetDateTime.ofInstant(t.truncatedTo(ChronoUnit.MILLIS), ZoneOffset.UTC));
    }

    public static JsonObject row(Row r, Set<String> exclude) {
        JsonObject o = new JsonObject();
        for (int i = 0; i < r.size(); i++) {
            String name = r.getColumnName(i);
            if (exclude.contains(name)) {
                continue;
            }
            Object v = r.getValue(i);
            if (v instanceof OffsetDateTime t) {
                o.put(name, time(t.toInstant()));
            } else if (v instanceof LocalDate d) {
                o.put(name, d.toString());
            } else if (v instanceof UUID u) {
                o.put(name, u.toString());
            } else if (v instanceof String[] a) {
                o.put(name, new JsonArray(List.of((Object[]) a)));
            } else if (v instanceof Buffer b) {
                o.put(name, HexFormat.of().formatHex(b.getBytes()));
            } else if (v instanceof JsonObject || v instanceof JsonArray) {
                o.put(name, v);
            } else if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) {
                o.put(name, v);
            } else {
                o.put(name, v.toString());
            }
        }
        return o;
    }

    public static JsonObject row(Row r) {
        return row(r, Set.of());
    }

    public static JsonArray rows(RowSet<Row> rows, Set<String> exclude) {
        JsonArray a = new JsonArray();
        rows.forEach(r -> a.add(row(r, exclude)));
        return a;
    }

    public static JsonArray rows(RowSet<Row> rows) {
        return rows(rows, Set.of());
    }
}
