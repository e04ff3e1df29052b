package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.Test;

/**
 * Throttling: counted before hashing, per (account, address) and per address with growing delays,
 * never an account-wide lock from one address; a full lock only after many failures, lifted by an admin.
 * Addresses are simulated with X-Forwarded-For from the loopback address, which the tests trust.
 */
class LoginThrottleApiTest {
    private static final String A = "203.0.113.5";
    private static final String B = "198.51.100.7";

    private static ApiClient.Reply login(ApiClient c, String from, String user, String password) {
        return c.send(HttpMethod.POST, "/api/v1/auth/login", null,
                new JsonObject().put("username", user).put("password", password).toBuffer(),
                from == null ? Map.of() : Map.of("x-forwarded-for", from));
    }

    private static Map<String, String> settings(String... more) {
        Map<String, String> m = new java.util.HashMap<>(Map.of("CR_TRUSTED_PROXIES", "127.0.0.1/32, ::1",
                "CR_LOGIN_MAX_FAILURES", "3", "CR_LOGIN_MAX_FAILURES_PER_ADDRESS", "50", "CR_LOGIN_DELAY", "60s",
                "CR_LOGIN_WINDOW", "1h"));
        for (int i = 0; i < more.length; i += 2) {
            m.put(more[i], more[i + 1]);
        }
        return m;
    }

    @Test
    void failuresFromOneAddress_delayThatAddress_neverTheOwnerElsewhere() {
        try (AppHarness h = AppHarness.start(settings());
             ApiClient c = new ApiClient(h.app.httpPort())) {
            for (int i = 0; i < 3; i++) {
                assertEquals(401, login(c, A, AppHarness.ADMIN_USER, "wrong-password-" + i).status());
            }
            ApiClient.Reply delayed = login(c, A, AppHarness.ADMIN_USER, AppHarness.ADMIN_PASSWORD);
            assertEquals(429, delayed.status(), "from A even the right password waits: " + delayed);
            assertEquals("too_many_attempts", delayed.error());
            long retry = Long.parseLong(delayed.headers().get("retry-after"));
            assertTrue(retry >= 30 && retry <= 60, "the first delay is CR_LOGIN_DELAY: " + retry);

            ApiClient.Reply owner = login(c, B, AppHarness.ADMIN_USER, AppHarness.ADMIN_PASSWORD);
            assertEquals(200, owner.status(), "the owner at another address is not stopped: " + owner);

            // the counters are in PostgreSQL: a restart or another instance sees them
            assertEquals(3, h.rows("select failures from login_throttle where key = $1",
                    "pair:" + AppHarness.ADMIN_USER + "|" + A).get(0).get("failures"));
        }
    }

    @Test
    void xForwardedFor_isBelievedOnlyFromTrustedProxies() {
        try (AppHarness h = AppHarness.start(settings("CR_TRUSTED_PROXIES", "192.0.2.1"));
             ApiClient c = new ApiClient(h.app.httpPort())) {
            for (int i = 0; i < 3; i++) {
                assertEquals(401, login(c, A, AppHarness.ADMIN_USER, "wrong-" + i).status());
            }
            // a client that is not a trusted proxy cannot pick a fresh address by writing a header
            assertEquals(429, login(c, B, AppHarness.ADMIN_USER, "wrong-again").status());
            assertEquals(1, h.rows("select * from login_throttle where key like $1", "pair:%|127.0.0.1").size());
        }
    }

