package org.consentrecorder.admin;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.consentrecorder.store.Transactions;

/**
 * Login throttling after NIST SP 800-63B 5.2.2 and the OWASP authentication cheat sheet: growing
 * delays, not an account-wide lock that anyone could trigger.
 *
 * <ul>
 *   <li>An attempt is counted ({@code pending}) before its password hash starts, in the same row
 *       lock as the check, so a parallel burst gets no more hashes than the limit allows.</li>
 *   <li>Keys: the pair (account, source address) and the address alone. After the free failures
 *       each further attempt waits {@code baseDelay × 2^(n - free)}, at most {@code maxDelay}.
 *       Failures from one address never delay the same account from another address.</li>
 *   <li>The account alone counts failures over 24 h from everywhere; at {@code lockAfter} it is
 *       locked until an admin unlocks it (the caller does the lock and its audit row).</li>
 * </ul>
 * Counters live in PostgreSQL: a restart or a second instance does not reset them.
 */
public final class LoginThrottle {
    /** A pending attempt older than this died with its process: it no longer counts. */
    static final Duration PENDING_EXPIRY = Duration.ofMinutes(2);
    static final Duration ACCOUNT_WINDOW = Duration.ofHours(24);

    private final Clock clock;
    private final AdminConfig.LoginLimits limits;
    private final Transactions transactions;
    private final LoginThrottleRepository repository;

    public LoginThrottle(Clock clock, AdminConfig.LoginLimits limits, Transactions transactions,
                         LoginThrottleRepository repository) {
        this.clock = clock;
        this.limits = limits;
        this.transactions = transactions;
        this.repository = repository;
    }

    /** One key's state. */
    public record Counter(int failures, int pending, Instant pendingSince, Instant lastFailure) {
        static final Counter ZERO = new Counter(0, 0, null, null);

        /** Drops what has expired: a dead process's pending attempts, failures older than the window. */
        Counter current(Instant now, Duration window) {
            int p = pending > 0 && pendingSince != null && pendingSince.isBefore(now.minus(PENDING_EXPIRY)) ? 0 : pending;
            int f = lastFailure != null && p == 0 && !lastFailure.isAfter(now.minus(window)) ? 0 : failures;
            return new Counter(f, p, p == 0 ? null : pendingSince, f == 0 ? null : lastFailure);
        }

        Counter reserve(Instant now) {
            return new Counter(failures, pending + 1, now, lastFailure);
        }

        Counter release(boolean failed, Instant now) {
            return new Counter(failed ? failures + 1 : failures, Math.max(0, pending - 1),
                    pending > 1 ? pendingSince : null, failed ? now : lastFailure);
        }
    }

    /** A reserved attempt: its keys, to be finished exactly once. */
    public record Ticket(String account, String address) {
    }

    /** The answer to "may this attempt hash a password": a ticket, or how long to wait. */
    public record Decision(Optional<Ticket> ticket, Duration retryAfter) {
        public boolean allowed() {
            return ticket.isPresent();
        }
    }

    static String pairKey(String account, String address) {
        return "pair:" + account + "|" + address;
    }

    static String addressKey(String address) {
        return "addr:" + address;
    }

    static String accountKey(String account) {
        return "acct:" + account;
    }

