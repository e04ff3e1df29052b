package org.consentrecorder.admin;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Failed-login limits per account and per source address over a sliding window. A key that has
 * reached its limit is refused before any password is hashed (so a flood costs no Argon2 work)
 * until its oldest failure leaves the window. Kept in memory: one application instance serves
 * the API, and a restart forgetting the counters only gives an attacker one more window.
 * Bounded: at most {@link #MAX_KEYS} keys per kind, the least recently failed evicted first.
 */
public final class LoginThrottle {
    static final int MAX_KEYS = 50_000;

    private final Clock clock;
    private final AdminConfig.LoginLimits limits;
    private final Map<String, Deque<Long>> byAccount = lru();
    private final Map<String, Deque<Long>> byAddress = lru();

    public LoginThrottle(Clock clock, AdminConfig.LoginLimits limits) {
        this.clock = clock;
        this.limits = limits;
    }

    private static Map<String, Deque<Long>> lru() {
        return new LinkedHashMap<>(256, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Deque<Long>> eldest) {
                return size() > MAX_KEYS;
            }
        };
    }

    /** How long to wait when the account or the address is locked; empty when a try is allowed. */
    public synchronized Optional<Duration> blocked(String account, String address) {
        long now = clock.millis();
        long wait = Math.max(waitFor(byAccount, account, limits.maxFailuresPerAccount(), now),
                waitFor(byAddress, address, limits.maxFailuresPerAddress(), now));
        return wait > 0 ? Optional.of(Duration.ofMillis(wait)) : Optional.empty();
    }

    public synchronized void failed(String account, String address) {
        long now = clock.millis();
        add(byAccount, account, limits.maxFailuresPerAccount(), now);
        add(byAddress, address, limits.maxFailuresPerAddress(), now);
    }

    /** A successful login clears the account's failures (not the address's: one good account must not unlock a scanner). */
    public synchronized void succeeded(String account) {
        byAccount.remove(account);
    }

    /** Drops keys whose failures have all left the window. */
    public synchronized void sweep() {
        long now = clock.millis();
        for (Map<String, Deque<Long>> m : java.util.List.of(byAccount, byAddress)) {
            Iterator<Deque<Long>> it = m.values().iterator();
            while (it.hasNext()) {
                Deque<Long> d = it.next();
                prune(d, now);
                if (d.isEmpty()) {
                    it.remove();
                }
            }
        }
    }

    private long waitFor(Map<String, Deque<Long>> m, String key, int max, long now) {
        Deque<Long> d = m.get(key);
        if (d == null) {
            return 0;
        }
        prune(d, now);
        if (d.size() < max) {
            return 0;
        }
        return d.peekFirst() + limits.window().toMillis() - now;
    }

    private void add(Map<String, Deque<Long>> m, String key, int max, long now) {
        Deque<Long> d = m.computeIfAbsent(key, k -> new ArrayDeque<>());
        prune(d, now);
        d.addLast(now);
        while (d.size() > max) {
            d.removeFirst();
        }
    }

    private void prune(Deque<Long> d, long now) {
        long cutoff = now - limits.window().toMillis();
        while (!d.isEmpty() && d.peekFirst() <= cutoff) {
            d.removeFirst();
        }
    }
}
