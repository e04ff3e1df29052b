package org.consentrecorder.call;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The caller's recent digits, as far as the payment triggers need them: the tail that could still
 * complete a pause, resume or withdraw sequence, and the times (never the values) of the digits
 * the burst safety net counts. Digits may be card data, so no more is kept than the longest
 * trigger sequence, nothing here is ever persisted, and {@code toString()} shows no digit.
 */
public record PaymentTriggers(String recent, Instant lastDigitAt, List<Instant> burst) {

    /** What a digit completed. */
    public enum Match { NONE, WITHDRAW, PAUSE, RESUME, BURST }

    /** The triggers' next value and what the digit completed. */
    public record Result(PaymentTriggers triggers, Match match) {
    }

    public PaymentTriggers {
        burst = List.copyOf(burst);
    }

    public static PaymentTriggers none() {
        return new PaymentTriggers("", null, List.of());
    }

    /**
     * A digit ended. Sequences take precedence over the burst net, and the burst net counts only
     * while the recording runs ({@code counting}): digits keyed while paused are what it protects.
     */
    public Result onDigit(RecordingSettings s, char digit, Instant now, boolean counting) {
        String kept = lastDigitAt != null && Duration.between(lastDigitAt, now).compareTo(s.sequenceGap()) > 0
                ? "" : recent;
        kept = kept + digit;
        int longest = longestSequence(s);
        if (kept.length() > longest) {
            kept = kept.substring(kept.length() - longest);
        }
        if (endsWith(kept, s.withdrawSequence())) {
            return new Result(new PaymentTriggers("", now, burst), Match.WITHDRAW);
        }
        if (endsWith(kept, s.pauseSequence())) {
            return new Result(new PaymentTriggers("", now, burst), Match.PAUSE);
        }
        if (endsWith(kept, s.resumeSequence())) {
            return new Result(new PaymentTriggers("", now, burst), Match.RESUME);
        }
        if (!s.burstGuard() || !counting) {
            return new Result(new PaymentTriggers(kept, now, burst), Match.NONE);
        }
        List<Instant> window = new ArrayList<>(burst.size() + 1);
        for (Instant at : burst) {
            if (Duration.between(at, now).compareTo(s.burstWindow()) <= 0) {
                window.add(at);
            }
        }
        window.add(now);
        if (window.size() >= s.burstDigits()) {
            return new Result(new PaymentTriggers(kept, now, List.of()), Match.BURST);
        }
        return new Result(new PaymentTriggers(kept, now, window), Match.NONE);
    }

    /** After a resume the burst net starts counting afresh. */
    public PaymentTriggers withoutBurst() {
        return new PaymentTriggers(recent, lastDigitAt, List.of());
    }

    /** How many digits the sequences need at most: all that is ever kept. */
    static int longestSequence(RecordingSettings s) {
        return Math.max(length(s.pauseSequence()), Math.max(length(s.resumeSequence()), length(s.withdrawSequence())));
    }

    private static int length(String sequence) {
        return sequence == null ? 0 : sequence.length();
    }

    private static boolean endsWith(String kept, String sequence) {
        if (sequence == null || sequence.isEmpty() || kept.length() < sequence.length()) {
            return false;
        }
        int offset = kept.length() - sequence.length();
        for (int i = 0; i < sequence.length(); i++) {
            if (Character.toUpperCase(kept.charAt(offset + i)) != Character.toUpperCase(sequence.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "PaymentTriggers[" + recent.length() + " digit(s) kept, " + burst.size() + " in the burst window]";
    }
}
