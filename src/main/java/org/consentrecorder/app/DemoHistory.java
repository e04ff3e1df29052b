package org.consentrecorder.app;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.consentrecorder.call.Outcome;
import org.consentrecorder.privacy.DemoStatisticsRepository.Day;

/**
 * The made-up past week the demo's statistics start with: per day a few hundred calls (fewer at
 * weekends) whose outcomes follow the demo's call mix (most callers accept, about one in seven
 * declines, some stay silent or hang up during the notice, and a few withdraw and are not asked
 * again on their next call), recorded calls, payment pauses and handle times of a few minutes.
 */
final class DemoHistory {
    /** Outcome weights of {@link org.consentrecorder.simulator.CallMix}'s callers, per hundred calls. */
    private static final Map<Outcome, Integer> WEIGHTS = Map.of(
            Outcome.GRANTED, 68, Outcome.DECLINED, 14, Outcome.NO_RESPONSE, 10, Outcome.ABANDONED, 8,
            Outcome.DO_NOT_RECORD, 8);
    /** Of the callers who accept: paying ones (a pause each) and ones who withdraw (no recording kept). */
    private static final double PAYING = 36.0 / 68;
    private static final double WITHDRAWING = 8.0 / 68;

    private DemoHistory() {
    }

    static List<Day> days(LocalDate today, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Day> days = new ArrayList<>();
        for (int back = count; back >= 1; back--) {
            LocalDate day = today.minusDays(back);
            boolean weekend = day.getDayOfWeek() == DayOfWeek.SATURDAY || day.getDayOfWeek() == DayOfWeek.SUNDAY;
            int calls = weekend ? 120 + random.nextInt(80) : 380 + random.nextInt(140);
            days.add(day(day, calls, random));
        }
        return days;
    }

    private static Day day(LocalDate day, int calls, SplittableRandom random) {
        Map<String, Long> outcomes = new LinkedHashMap<>();
        for (Outcome o : Outcome.values()) {
            outcomes.put(o.wire(), 0L);
        }
        outcomes.put("none", 0L);
        int total = WEIGHTS.values().stream().mapToInt(Integer::intValue).sum();
        int recorded = 0;
        int pauses = 0;
        long handleMs = 0;
        for (int i = 0; i < calls; i++) {
            Outcome outcome = draw(random.nextInt(total));
            outcomes.merge(outcome.wire(), 1L, Long::sum);
            if (outcome == Outcome.GRANTED) {
                double kind = random.nextDouble();
                if (kind < PAYING) {
                    pauses++;
                    recorded++;
                } else if (kind >= PAYING + WITHDRAWING) {
                    recorded++;
                }
            }
            // abandoned calls end during the notice; the others last a few minutes
            handleMs += outcome == Outcome.ABANDONED ? 4_000 + random.nextInt(8_000) : 90_000 + random.nextInt(360_000);
        }
        return new Day(day, calls, outcomes, recorded, pauses, handleMs);
    }

    private static Outcome draw(int pick) {
        for (Outcome o : List.of(Outcome.GRANTED, Outcome.DECLINED, Outcome.NO_RESPONSE, Outcome.ABANDONED,
                Outcome.DO_NOT_RECORD)) {
            pick -= WEIGHTS.get(o);
            if (pick < 0) {
                return o;
            }
        }
        throw new IllegalStateException("weights");
    }
}