    @Test
    void aParallelBurst_getsNoMoreHashesThanAllowed() throws Exception {
        try (AppHarness h = AppHarness.start(settings());
             ApiClient c = new ApiClient(h.app.httpPort())) {
            long before = h.app.adminApi().passwordHasher().verifications();
            ExecutorService pool = Executors.newFixedThreadPool(60);
            try {
                List<CompletableFuture<Integer>> replies = new ArrayList<>();
                for (int i = 0; i < 60; i++) {
                    int n = i;
                    replies.add(CompletableFuture.supplyAsync(() -> login(c, A, AppHarness.ADMIN_USER, "guess-" + n).status(), pool));
                }
                int unauthorized = 0;
                int throttled = 0;
                for (CompletableFuture<Integer> r : replies) {
                    int s = r.get();
                    if (s == 401) {
                        unauthorized++;
                    } else if (s == 429) {
                        throttled++;
                    } else {
                        throw new AssertionError("unexpected status " + s);
                    }
                }
                long hashes = h.app.adminApi().passwordHasher().verifications() - before;
                assertTrue(hashes <= 3, "at most CR_LOGIN_MAX_FAILURES hashes for 60 parallel guesses, got " + hashes);
                assertEquals(hashes, unauthorized);
                assertEquals(60 - hashes, throttled);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void manyFailuresFromEverywhere_lockTheAccount_untilAnAdminUnlocksIt() {
        try (AppHarness h = AppHarness.start(settings("CR_LOGIN_LOCK_AFTER", "10"));
             ApiClient c = new ApiClient(h.app.httpPort())) {
            String admin = ApiTestSupport.adminToken(c);
            ApiTestSupport.tokenFor(h, c, admin, "victim", "supervisor");
            for (int i = 0; i < 10; i++) {
                assertEquals(401, login(c, "192.0.2." + (10 + i), "victim", "wrong-" + i).status());
            }
            ApiClient.Reply locked = login(c, B, "victim", ApiTestSupport.PASSWORD);
            assertEquals(403, locked.status(), locked.toString());
            assertEquals("account_locked", locked.error());
            assertEquals(401, login(c, B, "victim", "still-wrong").status(), "a wrong password does not learn of the lock");
            String id = (String) h.rows("select id::text from operator_account where username = 'victim'").get(0).get("id");
            assertEquals(1, ApiTestSupport.auditRows(h, "auth.lock", id).size());

            assertEquals(400, c.post("/api/v1/accounts/" + id + "/unlock", admin, new JsonObject()).status(),
                    "an unlock needs a reason");
            ApiClient.Reply unlocked = c.post("/api/v1/accounts/" + id + "/unlock", admin,
                    new JsonObject().put("reason", "ticket 4711: owner confirmed by phone"));
            assertEquals(200, unlocked.status(), unlocked.toString());
            assertEquals(false, unlocked.json().getBoolean("locked"));
            List<Map<String, Object>> rows = ApiTestSupport.auditRows(h, "accounts.unlock", id);
            assertEquals("ticket 4711: owner confirmed by phone", rows.get(rows.size() - 1).get("reason"));
            assertEquals(200, login(c, B, "victim", ApiTestSupport.PASSWORD).status());
        }
    }

    @Test
    void delaysGrow_pendingAttemptsCount_andExpire() {
        AdminConfig.LoginLimits l = new AdminConfig.LoginLimits(3, 20, Duration.ofMinutes(15), Duration.ofSeconds(1),
                Duration.ofSeconds(10), 100, 16);
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertEquals(Duration.ZERO, LoginThrottle.waitFor(new LoginThrottle.Counter(2, 0, null, now), 3, l, now));
        assertEquals(Duration.ofSeconds(1), LoginThrottle.waitFor(new LoginThrottle.Counter(3, 0, null, now), 3, l, now));
        assertEquals(Duration.ofSeconds(4), LoginThrottle.waitFor(new LoginThrottle.Counter(5, 0, null, now), 3, l, now));
        assertEquals(Duration.ofSeconds(10), LoginThrottle.waitFor(new LoginThrottle.Counter(40, 0, null, now), 3, l, now),
                "capped at the maximum delay");
        assertEquals(Duration.ZERO, LoginThrottle.waitFor(new LoginThrottle.Counter(3, 0, null, now),
                3, l, now.plusSeconds(1)), "the delay passes");
        assertTrue(LoginThrottle.waitFor(new LoginThrottle.Counter(0, 3, now, null), 3, l, now).compareTo(Duration.ZERO) > 0,
                "three attempts in flight use up the free tries");
        LoginThrottle.Counter stale = new LoginThrottle.Counter(0, 3, now, null).current(now.plus(Duration.ofMinutes(3)), l.window());
        assertEquals(0, stale.pending(), "a pending attempt of a dead process stops counting");
        LoginThrottle.Counter old = new LoginThrottle.Counter(9, 0, null, now).current(now.plus(Duration.ofHours(1)), l.window());
        assertEquals(0, old.failures(), "failures older than the window are forgotten");
    }
}
