package org.consentrecorder.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The demo's scripted callers against the real application (through the tests' ARI double, which
 * is the same simulated Asterisk): every kind of caller ends in the outcome and the timeline it
 * acts out.
 */
class CallMixTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private AppHarness h;
    private CallMix mix;

    @AfterEach
    void tearDown() {
        if (mix != null) {
            mix.close();
        }
        if (h != null) {
            h.close();
        }
    }

    @Test
    void everyKindOfCallerEndsAsScripted() {
        h = AppHarness.start(Map.of());
        mix = CallMix.start(h.asterisk, new CallMix.Settings(application(), Duration.ofMillis(400),
                Duration.ofMillis(500), '1', '2', "*7", "*8", "*9", "PaymentStart", "PaymentEnd", 4711));

        Set<String> wanted = Set.of("granted", "declined", "no_response", "abandoned", "do_not_record", "withdrawn");
        await("every outcome in the evidence", () -> outcomes().containsAll(wanted));
        await("pauses by user event and by DTMF", () -> pauseTriggers().containsAll(Set.of("user_event", "dtmf_sequence")));
        await("an archived recording with a pause", () -> !h.rows("select 1 from recording r join recording_timeline t "
                + "on t.call_id = r.call_id and t.change = 'paused' where r.state = 'archived'").isEmpty());
        mix.close();

        // the caller who withdrew is the one not asked again
        List<Map<String, Object>> again = h.rows("select d.caller_subject from consent_decision d where d.outcome = 'do_not_record' "
                + "and exists (select 1 from consent_decision w where w.outcome = 'withdrawn' and w.caller_subject = d.caller_subject)");
        assertFalse(again.isEmpty(), "a do-not-record call comes from a caller who withdrew");
        // obviously fake numbers only: Ofcom's drama range
        List<Map<String, Object>> numbers = h.rows("select distinct caller_number from consent_decision");
        assertFalse(numbers.isEmpty());
        for (Map<String, Object> n : numbers) {
            assertTrue(String.valueOf(n.get("caller_number")).matches("\\+442079460\\d{3}"), n.toString());
        }
        // the first round placed one caller of each kind
        Map<CallMix.Caller, Integer> placed = mix.placed();
        for (CallMix.Caller c : CallMix.Caller.values()) {
            assertTrue(placed.getOrDefault(c, 0) >= 1, c + " placed: " + placed);
        }
        // a declined call was never recorded
        assertEquals(List.of(), h.rows("select c.id from call c join recording r on r.call_id = c.id where c.outcome = 'declined'"));
    }

    private static String application() {
        return org.consentrecorder.testing.ari.FakeAsterisk.USER;
    }

    private Set<String> outcomes() {
        return h.rows("select distinct outcome from consent_decision").stream()
                .map(r -> String.valueOf(r.get("outcome"))).collect(Collectors.toSet());
    }

    private Set<String> pauseTriggers() {
        return h.rows("select distinct trigger_kind from recording_timeline where change = 'paused'").stream()
                .map(r -> String.valueOf(r.get("trigger_kind"))).collect(Collectors.toSet());
    }

    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; outcomes " + outcomes()
                        + ", pause triggers " + pauseTriggers());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }
}
