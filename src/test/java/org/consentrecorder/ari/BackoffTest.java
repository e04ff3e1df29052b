package org.consentrecorder.ari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void growsExponentiallyUpToTheCapWithJitterInTheUpperHalf() {
        Backoff low = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.0);
        Backoff high = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.999999);
        long[] expectedCeilings = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
        for (long ceiling : expectedCeilings) {
            assertEquals(ceiling / 2, low.next().toMillis());
            long h = high.next().toMillis();
            assertTrue(h <= ceiling && h >= ceiling - 1, h + " vs " + ceiling);
        }
        for (int i = 0; i < 100; i++) {
            assertTrue(high.next().toMillis() <= 30000, "capped even after many attempts");
        }
        low.reset();
        assertEquals(250, low.next().toMillis());
    }

    @Test
    void aDelayForAGivenRetryNeedsNoCounterAndMatchesTheSequence() {
        Backoff counted = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.5);
        Backoff uncounted = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.5);
        for (int retry = 0; retry < 8; retry++) {
            assertEquals(counted.next(), uncounted.delay(retry), "retry " + retry);
        }
        assertEquals(0, uncounted.attempts(), "delay() leaves the counter alone");
        assertEquals(Duration.ofMillis(750), uncounted.delay(1000), "capped, no overflow");
        assertEquals(Duration.ofMillis(75), uncounted.delay(-3), "a negative count is the first retry");
    }
}
