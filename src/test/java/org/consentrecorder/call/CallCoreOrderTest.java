package org.consentrecorder.call;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The pure core against seeded random orders of everything that may happen at once on a real
 * Asterisk (see {@link CallWorld}): events overtaking the answers to the requests that caused
 * them, hangups racing the recording's end, failed and unanswered requests, payment triggers,
 * outages and operators at any moment. After every step: nothing is recorded without stored
 * evidence that allows it, nor before the snoop channel is in Stasis; no audio reaches the
 * recording during a payment or after a withdrawal without a request on its way that ends it;
 * a pause in flight has its deadline; no more digits are kept than the longest trigger sequence;
 * nothing is asked after the call finished. At the end: every snoop is hung up or recording for a
 * call that expects it, and a call whose caller hung up finishes. A failure names its seed.
 */
class CallCoreOrderTest {
    private static final int SEEDS = Integer.getInteger("call.order.seeds", 3000);
    private static final int STEPS = 250;

    @Test
    void theInvariantsHoldInEverySeededOrder() {
        Long only = Long.getLong("call.order.seed");
        Set<FixtureOrders> simulated = EnumSet.noneOf(FixtureOrders.class);
        if (only != null) {
            new CallWorld(only, simulated).run(STEPS);
            return;
        }
        for (long seed = 1; seed <= SEEDS; seed++) {
            new CallWorld(seed, simulated).run(STEPS);
        }
        // the runs met every order Asterisk was seen to produce in the captures, and then some
        Set<FixtureOrders> captured = FixtureOrders.observed();
        Set<FixtureOrders> missing = EnumSet.copyOf(captured);
        missing.removeAll(simulated);
        assertTrue(missing.isEmpty(), "orders seen on a real Asterisk that no run produced: " + missing);
        assertTrue(simulated.containsAll(EnumSet.allOf(FixtureOrders.class)),
                "orders no run produced: " + EnumSet.complementOf(EnumSet.copyOf(simulated)));
    }

    @Test
    void theCapturesShowTheRacesTheModelReproduces() {
        // a guard on the reading of the captures: these are in the files (see ari-fixtures/README.md)
        Set<FixtureOrders> captured = FixtureOrders.observed();
        assertTrue(captured.containsAll(Set.of(FixtureOrders.SNOOP_STASIS_START_BEFORE_SNOOP_ANSWER,
                FixtureOrders.SNOOP_STASIS_START_AFTER_SNOOP_ANSWER, FixtureOrders.PLAYBACK_STARTED_BEFORE_PLAY_ANSWER,
                FixtureOrders.PLAYBACK_STARTED_AFTER_PLAY_ANSWER, FixtureOrders.RECORDING_FINISHED_AFTER_HANGUP_REQUEST,
                FixtureOrders.STASIS_END_AFTER_CONTINUE_ANSWER)), captured.toString());
    }
}
