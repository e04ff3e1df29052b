package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.consentrecorder.crypto.AuditChainKeys;
import org.consentrecorder.crypto.KeyUnavailableException;
import org.consentrecorder.store.Transactions;

/**
 * Walks the audit trail in seq order, recomputes every hash and reports the first broken link: a missing row (gap in
 * seq), a row whose content no longer matches its hash (edited, or forged without the key), a row whose prev_hash is
 * not its predecessor's hash (inserted, removed or reordered), a free text that no longer matches its commitment, an
 * unkeyed row after the keyed segment began, a chain that does not end in a keyed row, a chain head that does not
 * point at the last row; and, against the anchors kept outside the database, a row whose hash differs from its
 * anchor (the chain was rewritten) or an anchor beyond the head (rows were cut off the end).
 *
 * <p>Everything is read in one REPEATABLE READ snapshot, bounded at the head read first: rows appended while it runs
 * are not part of the verdict and cannot make it fail.
 */
public final class AuditChainVerifier {
    private static final int BATCH = 2000;

    private AuditChainVerifier() {
    }

    /** The verdict; firstBrokenSeq is null when the chain is intact. */
    public record Report(boolean intact, long rowsChecked, long headSeq, String headHash, long legacyRows,
                         long textsErased, int anchorsChecked, Long firstBrokenSeq, String problem) {
        public JsonObject toJson() {
            return new JsonObject().put("intact", intact).put("rows_checked", rowsChecked).put("head_seq", headSeq)
                    .put("head_hash", headHash).put("legacy_rows", legacyRows).put("texts_erased", textsErased)
                    .put("anchors_checked", anchorsChecked)
                    .put("first_broken_seq", firstBrokenSeq).put("problem", problem);
        }

        @Override
        public String toString() {
            return intact ? "audit chain intact: " + rowsChecked + " row(s), head at seq " + headSeq + " (" + headHash
                    + "), " + legacyRows + " unkeyed legacy row(s), " + textsErased + " erased text(s), "
                    + anchorsChecked + " anchor(s) matched"
                    : "audit chain BROKEN at seq " + firstBrokenSeq + ": " + problem + " (" + rowsChecked
                    + " row(s) checked before it)";
        }
    }

    private record Cursor(long lastSeq, byte[] lastHash, long checked, boolean keyedSeen, long legacy, long erased) {
    }

    /** Thrown inside the walk to stop at the first broken link. */
    private static final class Broken extends RuntimeException {
        final long seq;

        Broken(long seq, String problem) {
            super(problem, null, false, false);
            this.seq = seq;
        }
    }

    public static Future<Report> verify(Pool pool, AuditChainKeys keys, List<AuditAnchor> anchors) {
        return verify(pool, new AuditRepository(pool), keys, anchors);
    }

    public static Future<Report> verify(Pool pool, AuditRepository rows, AuditChainKeys keys, List<AuditAnchor> anchors) {
        Map<Long, List<AuditAnchor>> bySeq = new HashMap<>();
        anchors.forEach(a -> bySeq.computeIfAbsent(a.seq(), s -> new ArrayList<>()).add(a));
        return new Transactions(pool).run(tx -> rows.snapshot(tx)
                .compose(v -> rows.head(tx))
                .compose(head -> walk(tx, rows, keys, bySeq, new Cursor(0, AuditLog.GENESIS, 0, false, 0, 0), head)));
    }

