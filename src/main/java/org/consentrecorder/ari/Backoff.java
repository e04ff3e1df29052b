package org.consentrecorder.ari;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Capped exponential backoff with jitter: the n-th retry waits between half and all of
 * min(max, initial * 2^n). Jitter keeps many instances from reconnecting in lockstep.
 */
public final class Backoff {
    private final Duration initial;
    private final Duration max;
    private final DoubleSupplier random;
    private int attempt;

    public Backoff(Duration initial, Duration max, DoubleSupplier random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max");
        }
        this.initial = initial;
        this.max = max;
        this.random = random;
    }

    public Duration next() {
        Duration d = delay(attempt);
        attempt++;
        return d;
    }

    /**
     * The wait before retry number {@code retry} (0 for the first), for a caller that keeps the
     * count itself, e.g. in the database where it survives a restart (the archive's retries).
     */
    public Duration delay(int retry) {
        long ceiling = initial.toMillis() << Math.min(Math.max(retry, 0), 30);
        if (ceiling <= 0 || ceiling > max.toMillis()) {
            ceiling = max.toMillis();
        }
        long half = ceiling / 2;
        return Duration.ofMillis(half + (long) (random.getAsDouble() * (ceiling - half)));
    }

    public int attempts() {
        return attempt;
    }

    public void reset() {
        attempt = 0;
    }
}
