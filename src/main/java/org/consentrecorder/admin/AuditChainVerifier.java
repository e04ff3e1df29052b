package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Walks the audit trail in seq order, recomputes every hash and reports the first broken link:
 * a missing row (gap in seq), a row whose content no longer matches its hash (edited), a row whose
 * prev_hash is not its predecessor's hash (inserted, removed or reordered), or a chain head that
 * does not point at the last row (rows cut off the end).
 */
public final class AuditChainVerifier {
    private static final int BATCH = 2000;

    private AuditChainVerifier() {
    }

    /** The verdict; firstBrokenSeq is null when the chain is intact. */
    public record Report(boolean intact, long rowsChecked, long headSeq, Long firstBrokenSeq, String problem) {
        public JsonObject toJson() {
            return new JsonObject().put("intact", intact).put("rows_checked", rowsChecked).put("head_seq", headSeq)
                    .put("first_broken_seq", firstBrokenSeq).put("problem", problem);
        }

        @Override
        public String toString() {
            return intact ? "audit chain intact: " + rowsChecked + " row(s), head at seq " + headSeq
                    : "audit chain BROKEN at seq " + firstBrokenSeq + ": " + problem + " (" + rowsChecked
                    + " row(s) checked before it)";
        }
    }

    private record Cursor(long lastSeq, byte[] lastHash, long checked) {
    }

    public static Future<Report> verify(Pool pool) {
        return verify(new AuditRepository(pool));
    }

    public static Future<Report> verify(AuditRepository rows) {
        return rows.head().compose(head -> walk(rows, new Cursor(0, AuditLog.GENESIS, 0), head.seq(), head.hash()));
    }

    private static Future<Report> walk(AuditRepository rows, Cursor cursor, long headSeq, byte[] headHash) {
        return rows.after(cursor.lastSeq(), BATCH)
                .compose(batch -> {
                    Cursor c = cursor;
                    for (AuditRepository.StoredEntry r : batch) {
                        long seq = r.seq();
                        if (seq != c.lastSeq() + 1) {
                            return done(c, headSeq, c.lastSeq() + 1, "row " + (c.lastSeq() + 1) + " is missing");
                        }
                        byte[] prev = r.prevHash();
                        byte[] hash = r.hash();
                        if (!MessageDigest.isEqual(prev, c.lastHash())) {
                            return done(c, headSeq, seq, "prev_hash does not match the hash of row " + c.lastSeq());
                        }
                        byte[] expected = r.entry().chainHash(prev, seq, r.at());
                        if (!MessageDigest.isEqual(expected, hash)) {
                            return done(c, headSeq, seq, "the row's content does not match its hash (changed after it was written)");
                        }
                        c = new Cursor(seq, hash, c.checked() + 1);
                    }
                    if (batch.size() == BATCH) {
                        return walk(rows, c, headSeq, headHash);
                    }
                    if (c.lastSeq() != headSeq || !MessageDigest.isEqual(c.lastHash(), headHash)) {
                        long broken = Math.min(c.lastSeq(), headSeq) + 1;
                        return done(c, headSeq, broken, c.lastSeq() < headSeq
                                ? "the chain head is at seq " + headSeq + " but the log ends at seq " + c.lastSeq()
                                : "the chain head (seq " + headSeq + ", " + HexFormat.of().formatHex(headHash, 0, 8)
                                + "...) does not point at the last row");
                    }
                    return Future.succeededFuture(new Report(true, c.checked(), headSeq, null, null));
                });
    }

    private static Future<Report> done(Cursor c, long headSeq, long brokenSeq, String problem) {
        return Future.succeededFuture(new Report(false, c.checked(), headSeq, brokenSeq, problem));
    }
}
