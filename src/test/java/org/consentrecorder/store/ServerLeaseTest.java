package org.consentrecorder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lease on an Asterisk server (ari_lease, V36) on a real PostgreSQL: one holder at a time, a take-over only
 * after expiry and with the next generation, renewals of the old holder refused afterwards, and its writes too.
 */
class ServerLeaseTest {
    private static final Duration TTL = Duration.ofMillis(800);

    private Vertx vertx;
    private Pool pool;

    @BeforeEach
    void database() throws Exception {
        DatabaseServer db = TestDatabase.fresh();
        Migrations.migrate(db);
        vertx = Vertx.vertx();
        pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(db.connectOptions()).using(vertx)
                .build();
        // a table of the test's own, made by the schema's owner and writable by the service role, as a migration would
        Pool owner = PgBuilder.pool().connectingTo(db.ownerConnectOptions()).using(vertx).build();
        await(owner.query("create table fenced_probe (written_by text not null)").execute());
        await(owner.query("grant select, insert on fenced_probe to " + db.connectOptions().getUser()).execute());
        await(owner.close());
    }

    @AfterEach
    void close() {
        vertx.close();
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Fence fence(String server, long generation) {
        return new Fence() {
            @Override
            public String server() {
                return server;
            }

            @Override
            public long generation() {
                return generation;
            }
        };
    }

    private Future<Void> probe(Fence fence, String writer) {
        return ServerLease.fenced(pool, fence, c -> c.preparedQuery("insert into fenced_probe values ($1)")
                .execute(Tuple.of(writer)).mapEmpty());
    }

    private long probes(String writer) throws Exception {
        return await(pool.preparedQuery("select count(*) from fenced_probe where written_by = $1").execute(Tuple.of(writer)))
                .iterator().next().getLong(0);
    }

    @Test
    void oneHolderAtATime_aTakeOverAfterExpiry_andTheOldHoldersRenewalsAndWritesRefused() throws Exception {
        ServerLease a = new ServerLease(pool, "pbx-1", "instance-a");
        ServerLease b = new ServerLease(pool, "pbx-1", "instance-b");

        assertEquals(Optional.of(1L), await(a.tryAcquire(TTL)));
        assertEquals(Optional.empty(), await(b.tryAcquire(TTL)), "held by A");
        assertTrue(await(a.renew(1, TTL)));
        assertEquals(Optional.empty(), await(b.tryAcquire(TTL)), "renewed by A");
        await(probe(fence("pbx-1", 1), "a"));
        assertEquals(1, probes("a"), "the holder's write lands");

        Thread.sleep(TTL.toMillis() + 200);   // A stops renewing (frozen, cut off, dead)
        assertEquals(Optional.of(2L), await(b.tryAcquire(TTL)), "B takes over with the next generation");
        assertEquals(new ServerLease.Holding("instance-b", 2, true), await(a.current()).orElseThrow());
        assertFalse(await(a.renew(1, TTL)), "A's renewal is refused: it must stand down");

        ExecutionException stale = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> await(probe(fence("pbx-1", 1), "a")));
        assertInstanceOf(StaleLeaseException.class, stale.getCause());
        assertEquals(1, probes("a"), "A's write with the old generation is refused and rolled back");
        assertEquals(StaleLeaseException.class, org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> await(probe(fence("pbx-1", 0), "a"))).getCause().getClass(), "no generation is no lease");
        await(probe(fence("pbx-1", 2), "b"));
        assertEquals(1, probes("b"), "B's write lands");

        // another server's lease is another row
        assertEquals(Optional.of(1L), await(new ServerLease(pool, "pbx-2", "instance-a").tryAcquire(TTL)));

        // an orderly stop hands over at once
        await(b.release(2));
        assertEquals(Optional.of(3L), await(a.tryAcquire(TTL)), "released: taken without waiting for the expiry");
        assertFalse(await(b.renew(2, TTL)));
    }

    @Test
    void instancesRacingForAFreeLease_oneWins() throws Exception {
        java.util.List<Future<Optional<Long>>> tries = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tries.add(new ServerLease(pool, "pbx-1", "instance-" + i).tryAcquire(TTL));
        }
        await(Future.join(tries));
        long winners = tries.stream().filter(f -> f.result().isPresent()).count();
        assertEquals(1, winners);
    }
}
