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
}
