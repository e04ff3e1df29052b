package org.consentrecorder.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CompilerQuietTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void waitsUntilTheCompilationTimeStopsMoving_forTheGivenNumberOfReadings() throws Exception {
        // moves on each of the first 6 readings, then stands still
        AtomicInteger readings = new AtomicInteger();
        AtomicLong total = new AtomicLong(100);
        Duration waited = CompilerQuiet.await(vertx, () -> readings.incrementAndGet() <= 7 ? total.addAndGet(5) : total.get(),
                Duration.ofMillis(10), 3, Duration.ofSeconds(10)).await(10, TimeUnit.SECONDS);
        // the first reading is the baseline; 6 that moved, then 3 quiet ones
        assertEquals(10, readings.get(), "baseline, six that moved, three quiet");
        assertTrue(waited.toMillis() >= 80, "nine periods of 10 ms: " + waited);
    }

    @Test
    void givesUpAtTheLimit_whenTheCompilersNeverGoQuiet() throws Exception {
        AtomicLong total = new AtomicLong();
        Duration waited = CompilerQuiet.await(vertx, total::incrementAndGet, Duration.ofMillis(10), 3,
                Duration.ofMillis(200)).await(10, TimeUnit.SECONDS);
        assertTrue(waited.toMillis() >= 200 && waited.toMillis() < 5000, waited.toString());
    }

    @Test
    void aJvmWithoutCompilationTimeIsNotWaitedFor_andThisOneHasIt() throws Exception {
        assertEquals(Duration.ZERO, CompilerQuiet.await(vertx, null, Duration.ofMillis(10), 3, Duration.ofSeconds(10))
                .await(1, TimeUnit.SECONDS));
        assertNotNull(CompilerQuiet.jvmCompilationMillis(), "HotSpot reports compilation time");
    }
}
