package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import io.vertx.core.json.JsonObject;
import org.consentrecorder.crypto.AuditChainKeys;
import org.consentrecorder.crypto.KeyringLoader;
import org.consentrecorder.store.DatabaseServer;
import org.consentrecorder.store.Migrations;
import org.consentrecorder.store.Transactions;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.TestDatabase;
import org.consentrecorder.testing.TestTsa;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keyed audit chain against someone who can write to the database but does not hold the keyring: a forged or
 * rebuilt chain fails verification; a chain cut short and continued fails against the anchors kept outside the
 * database; a time-stamp from a TSA is stored and verified; verification under a stream of writes stays intact.
 */
class AuditChainIntegrityTest {
    private static final AuditChainKeys KEYS = AppHarness.auditKeys();
    /** What an attacker with database access only can use: any key but the real one. */
    private static final AuditChainKeys GUESSED = AuditChainKeys.of(KeyringLoader.load(null,
            "kek-test:1=" + Base64.getEncoder().encodeToString(new byte[32])));

    @TempDir
    Path dir;
    private DatabaseServer db;
    private Vertx vertx;
    private Pool pool;
    private Pool ownerPool;
    private AuditLog log;

    @BeforeEach
    void start() {
        db = TestDatabase.fresh();
        Migrations.migrate(db);
        vertx = Vertx.vertx();
        pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(8)).connectingTo(db.connectOptions()).using(vertx).build();
        log = new AuditLog(pool, KEYS, Clock.systemUTC());
        // the tampering below is what someone with the owner's database rights can do; the service role cannot
        ownerPool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(db.ownerConnectOptions())
                .using(vertx).build();
    }

    @AfterEach
    void stop() throws Exception {
        await(pool.close());
        await(ownerPool.close());
        await(vertx.close());
        db.close();
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private List<Row> sql(String statement, Object... args) throws Exception {
        List<Row> out = new ArrayList<>();
        await(ownerPool.preparedQuery(statement).execute(Tuple.wrap(List.of(args)))).forEach(out::add);
        return out;
    }

    private void append(int n, String action) throws Exception {
        for (int i = 0; i < n; i++) {
            await(log.append(new AuditEntry("account", "a1", "sue", action, "recording", "r" + i, "reason " + i,
                    "127.0.0.1", "allowed", new JsonObject().put("i", i).encode())));
        }
    }

    private AuditChainVerifier.Report verify(List<AuditAnchor> anchors) throws Exception {
        return await(AuditChainVerifier.verify(pool, KEYS, anchors));
    }

    private AuditAnchoring anchoring(AuditSettings settings) throws Exception {
        return new AuditAnchoring(vertx, pool, KEYS, settings, Clock.systemUTC());
    }

    private static AuditSettings fileOnly(Path file) {
        return new AuditSettings(Optional.of(file), Duration.ofHours(1), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * As someone with the database's owner rights would: around the triggers and the constraint, rewrites every row
     * from {@code from} on (after {@code edit}) and recomputes the chain with {@code keys}, keeping each row's key id.
     */
    private void rewriteFrom(long from, String edit, AuditChainKeys keys, boolean unkeyed) throws Exception {
        sql("alter table audit_log disable trigger audit_log_no_update_delete");
        sql("alter table audit_chain_head disable trigger audit_chain_head_forward");
        sql("alter table audit_log drop constraint if exists audit_log_keyed_after_legacy");
        if (edit != null) {
            sql(edit);
        }
        if (unkeyed) {
            sql("update audit_log set key_id = null where seq >= $1", from);
        }
        AuditRepository rows = new AuditRepository(pool);
        List<AuditRepository.StoredRow> all = await(new Transactions(pool).run(tx -> rows.page(tx, 0, Long.MAX_VALUE, 100_000)));
        byte[] prev = new byte[32];
        for (AuditRepository.StoredRow r : all) {
            if (r.row().seq() >= from) {
                byte[] hash = r.row().hash(prev, keys);
                sql("update audit_log set prev_hash = $1, hash = $2 where seq = $3", Buffer.buffer(prev), Buffer.buffer(hash),
                        r.row().seq());
                prev = hash;
            } else {
                prev = r.hash();
            }
        }
        sql("update audit_chain_head set seq = (select max(seq) from audit_log), hash = $1", Buffer.buffer(prev));
        sql("alter table audit_log enable trigger audit_log_no_update_delete");
        sql("alter table audit_chain_head enable trigger audit_chain_head_forward");
    }

    @Test
    void aChainForgedWithDatabaseAccessOnly_failsVerification() throws Exception {
        append(6, "recordings.play");
        AuditChainVerifier.Report before = verify(List.of());
        assertTrue(before.intact(), before.toString());
        assertEquals(6, before.rowsChecked());

        // edit row 3 and recompute every later link with a key that is not the keyring's
        rewriteFrom(3, "update audit_log set outcome = 'denied' where seq = 3", GUESSED, false);
        AuditChainVerifier.Report forged = verify(List.of());
        assertFalse(forged.intact(), forged.toString());
        assertEquals(3L, forged.firstBrokenSeq());
        assertTrue(forged.problem().contains("keyed hash"), forged.problem());
    }

    @Test
    void aChainRebuiltUnkeyed_failsVerification() throws Exception {
        append(4, "recordings.play");
        // the attacker's way around the key: mark the rows unkeyed and chain them with plain SHA-256
        rewriteFrom(1, "update audit_log set target_id = 'other' where seq = 2", GUESSED, true);
        AuditChainVerifier.Report report = verify(List.of());
        assertFalse(report.intact(), report.toString());
        assertTrue(report.problem().contains("unkeyed"), report.problem());

        // and the same from the keyed segment on: an unkeyed row after a keyed one
        sql("alter table audit_log disable trigger audit_log_no_update_delete");
        sql("update audit_log set key_id = $1 where seq = 1", KEYS.currentId());
        sql("alter table audit_log enable trigger audit_log_no_update_delete");
        rewriteFrom(1, null, KEYS, false);
        rewriteFrom(2, null, GUESSED, true);
        AuditChainVerifier.Report mixed = verify(List.of());
        assertFalse(mixed.intact(), mixed.toString());
        assertEquals(2L, mixed.firstBrokenSeq());
        assertTrue(mixed.problem().contains("unkeyed row after the keyed segment"), mixed.problem());
    }

    @Test
    void aTruncatedAndRebuiltChain_failsAgainstTheAnchor() throws Exception {
        Path file = dir.resolve("audit-anchors.jsonl");
        AuditAnchoring anchoring = anchoring(fileOnly(file));
        append(10, "recordings.play");
        AuditAnchor written = await(anchoring.anchorNow()).orElseThrow();
        assertEquals(10, written.seq());
        assertEquals(1, Files.readAllLines(file).size());
        assertTrue(await(anchoring.anchorNow()).isEmpty(), "an unmoved head is not anchored twice");
        assertTrue(await(anchoring.verify()).intact());

        // cut off rows 6..10 and move the head back: without the anchor, nothing shows
        sql("alter table audit_text drop constraint audit_text_seq_fkey");
        sql("alter table audit_log disable trigger audit_log_no_update_delete");
        sql("alter table audit_chain_head disable trigger audit_chain_head_forward");
        sql("alter table audit_text disable trigger audit_text_clear_only");
        sql("delete from audit_text where seq > 5");
        sql("delete from audit_log where seq > 5");
        sql("update audit_chain_head set seq = 5, hash = (select hash from audit_log where seq = 5)");
        sql("alter table audit_log enable trigger audit_log_no_update_delete");
        sql("alter table audit_chain_head enable trigger audit_chain_head_forward");
        assertTrue(verify(List.of()).intact(), "a cut-off chain is a valid shorter chain: only an anchor shows it");
        AuditChainVerifier.Report cut = await(anchoring.verify());
        assertFalse(cut.intact(), cut.toString());
        assertTrue(cut.problem().contains("rows were cut off"), cut.problem());

        // rebuilt: new, validly keyed rows take seq 6..12 (e.g. the application kept writing)
        append(7, "calls.read");
        assertTrue(verify(List.of()).intact());
        AuditChainVerifier.Report rebuilt = await(anchoring.verify());
        assertFalse(rebuilt.intact(), rebuilt.toString());
        assertEquals(10L, rebuilt.firstBrokenSeq());
        assertTrue(rebuilt.problem().contains("the chain was rewritten"), rebuilt.problem());

        // a damaged anchor file is reported, never skipped
        Files.writeString(file, "not an anchor\n", java.nio.file.StandardOpenOption.APPEND);
        AuditChainVerifier.Report damaged = await(anchoring.verify());
        assertFalse(damaged.intact());
        assertTrue(damaged.problem().contains("line 2"), damaged.problem());
    }

    @Test
    void aTimeStampFromTheTsa_isStoredAndVerified_andATamperedOneIsReported() throws Exception {
        try (TestTsa tsa = TestTsa.start(vertx, "consent-recorder test TSA")) {
            Path cert = tsa.writeCertificate(dir.resolve("tsa.pem"));
            AuditSettings settings = new AuditSettings(Optional.empty(), Duration.ofHours(1), Optional.empty(),
                    Optional.of(java.net.URI.create(tsa.url())), Optional.of(cert));
            AuditAnchoring anchoring = anchoring(settings);
            append(3, "recordings.play");
            AuditAnchor anchor = await(anchoring.anchorNow()).orElseThrow();
            assertEquals(1, tsa.answered());
            List<Row> stored = sql("select seq, hash, token from audit_timestamp");
            assertEquals(1, stored.size());
            assertEquals(3L, stored.get(0).getLong("seq"));
            assertTrue(java.util.Arrays.equals(anchor.hash(), stored.get(0).getBuffer("hash").getBytes()));

            AuditChainVerifier.Report ok = await(anchoring.verify());
            assertTrue(ok.intact(), ok.toString());
            assertEquals(1, ok.anchorsChecked());

            // the time-stamp also anchors: rows cut off after it are detected
            append(2, "calls.read");
            assertTrue(await(anchoring.verify()).intact());

            // a token from another TSA (the pinned certificate differs) is refused
            try (TestTsa impostor = TestTsa.start(vertx, "impostor")) {
                AuditAnchoring other = anchoring(new AuditSettings(Optional.empty(), Duration.ofHours(1),
                        Optional.empty(), Optional.of(java.net.URI.create(impostor.url())), Optional.of(cert)));
                assertTrue(other.anchorNow().toCompletionStage().toCompletableFuture()
                        .handle((v, e) -> e != null).get(60, TimeUnit.SECONDS), "the impostor's token is not stored");
                assertEquals(1, sql("select 1 from audit_timestamp").size());
            }

            // a token whose anchor was changed in the database does not verify
            sql("update audit_timestamp set hash = $1 where seq = 3", Buffer.buffer(new byte[32]));
            AuditChainVerifier.Report tampered = await(anchoring.verify());
            assertFalse(tampered.intact(), tampered.toString());
            assertTrue(tampered.problem().contains("time-stamp of seq 3 does not verify"), tampered.problem());
        }
    }

    @Test
    void theFreeText_canOnlyBeClearedForAnErasureRequest() throws Exception {
        append(1, "recordings.play");
        for (String statement : List.of("update audit_text set body = '{\"reason\": \"other\"}' where seq = 1",
                "delete from audit_text where seq = 1",
                "update audit_text set body = null, nonce = null, erased_at = now() where seq = 1",
                "update audit_text set body = null, nonce = null, erased_at = now(), erased_for = gen_random_uuid() where seq = 1")) {
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> sql(statement), statement);
            assertTrue(e.getMessage().contains("audit_text") || e.getMessage().contains("foreign key"), e.getMessage());
        }
        String request = sql("insert into privacy_request (id, kind, subject, received_at, due_at, status, created_by, "
                + "created_at) values (gen_random_uuid(), 'erasure', 'erased-x', now(), now(), 'open', 'test', now()) "
                + "returning id::text").get(0).getString(0);
        sql("update audit_text set body = null, nonce = null, erased_at = now(), erased_for = $1 where seq = 1",
                java.util.UUID.fromString(request));
        AuditChainVerifier.Report report = verify(List.of());
        assertTrue(report.intact(), report.toString());
        assertEquals(1, report.textsErased());
    }

    @Test
    void verificationUnderConcurrentWrites_reportsIntact() throws Exception {
        append(20, "recordings.play");
        List<Future<Long>> writes = new ArrayList<>();
        List<Future<AuditChainVerifier.Report>> verdicts = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            writes.add(log.append(new AuditEntry("account", "a1", "sue", "calls.search", null, null, null, "127.0.0.1",
                    "allowed", new JsonObject().put("note", "note " + i).encode())));
            if (i % 30 == 0) {
                verdicts.add(AuditChainVerifier.verify(pool, KEYS, List.of()));
            }
        }
        await(Future.all(writes));
        await(Future.all(verdicts));
        for (Future<AuditChainVerifier.Report> v : verdicts) {
            assertTrue(v.result().intact(), v.result().toString());
            assertEquals(v.result().headSeq(), v.result().rowsChecked(), "bounded at the head it read");
        }
        assertTrue(verdicts.stream().anyMatch(v -> v.result().headSeq() < 320),
                "at least one verification ran while rows were still being written");
        AuditChainVerifier.Report last = verify(List.of());
        assertTrue(last.intact(), last.toString());
        assertEquals(320, last.rowsChecked());
    }
}
