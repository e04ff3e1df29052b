package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The audit trail: append-only in the database, hash-chained, verifiable over HTTP; tampering is found. */
class AuditChainApiTest {
    private AppHarness h;
    private ApiClient client;
    private String auditor;

    @BeforeEach
    void start() {
        h = AppHarness.start(Map.of());
        client = new ApiClient(h.app.httpPort());
        auditor = ApiTestSupport.tokenFor(h, client, ApiTestSupport.adminToken(client), "aud", "auditor");
    }

    @AfterEach
    void stop() {
        client.close();
        h.close();
    }

    private JsonObject verify() {
        ApiClient.Reply r = client.get("/api/v1/audit/verify", auditor);
        assertEquals(200, r.status(), r.toString());
        return r.json();
    }

    /** As someone with database superuser rights would: around the trigger. */
    private void tamper(String sql) {
        h.rows("alter table audit_log disable trigger audit_log_no_update_delete");
        try {
            h.rows(sql);
        } finally {
            h.rows("alter table audit_log enable trigger audit_log_no_update_delete");
        }
    }

    @Test
    void theDatabaseRejectsUpdateDeleteAndTruncate() {
        assertFalse(h.rows("select * from audit_log").isEmpty());
        for (String sql : List.of("update audit_log set outcome = 'x' where seq = 1", "delete from audit_log where seq = 1",
                "truncate audit_log", "delete from audit_chain_head", "update audit_chain_head set seq = 0")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> h.rows(sql), sql);
            // truncate is refused before the trigger runs when audit_text references the rows
            assertTrue(e.getMessage().contains("append-only") || e.getMessage().contains("only moves forward")
                    || e.getMessage().contains("cannot truncate a table referenced in a foreign key"), e.getMessage());
        }
    }

    @Test
    void concurrentWriters_cannotForkTheChain() throws Exception {
        HttpClientAgent http = client.vertx().createHttpClient();
        List<Future<Integer>> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            all.add(http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
                            .setPort(h.app.httpPort()).setURI("/api/v1/audit?limit=1")
                            .putHeader("authorization", "Bearer " + auditor))
                    .compose(req -> req.send().compose(res -> res.body().map(b -> res.statusCode()))));
        }
        Future.all(all).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        all.forEach(f -> assertEquals(200, f.result()));
        JsonObject report = verify();
        assertTrue(report.getBoolean("intact"), report.encode());
        long rows = (long) h.rows("select count(*) as n from audit_log").get(0).get("n");
        long maxSeq = (long) h.rows("select max(seq) as m from audit_log").get(0).get("m");
        assertEquals(rows, maxSeq, "seq has no gaps");
        assertEquals(rows, report.getLong("rows_checked"));
    }

    @Test
    void anEditedRow_isReportedAsTheFirstBrokenLink() {
        client.get("/api/v1/audit", auditor);
        client.get("/api/v1/audit", auditor);
        assertTrue(verify().getBoolean("intact"));
        tamper("update audit_log set outcome = 'nothing to see' where seq = 2");
        JsonObject report = verify();
        assertFalse(report.getBoolean("intact"));
        assertEquals(2, report.getLong("first_broken_seq"));
        assertTrue(report.getString("problem").contains("does not match its keyed hash"), report.encode());
    }

    @Test
    void aDeletedRow_andACutOffEnd_areReported() {
        client.get("/api/v1/audit", auditor);
        client.get("/api/v1/audit", auditor);
        tamper("delete from audit_log where seq = 2");
        JsonObject report = verify();
        assertFalse(report.getBoolean("intact"));
        assertEquals(2, report.getLong("first_broken_seq"));
        assertTrue(report.getString("problem").contains("missing"), report.encode());
    }

    @Test
    void theLastRowsRemoved_areNoticedThroughTheChainHead() throws Exception {
        client.get("/api/v1/audit", auditor);
        long last = (long) h.rows("select max(seq) as m from audit_log").get(0).get("m");
        tamper("delete from audit_log where seq = " + last);
        // before anything else is appended (as the CLI verifies): the head points past the end of the log
        AuditChainVerifier.Report report = AuditChainVerifier.verify(h.app.pool(), AppHarness.auditKeys(), List.of())
                .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertFalse(report.intact());
        assertEquals(last, report.firstBrokenSeq());
        assertTrue(report.problem().contains("the log ends at seq " + (last - 1)), report.toString());
        // after further appends the removed row is a gap in the chain
        JsonObject viaApi = verify();
        assertFalse(viaApi.getBoolean("intact"));
        assertEquals(last, viaApi.getLong("first_broken_seq"));
    }

    @Test
    void queryTheTrail_filtersAndPages() {
        ApiClient.Reply r = client.get("/api/v1/audit?actor=aud&action=audit.search&limit=1", auditor);
        client.get("/api/v1/audit?limit=1", auditor);
        r = client.get("/api/v1/audit?actor=aud&action=audit.search&limit=1", auditor);
        assertEquals(200, r.status(), r.toString());
        JsonArray items = r.json().getJsonArray("items");
        assertEquals(1, items.size());
        JsonObject row = items.getJsonObject(0);
        assertEquals("aud", row.getString("actor_name"));
        assertEquals("audit.search", row.getString("action"));
        assertEquals("allowed", row.getString("outcome"));
        assertEquals(64, row.getString("hash").length());
        assertNotNull(row.getString("at"));
        String cursor = r.json().getString("next_cursor");
        assertNotNull(cursor);
        JsonObject older = client.get("/api/v1/audit?actor=aud&action=audit.search&limit=1&cursor=" + cursor, auditor)
                .json().getJsonArray("items").getJsonObject(0);
        assertTrue(older.getLong("seq") < row.getLong("seq"));
        JsonObject bootstrap = client.get("/api/v1/audit?action=accounts.bootstrap", auditor).json().getJsonArray("items")
                .getJsonObject(0);
        assertEquals("system", bootstrap.getString("actor_kind"));
        assertNull(bootstrap.getString("reason"));
    }
}