    /**
     * How long an attempt must wait given a key's counter (zero: it may go now). Pending attempts
     * count as failures: an attacker does not get to run the free tries twice in parallel.
     */
    static Duration waitFor(Counter c, int free, AdminConfig.LoginLimits l, Instant now) {
        int n = c.failures() + c.pending();
        if (n < free) {
            return Duration.ZERO;
        }
        int excess = Math.min(n - free, 30);
        long delayMs = Math.min(l.maxDelay().toMillis(), l.baseDelay().toMillis() << excess);
        Instant since = c.lastFailure() == null ? now : c.lastFailure();
        if (c.pending() > 0 && (c.pendingSince() != null && c.pendingSince().isAfter(since))) {
            since = c.pendingSince();
        }
        Duration left = Duration.between(now, since.plusMillis(delayMs));
        if (c.pending() > 0 && left.compareTo(l.baseDelay()) < 0) {
            // an attempt over the limit is still being checked: the next waits for its answer
            return l.baseDelay();
        }
        return left.isNegative() ? Duration.ZERO : left;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** Counts the attempt before any hashing, or says how long to wait. */
    public Future<Decision> reserve(String account, String address) {
        String addr = address == null ? "unknown" : address;
        Instant now = now();
        List<String> keys = List.of(pairKey(account, addr), addressKey(addr));
        return transactions.run(tx -> repository.lock(tx, keys, now).compose(found -> {
            Counter pair = found.getOrDefault(keys.get(0), Counter.ZERO).current(now, limits.window());
            Counter byAddress = found.getOrDefault(keys.get(1), Counter.ZERO).current(now, limits.window());
            Duration wait = max(waitFor(pair, limits.maxFailuresPerAccount(), limits, now),
                    waitFor(byAddress, limits.maxFailuresPerAddress(), limits, now));
            Map<String, Counter> next = new LinkedHashMap<>();
            if (wait.isZero()) {
                next.put(keys.get(0), pair.reserve(now));
                next.put(keys.get(1), byAddress.reserve(now));
            } else {
                next.put(keys.get(0), pair);
                next.put(keys.get(1), byAddress);
            }
            return repository.save(tx, next, now).map(v -> wait.isZero()
                    ? new Decision(Optional.of(new Ticket(account, addr)), Duration.ZERO)
                    : new Decision(Optional.empty(), wait));
        }));
    }

    /**
     * Ends a reserved attempt. {@code failed}: the password (or code) was wrong. Completes with
     * true when this failure brought the account to {@code lockAfter} failures in 24 h.
     */
    public Future<Boolean> finish(Ticket t, boolean failed) {
        return update(t, true, failed);
    }

    /** A failure that had no reservation (a wrong second-factor code). */
    public Future<Boolean> failed(String account, String address) {
        return update(new Ticket(account, address == null ? "unknown" : address), false, true);
    }

    /** A complete sign-in: the pair's and the account's failures are cleared, the address's are not. */
    public Future<Void> succeeded(String account, String address) {
        Instant now = now();
        String addr = address == null ? "unknown" : address;
        List<String> keys = List.of(pairKey(account, addr), accountKey(account));
        return transactions.run(tx -> repository.lock(tx, keys, now).compose(found -> {
            Map<String, Counter> next = new LinkedHashMap<>();
            found.forEach((k, c) -> next.put(k, new Counter(0, c.current(now, limits.window()).pending(),
                    c.pendingSince(), null)));
            return repository.save(tx, next, now);
        }));
    }

    private Future<Boolean> update(Ticket t, boolean reserved, boolean failed) {
        Instant now = now();
        List<String> keys = List.of(pairKey(t.account(), t.address()), addressKey(t.address()), accountKey(t.account()));
        return transactions.run(tx -> repository.lock(tx, keys, now).compose(found -> {
            Map<String, Counter> next = new LinkedHashMap<>();
            boolean reachedLock = false;
            for (String k : keys) {
                Duration window = k.startsWith("acct:") ? ACCOUNT_WINDOW : limits.window();
                Counter c = found.getOrDefault(k, Counter.ZERO).current(now, window);
                Counter n;
                if (k.startsWith("acct:")) {
                    n = failed ? new Counter(c.failures() + 1, c.pending(), c.pendingSince(), now) : c;
                    reachedLock = failed && n.failures() == limits.lockAfter();
                } else if (reserved) {
                    n = c.release(failed, now);
                } else {
                    n = failed ? new Counter(c.failures() + 1, c.pending(), c.pendingSince(), now) : c;
                }
                next.put(k, n);
            }
            boolean lock = reachedLock;
            return repository.save(tx, next, now).map(v -> lock);
        }));
    }

    /** Drops counters that no longer matter. */
    public Future<Integer> sweep() {
        return repository.sweep(now().minus(ACCOUNT_WINDOW));
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
