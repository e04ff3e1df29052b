package org.consentrecorder.call;

import org.consentrecorder.ari.ContinueTarget;
import java.util.EnumMap;
import java.util.Map;

/** One dialplan target per outcome, falling back to a default for all outcomes. */
public final class ContinueTargets {
    private final ContinueTarget fallback;
    private final Map<Outcome, ContinueTarget> byOutcome;

    public ContinueTargets(ContinueTarget fallback, Map<Outcome, ContinueTarget> byOutcome) {
        this.fallback = fallback;
        this.byOutcome = byOutcome.isEmpty() ? new EnumMap<>(Outcome.class) : new EnumMap<>(byOutcome);
    }

    public static ContinueTargets nextPriority() {
        return new ContinueTargets(ContinueTarget.NEXT_PRIORITY, Map.of());
    }

    public ContinueTarget forOutcome(Outcome outcome) {
        return byOutcome.getOrDefault(outcome, fallback);
    }

    public ContinueTarget fallback() {
        return fallback;
    }

    public Map<Outcome, ContinueTarget> overrides() {
        return Map.copyOf(byOutcome);
    }
}
