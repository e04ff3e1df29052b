package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.crypto.AuditChainKeys;
import org.consentrecorder.store.DatabaseServer;
import org.consentrecorder.store.Migrations;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.TestDatabase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * The V28 migration of an audit trail written before pseudonyms and before the keyed chain: old-format rows (the
 * version-1 SHA-256 chain) that hold caller numbers as target, in search filters and in free text. After it no audit
 * row holds a number, the old rows verify as the legacy segment, the application seals them with the first keyed
 * row, and a rewrite of the legacy segment is then detected.
 */
class AuditLegacyMigrationTest {
    private static final AuditChainKeys KEYS = AppHarness.auditKeys();
    private static final String KNOWN_WITH_PSEUDONYM = "+4930111111";
    private static final String KNOWN_IN_A_REQUEST = "+4930222222";
    private static final String ERASED = "+4930333333";
    private static final String EXISTING_PSEUDONYM = "subj-aaaaaaaaaaaaaaaaaaaaaaaa";

    /** One row in the version-1 format, as the code before V28 wrote it. */
    private record OldRow(String actorKind, String actorId, String actorName, String action, String targetType,
                          String targetId, String reason, String source, String outcome, String detail) {
    }

    /** The version-1 hash: SHA-256(prev || "consent-recorder audit v1\n" || seq || ms || length-prefixed fields). */
    private static byte[] v1Hash(byte[] prev, long seq, Instant at, OldRow r) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write("consent-recorder audit v1\n".getBytes(StandardCharsets.UTF_8));
            out.writeLong(seq);
            out.writeLong(at.toEpochMilli());
            for (String f : new String[] {r.actorKind(), r.actorId(), r.actorName(), r.action(), r.targetType(),
                    r.targetId(), r.reason(), r.source(), r.outcome(), r.detail()}) {
                if (f == null) {
                    out.writeInt(-1);
                } else {
                    byte[] b = f.getBytes(StandardCharsets.UTF_8);
                    out.writeInt(b.length);
                    out.write(b);
                }
            }
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(prev);
        sha.update(bytes.toByteArray());
        return sha.digest();
    }

    /** Migrations run as the schema's owner (as the application's Migrations do); so does the seeding of old rows. */
    private static DatabaseServer beforeV28() {
        DatabaseServer db = TestDatabase.fresh();
        // the last migration before V28, whichever it is once other branches have added theirs
        String before = java.util.Arrays.stream(Flyway.configure().dataSource(db.jdbcUrl(), db.ownerUser(), db.ownerPassword())
                        .locations("classpath:db/migration").load().info().all())
                .map(m -> m.getVersion())
                .filter(v -> v.compareTo(org.flywaydb.core.api.MigrationVersion.fromVersion("28")) < 0)
                .max(Comparable::compareTo).orElseThrow().getVersion();
        Flyway.configure().dataSource(db.jdbcUrl(), db.ownerUser(), db.ownerPassword()).locations("classpath:db/migration")
                .target(before).load().migrate();
        return db;
    }

    private static Connection jdbc(DatabaseServer db) throws Exception {
        return DriverManager.getConnection(db.jdbcUrl(), db.ownerUser(), db.ownerPassword());
    }

    /** Writes the rows as the old code did (chain and head); returns the head hash. */
    private static byte[] seed(DatabaseServer db, List<OldRow> rows) throws Exception {
        byte[] prev = new byte[32];
        Instant at = Instant.parse("2025-06-01T10:00:00.123Z");
        try (Connection c = jdbc(db); PreparedStatement insert = c.prepareStatement("insert into audit_log (seq, at, "
                + "actor_kind, actor_id, actor_name, action, target_type, target_id, reason, source_address, outcome, "
                + "detail, prev_hash, hash) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            long seq = 0;
            for (OldRow r : rows) {
                seq++;
                at = at.plusSeconds(7);
                byte[] hash = v1Hash(prev, seq, at, r);
                insert.setLong(1, seq);
                insert.setTimestamp(2, Timestamp.from(at));
                String[] f = {r.actorKind(), r.actorId(), r.actorName(), r.action(), r.targetType(), r.targetId(),
                        r.reason(), r.source(), r.outcome(), r.detail()};
                for (int i = 0; i < f.length; i++) {
                    insert.setString(3 + i, f[i]);
                }
                insert.setBytes(13, prev);
                insert.setBytes(14, hash);
                insert.executeUpdate();
                prev = hash;
            }
            try (PreparedStatement head = c.prepareStatement("update audit_chain_head set seq = ?, hash = ? where id = 1")) {
                // the head trigger lets it move one row at a time only: as the old code did, row by row
                for (long s = 1; s <= seq; s++) {
                    try (Statement q = c.createStatement();
                         ResultSet h = q.executeQuery("select hash from audit_log where seq = " + s)) {
                        h.next();
                        head.setLong(1, s);
                        head.setBytes(2, h.getBytes(1));
                        head.executeUpdate();
                    }
                }
            }
        }
        return prev;
    }

    private static List<OldRow> oldRows() {
        return List.of(
                new OldRow("account", "a1", "sue", "consent.read", "subject", KNOWN_WITH_PSEUDONYM, null, "10.0.0.1",
                        "allowed", null),
                new OldRow("account", "a1", "sue", "calls.search", "subject", KNOWN_IN_A_REQUEST, null, "10.0.0.1",
                        "allowed", new JsonObject().put("caller", KNOWN_IN_A_REQUEST).put("outcome", "recorded").encode()),
                new OldRow("account", "a1", "sue", "calls.search", "subject", ERASED, null, "10.0.0.1", "allowed",
                        new JsonObject().put("from", "2025-01-01T00:00:00Z").put("caller", ERASED).encode()),
                new OldRow("account", "a2", "tom", "recordings.play", "recording", UUID.randomUUID().toString(),
                        "complaint by " + KNOWN_WITH_PSEUDONYM, "10.0.0.2", "allowed",
                        new JsonObject().put("range", "bytes=0-").encode()),
                new OldRow("account", "a2", "tom", "consent.withdraw", "subject", KNOWN_IN_A_REQUEST, null, "10.0.0.2",
                        "ok", new JsonObject().put("caller", KNOWN_IN_A_REQUEST)
                        .put("note", "ticket 4711 from " + KNOWN_IN_A_REQUEST).put("changed", true).encode()),
                new OldRow("account", "a2", "tom", "calls.read", null, "not-a-uuid", null, "10.0.0.2",
                        "rejected:bad_request", new JsonObject().put("message", "call id is not a UUID").encode()));
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private static long count(Connection c, String sql, String... args) throws Exception {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setString(i + 1, args[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static String string(Connection c, String sql, String... args) throws Exception {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setString(i + 1, args[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }

    @Test
    void afterTheMigration_noAuditRowHoldsACallerNumber_andTheOldRowsVerifyAsTheSealedLegacySegment() throws Exception {
        DatabaseServer db = beforeV28();
        try (Connection c = jdbc(db); Statement s = c.createStatement()) {
            s.execute("insert into subject_pseudonym (subject, pseudonym) values ('" + KNOWN_WITH_PSEUDONYM + "', '"
                    + EXISTING_PSEUDONYM + "')");
            s.execute("insert into privacy_request (id, kind, subject, received_at, due_at, status, created_by, created_at) "
                    + "values (gen_random_uuid(), 'access', '" + KNOWN_IN_A_REQUEST + "', now(), now() + interval '30 days', "
                    + "'open', 'account:sue', now())");
        }
        byte[] oldHead = seed(db, oldRows());
        try (Connection c = jdbc(db)) {
            assertTrue(count(c, "select count(*) from audit_log a where a::text like ?", "%4930%") > 0,
                    "the seeded rows hold numbers: the search below can fail");
        }

        Migrations.migrate(db);

        List<String> digits = List.of("4930111111", "4930222222", "4930333333");
        try (Connection c = jdbc(db)) {
            for (String d : digits) {
                assertEquals(0, count(c, "select count(*) from audit_log a where a::text like ?", "%" + d + "%"), d);
                assertEquals(0, count(c, "select count(*) from audit_text t where t::text like ?", "%" + d + "%"), d);
            }
            // a number the database still knows keeps (or gets) its linked pseudonym ...
            assertEquals(EXISTING_PSEUDONYM, string(c, "select target_id from audit_log where seq = 1"));
            String requested = string(c, "select pseudonym from subject_pseudonym where subject = ?", KNOWN_IN_A_REQUEST);
            assertTrue(requested != null && requested.startsWith("subj-"));
            assertEquals(requested, string(c, "select target_id from audit_log where seq = 2"));
            assertEquals(requested, string(c, "select detail::jsonb ->> 'caller' from audit_log where seq = 2"));
            assertEquals(requested, string(c, "select target_id from audit_log where seq = 5"));
            // ... an erased caller's number becomes a pseudonym linked to nothing: the migration brings nobody back
            String erased = string(c, "select target_id from audit_log where seq = 3");
            assertTrue(erased.startsWith("subj-") && erased.length() == 29, erased);
            assertEquals(0, count(c, "select count(*) from subject_pseudonym where pseudonym = ?", erased));
            assertEquals(0, count(c, "select count(*) from subject_pseudonym where subject = ?", ERASED));
            // free text moved beside the chain, with the number replaced too
            assertEquals("{\"reason\": \"complaint by " + EXISTING_PSEUDONYM + "\"}",
                    string(c, "select body from audit_text where seq = 4"));
            assertTrue(string(c, "select body from audit_text where seq = 5").contains("ticket 4711 from " + requested));
            assertEquals(requested, string(c, "select subject from audit_text where seq = 5"),
                    "an erasure of that caller finds the note through the pseudonym");
            assertEquals("{\"caller\": \"" + requested + "\", \"changed\": true}",
                    string(c, "select detail from audit_log where seq = 5"));
            assertEquals(3, count(c, "select count(*) from audit_text"));
            assertEquals("6|3|3", string(c, "select legacy_rows || '|' || subjects_pseudonymised || '|' || "
                    + "rows_with_text_moved from audit_legacy_rechain"));
            assertEquals(HexFormat.of().formatHex(oldHead),
                    string(c, "select encode(old_head_hash, 'hex') from audit_legacy_rechain"));
        }

        Vertx vertx = Vertx.vertx();
        Pool pool = PgBuilder.pool().connectingTo(db.connectOptions()).using(vertx).build();
        try {
            AuditChainVerifier.Report unsealed = await(AuditChainVerifier.verify(pool, KEYS, List.of()));
            assertFalse(unsealed.intact(), "a chain that is all unkeyed could be anyone's: " + unsealed);
            assertTrue(unsealed.problem().contains("ends in unkeyed rows"), unsealed.problem());

            AuditLog log = new AuditLog(pool, KEYS, Clock.systemUTC());
            assertTrue(await(log.sealLegacySegment()));
            assertFalse(await(log.sealLegacySegment()), "sealed once");
            await(log.append(new AuditEntry("account", "a1", "sue", "audit.read", "audit_log", null, null, "10.0.0.1",
                    "allowed", null)));
            AuditChainVerifier.Report sealed = await(AuditChainVerifier.verify(pool, KEYS, List.of()));
            assertTrue(sealed.intact(), sealed.toString());
            assertEquals(8, sealed.rowsChecked());
            assertEquals(6, sealed.legacyRows());
            List<AuditRepository.StoredEntry> seal = await(new AuditRepository(pool).search(
                    new AuditRepository.Filter(null, null, null, AuditLog.SEAL_ACTION, null, null, null), 5));
            assertEquals(1, seal.size());
            assertEquals(HexFormat.of().formatHex(oldHead),
                    new JsonObject(seal.get(0).entry().detail()).getString("pre_migration_head_hash"),
                    "the keyed seal repeats the head from before the re-chain, for copies kept elsewhere");

            // now a rewrite of the legacy segment (recomputed with plain SHA-256, as anyone could) breaks the seal
            try (Connection c = jdbc(db); Statement s = c.createStatement()) {
                s.execute("alter table audit_log disable trigger audit_log_no_update_delete");
                s.execute("update audit_log set actor_name = 'nobody' where seq = 4");
                s.execute("alter table audit_log enable trigger audit_log_no_update_delete");
            }
            List<AuditRepository.StoredRow> rows = await(new org.consentrecorder.store.Transactions(pool)
                    .run(tx -> new AuditRepository(pool).page(tx, 0, 6, 10)));
            byte[] prev = rows.get(2).hash();
            List<byte[]> rechained = new ArrayList<>();
            for (AuditRepository.StoredRow r : rows.subList(3, 6)) {
                prev = r.row().hash(prev, KEYS);
                rechained.add(prev);
            }
            try (Connection c = jdbc(db); Statement s = c.createStatement();
                 PreparedStatement u = c.prepareStatement("update audit_log set prev_hash = coalesce((select hash from "
                         + "audit_log p where p.seq = ? - 1), prev_hash), hash = ? where seq = ?")) {
                s.execute("alter table audit_log disable trigger audit_log_no_update_delete");
                for (int i = 0; i < 3; i++) {
                    u.setLong(1, 4 + i);
                    u.setBytes(2, rechained.get(i));
                    u.setLong(3, 4 + i);
                    u.executeUpdate();
                }
                s.execute("alter table audit_log enable trigger audit_log_no_update_delete");
            }
            AuditChainVerifier.Report rewritten = await(AuditChainVerifier.verify(pool, KEYS, List.of()));
            assertFalse(rewritten.intact(), rewritten.toString());
            assertEquals(7L, rewritten.firstBrokenSeq(), "the legacy rows re-chain, the keyed seal does not follow");
            assertNotEquals(null, rewritten.problem());
        } finally {
            await(pool.close());
            await(vertx.close());
            db.close();
        }
    }

    @Test
    void aBrokenOldChain_stopsTheMigration_ratherThanBeingLaunderedByTheRechain() throws Exception {
        DatabaseServer db = beforeV28();
        try {
            seed(db, oldRows());
            try (Connection c = jdbc(db); Statement s = c.createStatement()) {
                s.execute("alter table audit_log disable trigger audit_log_no_update_delete");
                s.execute("update audit_log set outcome = 'denied' where seq = 2");
                s.execute("alter table audit_log enable trigger audit_log_no_update_delete");
            }
            Exception e = assertThrows(Exception.class, () -> Migrations.migrate(db));
            Throwable t = e;
            StringBuilder messages = new StringBuilder();
            while (t != null) {
                messages.append(t.getMessage()).append('\n');
                t = t.getCause();
            }
            assertTrue(messages.toString().contains("audit chain broken before the upgrade at seq 2"), messages.toString());
            try (Connection c = jdbc(db)) {
                assertEquals(0, count(c, "select count(*) from information_schema.tables where table_name = 'audit_text'"),
                        "nothing of V28 stays");
                assertTrue(count(c, "select count(*) from audit_log a where a::text like ?", "%4930222222%") > 0);
            }
        } finally {
            db.close();
        }
    }
}
