package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.Test;

/** Failed logins are limited per account and per source address. */
class LoginThrottleApiTest {

    private static ApiClient.Reply login(ApiClient c, String user, String password) {
        return c.post("/api/v1/auth/login", null, new JsonObject().put("username", user).put("password", password));
    }

    @Test
    void perAccount_thenPerAddress_overHttp() {
        try (AppHarness h = AppHarness.start(Map.of("CR_LOGIN_MAX_FAILURES", "3", "CR_LOGIN_MAX_FAILURES_PER_ADDRESS", "6",
                "CR_LOGIN_WINDOW", "1h"));
             ApiClient c = new ApiClient(h.app.httpPort())) {
            for (int i = 0; i < 3; i++) {
                assertEquals(401, login(c, AppHarness.ADMIN_USER, "wrong-password-" + i).status());
            }
            ApiClient.Reply locked = login(c, AppHarness.ADMIN_USER, AppHarness.ADMIN_PASSWORD);
            assertEquals(429, locked.status(), "even the right password is refused while the account is locked");
            assertEquals("too_many_attempts", locked.error());
            assertNotNull(locked.headers().get("retry-after"));
            assertTrue(Long.parseLong(locked.headers().get("retry-after")) > 3000);

            // other accounts from the same address: the address limit (6) is reached after 3 more failures
            for (int i = 0; i < 3; i++) {
                assertEquals(401, login(c, "someone-" + i, "wrong-password").status());
            }
            assertEquals(429, login(c, "someone-else", "wrong-password").status());
        }
    }

    @Test
    void theWindowSlides_andSuccessClearsTheAccount() {
        MutableClock clock = new MutableClock();
        LoginThrottle t = new LoginThrottle(clock, new AdminConfig.LoginLimits(2, 100, Duration.ofMinutes(10)));
        t.failed("a", "1.2.3.4");
        t.failed("a", "1.2.3.4");
        assertTrue(t.blocked("a", "1.2.3.4").isPresent());
        assertTrue(t.blocked("b", "1.2.3.4").isEmpty(), "another account from the same address is not locked yet");
        clock.now = clock.now.plus(Duration.ofMinutes(10));
        assertTrue(t.blocked("a", "1.2.3.4").isEmpty(), "failures leave the window");
        t.failed("a", "1.2.3.4");
        t.succeeded("a");
        t.failed("a", "1.2.3.4");
        assertTrue(t.blocked("a", "1.2.3.4").isEmpty());
    }

    private static final class MutableClock extends Clock {
        Instant now = Instant.parse("2025-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