    private static Future<Report> walk(org.consentrecorder.store.Tx tx, AuditRepository rows, AuditChainKeys keys,
                                       Map<Long, List<AuditAnchor>> anchors, Cursor cursor, AuditRepository.ChainHead head) {
        return rows.page(tx, cursor.lastSeq(), head.seq(), BATCH).compose(batch -> {
            Cursor c = cursor;
            int[] matched = {0};
            try {
                for (AuditRepository.StoredRow r : batch) {
                    c = check(c, r, keys, anchors);
                }
            } catch (Broken b) {
                return broken(c, head, b.seq, b.getMessage());
            }
            if (batch.size() == BATCH) {
                return walk(tx, rows, keys, anchors, c, head);
            }
            if (c.lastSeq() != head.seq() || !MessageDigest.isEqual(c.lastHash(), head.hash())) {
                long at = Math.min(c.lastSeq(), head.seq()) + 1;
                return broken(c, head, at, c.lastSeq() < head.seq()
                        ? "the chain head is at seq " + head.seq() + " but the log ends at seq " + c.lastSeq()
                        : "the chain head (seq " + head.seq() + ", " + HexFormat.of().formatHex(head.hash(), 0, 8)
                        + "...) does not point at the last row");
            }
            if (c.lastSeq() > 0 && !c.keyedSeen()) {
                return broken(c, head, c.lastSeq(), "the chain ends in unkeyed rows: nothing after the legacy segment "
                        + "is keyed (start the service once after the upgrade; it seals the legacy segment)");
            }
            for (List<AuditAnchor> list : anchors.values()) {
                for (AuditAnchor a : list) {
                    if (a.seq() > head.seq()) {
                        return broken(c, head, head.seq() + 1, "anchor " + a.source() + " of " + a.at()
                                + " names seq " + a.seq() + " but the chain ends at seq " + head.seq()
                                + ": rows were cut off the end");
                    }
                    matched[0]++;
                }
            }
            return Future.succeededFuture(new Report(true, c.checked(), head.seq(), HexFormat.of().formatHex(head.hash()),
                    c.legacy(), c.erased(), matched[0], null, null));
        });
    }

    private static Cursor check(Cursor c, AuditRepository.StoredRow r, AuditChainKeys keys,
                                Map<Long, List<AuditAnchor>> anchors) {
        AuditRow row = r.row();
        long seq = row.seq();
        if (seq != c.lastSeq() + 1) {
            throw new Broken(c.lastSeq() + 1, "row " + (c.lastSeq() + 1) + " is missing");
        }
        if (!MessageDigest.isEqual(r.prevHash(), c.lastHash())) {
            throw new Broken(seq, "prev_hash does not match the hash of row " + c.lastSeq());
        }
        boolean keyed = row.keyId() != null;
        if (!keyed && c.keyedSeen()) {
            throw new Broken(seq, "an unkeyed row after the keyed segment began (written without the audit key)");
        }
        byte[] expected;
        try {
            expected = row.hash(r.prevHash(), keys);
        } catch (KeyUnavailableException e) {
            throw new Broken(seq, "the row cannot be checked: " + e.getMessage());
        }
        if (!MessageDigest.isEqual(expected, r.hash())) {
            throw new Broken(seq, keyed ? "the row's content does not match its keyed hash (changed after it was "
                    + "written, or written without the audit key)"
                    : "the row's content does not match its hash (changed after it was written)");
        }
        if (keyed && !c.keyedSeen() && c.lastSeq() > 0 && !AuditLog.SEAL_ACTION.equals(row.action())) {
            throw new Broken(seq, "the keyed segment does not begin with the " + AuditLog.SEAL_ACTION + " row");
        }
        long erased = c.erased();
        if ((row.textRef() == null) != (r.text() == null)) {
            throw new Broken(seq, row.textRef() == null ? "a free text is attached to a row that has none"
                    : "the row's free text is missing (deleted, not erased)");
        }
        if (r.text() != null) {
            if (r.text().body() == null) {
                erased++;
            } else if (!MessageDigest.isEqual(AuditText.commitment(r.text().nonce(), r.text().body()), row.textRef())) {
                throw new Broken(seq, "the row's free text does not match its commitment (changed after it was written)");
            }
        }
        List<AuditAnchor> here = anchors.get(seq);
        if (here != null) {
            for (AuditAnchor a : here) {
                if (!MessageDigest.isEqual(a.hash(), r.hash())) {
                    throw new Broken(seq, "the row's hash differs from anchor " + a.source() + " of " + a.at()
                            + ": the chain was rewritten");
                }
            }
        }
        return new Cursor(seq, r.hash(), c.checked() + 1, c.keyedSeen() || keyed, c.legacy() + (keyed ? 0 : 1), erased);
    }

    /** The verdict when the anchors themselves cannot be used (unreadable file, a time-stamp that does not verify). */
    static Report anchorsBroken(AuditRepository.ChainHead head, String problem) {
        return new Report(false, 0, head.seq(), HexFormat.of().formatHex(head.hash()), 0, 0, 0, null,
                "the anchors cannot be checked: " + problem);
    }

    private static Future<Report> broken(Cursor c, AuditRepository.ChainHead head, long brokenSeq, String problem) {
        return Future.succeededFuture(new Report(false, c.checked(), head.seq(), HexFormat.of().formatHex(head.hash()),
                c.legacy(), c.erased(), 0, brokenSeq, problem));
    }
}
