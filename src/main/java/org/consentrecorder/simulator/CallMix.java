package org.consentrecorder.simulator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Scripted callers for a {@link SimulatedAsterisk}: a new call every {@code interval}, each caller
 * acting out one {@link Caller} from what they hear (prompts starting, the call being handed to the
 * dialplan). The first round places every kind once, in an order that shows each outcome soon;
 * later calls are drawn at random with weights like a call centre's day. A caller who withdrew
 * consent calls again a little later, so that the "do not record" path is seen too.
 *
 * <p>Caller numbers are in the range Ofcom reserves for drama ({@code +44 20 7946 0000} to
 * {@code 0999}): obviously fake, never anyone's phone. Everything runs on the simulator's context.
 */
public final class CallMix implements AutoCloseable {
    /** A caller hangs up after this long whatever happens (an application that never answers). */
    private static final long MAX_CALL_MS = 120_000;

    /** What one simulated caller does. */
    public enum Caller {
        /** Presses the accept key, talks, and the agent takes a card payment announced by a dialplan UserEvent. */
        ACCEPTS_AND_PAYS_BY_USER_EVENT(20),
        /** Presses the decline key; the call goes on unrecorded. */
        DECLINES(14),
        /** Accepts, then withdraws consent mid-call with the withdraw DTMF sequence. */
        ACCEPTS_THEN_WITHDRAWS(8),
        /** Hangs up while the recording notice plays. */
        HANGS_UP_DURING_NOTICE(8),
        /** Accepts and pays by keypad, announced by the pause DTMF sequence and ended by the resume sequence. */
        ACCEPTS_AND_PAYS_BY_DTMF(16),
        /** Presses nothing: silence is not consent. */
        STAYS_SILENT(10),
        /** Presses a key that means nothing, hears "invalid choice", then accepts and talks. */
        PRESSES_A_WRONG_KEY_THEN_ACCEPTS(24),
        /** A caller who withdrew earlier calls again; "do not record" is on file, they are not asked. */
        CALLS_AGAIN_AFTER_WITHDRAWING(0);

        private final int weight;

        Caller(int weight) {
            this.weight = weight;
        }
    }

    /**
     * The application's keys and trigger names (its CR_IVR_* and CR_*_DTMF / CR_*_USEREVENT
     * settings), the Stasis application to call into, the time between two new calls and how
     * long callers talk ({@code talk} is the mean length of a stretch of conversation).
     */
    public record Settings(String application, Duration interval, Duration talk, char acceptKey, char declineKey,
                           String pauseDtmf, String resumeDtmf, String withdrawDtmf,
                           String pauseUserEvent, String resumeUserEvent, long seed) {
        public Settings {
            Objects.requireNonNull(application, "application");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("the interval between calls must be positive");
            }
            if (talk.isNegative() || talk.isZero()) {
                throw new IllegalArgumentException("the talk time must be positive");
            }
            Set<Character> keys = Set.of(acceptKey, declineKey);
            if (keys.size() != 2 || WRONG_KEY == acceptKey || WRONG_KEY == declineKey) {
                throw new IllegalArgumentException("accept and decline keys must differ and not be " + WRONG_KEY);
            }
        }
    }

    private static final char WRONG_KEY = '5';
    private static final List<Caller> FIRST_ROUND = List.of(
            Caller.ACCEPTS_AND_PAYS_BY_USER_EVENT, Caller.DECLINES, Caller.ACCEPTS_THEN_WITHDRAWS,
            Caller.HANGS_UP_DURING_NOTICE, Caller.ACCEPTS_AND_PAYS_BY_DTMF, Caller.STAYS_SILENT,
            Caller.PRESSES_A_WRONG_KEY_THEN_ACCEPTS);
    private static final String[] NAMES = {"Demo Caller", "Ada Example", "Ben Sample", "Cleo Fictional",
            "Dev Placeholder", "Eve Madeup"};

    private final SimulatedAsterisk asterisk;
    private final Settings settings;
    private final SplittableRandom random;
    private final Map<String, ScriptedCall> calls = new HashMap<>();
    private final Queue<String> withdrawnNumbers = new ArrayDeque<>();
    private final Set<String> withdrawers = new HashSet<>();
    private final Map<Caller, Integer> placed = new EnumMap<>(Caller.class);
    private int round;
    private long ticker = -1;
    private boolean stopped;

    private CallMix(SimulatedAsterisk asterisk, Settings settings) {
        this.asterisk = asterisk;
        this.settings = settings;
        this.random = new SplittableRandom(settings.seed());
    }

    /** Places the first call at once and one more every interval until {@link #close()}. */
    public static CallMix start(SimulatedAsterisk asterisk, Settings settings) {
        CallMix mix = new CallMix(asterisk, settings);
        asterisk.onContext(() -> {
            asterisk.phoneListener(mix.new Listener());
            mix.tick();
        });
        return mix;
    }

    /** How many calls of each kind were placed so far. */
    public Map<Caller, Integer> placed() {
        return asterisk.call(() -> Map.copyOf(placed));
    }

    /**
     * Stops placing calls and stops the callers' scripts. Calls on the line stay up until the
     * simulator closes: hanging them all up now would only race the application's own shutdown.
     */
    @Override
    public void close() {
        asterisk.onContext(() -> {
            stopped = true;
            if (ticker >= 0) {
                asterisk.cancelTimer(ticker);
            }
            asterisk.phoneListener(PhoneListener.NONE);
            calls.values().forEach(ScriptedCall::cancelTimers);
            calls.clear();
        });
    }

    // ---- placing calls ------------------------------------------------------------------------

    private void tick() {
        if (stopped) {
            return;
        }
        place(next());
        ticker = asterisk.setTimer(settings.interval().toMillis(), this::tick);
    }

    private Caller next() {
        if (!withdrawnNumbers.isEmpty()) {
            return Caller.CALLS_AGAIN_AFTER_WITHDRAWING;
        }
        if (round < FIRST_ROUND.size()) {
            return FIRST_ROUND.get(round++);
        }
        int total = 0;
        for (Caller c : Caller.values()) {
            total += c.weight;
        }
        int pick = random.nextInt(total);
        for (Caller c : Caller.values()) {
            pick -= c.weight;
            if (pick < 0) {
                return c;
            }
        }
        throw new IllegalStateException("weights");
    }

    private void place(Caller kind) {
        String number = kind == Caller.CALLS_AGAIN_AFTER_WITHDRAWING ? withdrawnNumbers.poll() : freshNumber();
        // one in five callers has a German phone: the application picks the notice by channel language
        String language = random.nextInt(5) == 0 ? "de" : "en";
        String name = NAMES[random.nextInt(NAMES.length)];
        String channel = asterisk.placeCallNow(settings.application(), number, name, "100", language);
        ScriptedCall call = new ScriptedCall(channel, kind, number);
        calls.put(channel, call);
        placed.merge(kind, 1, Integer::sum);
        call.after(MAX_CALL_MS, call::hangUp);
    }

    /** A number of the drama range that no earlier withdrawer used (they would not be asked again). */
    private String freshNumber() {
        while (true) {
            String number = String.format("+44207946%04d", random.nextInt(1000));
            if (!withdrawers.contains(number)) {
                return number;
            }
        }
    }

    private long around(Duration mean) {
        return (long) (mean.toMillis() * (0.7 + 0.6 * random.nextDouble()));
    }

    // ---- one caller ---------------------------------------------------------------------------

    private final class Listener implements PhoneListener {
        @Override
        public void promptStarted(String channelId, String media) {
            ScriptedCall c = calls.get(channelId);
            if (c != null) {
                c.heard();
            }
        }

        @Override
        public void continued(String channelId) {
            ScriptedCall c = calls.get(channelId);
            if (c != null) {
                c.talk();
            }
        }

        @Override
        public void hungUp(String channelId) {
            ScriptedCall c = calls.remove(channelId);
            if (c != null) {
                c.cancelTimers();
                if (c.withdrew) {
                    withdrawnNumbers.add(c.number);
                }
            }
        }
    }

    private final class ScriptedCall {
        final String channel;
        final Caller kind;
        final String number;
        final List<Long> timers = new ArrayList<>();
        int prompts;
        boolean talking;
        boolean withdrew;

        ScriptedCall(String channel, Caller kind, String number) {
            this.channel = channel;
            this.kind = kind;
            this.number = number;
        }

        /** A prompt started: the notice is the first, the choice the second, "invalid" then choice again after a wrong key. */
        void heard() {
            prompts++;
            long think = 500 + random.nextInt(900);
            switch (kind) {
                case HANGS_UP_DURING_NOTICE -> {
                    if (prompts == 1) {
                        after(600 + random.nextInt(600), this::hangUp);
                    }
                }
                case DECLINES -> {
                    if (prompts == 2) {
                        after(think, () -> press(String.valueOf(settings.declineKey())));
                    }
                }
                case PRESSES_A_WRONG_KEY_THEN_ACCEPTS -> {
                    if (prompts == 2) {
                        after(think, () -> press(String.valueOf(WRONG_KEY)));
                    } else if (prompts == 4) {
                        after(think, () -> press(String.valueOf(settings.acceptKey())));
                    }
                }
                case ACCEPTS_AND_PAYS_BY_USER_EVENT, ACCEPTS_AND_PAYS_BY_DTMF, ACCEPTS_THEN_WITHDRAWS -> {
                    if (prompts == 2) {
                        after(think, () -> press(String.valueOf(settings.acceptKey())));
                    }
                }
                default -> {
                    // STAYS_SILENT and CALLS_AGAIN_AFTER_WITHDRAWING listen and press nothing
                }
            }
        }

        /** The application handed the call to the dialplan: the conversation with the agent. */
        void talk() {
            if (talking) {
                return;
            }
            talking = true;
            Duration t = settings.talk();
            long at = around(t);
            switch (kind) {
                case ACCEPTS_AND_PAYS_BY_USER_EVENT -> {
                    after(at, () -> asterisk.userEventNow(channel, settings.pauseUserEvent()));
                    at += around(t);
                    after(at, () -> asterisk.userEventNow(channel, settings.resumeUserEvent()));
                    at += around(t);
                }
                case ACCEPTS_AND_PAYS_BY_DTMF -> {
                    after(at, () -> press(settings.pauseDtmf()));
                    at += around(t);
                    after(at, () -> press(settings.resumeDtmf()));
                    at += around(t);
                }
                case ACCEPTS_THEN_WITHDRAWS -> {
                    after(at, () -> {
                        withdrew = true;
                        press(settings.withdrawDtmf());
                    });
                    at += around(t);
                }
                default -> at += around(t);
            }
            after(at, this::hangUp);
        }

        /** Keys a quarter of a second apart, as a person presses them. */
        void press(String keys) {
            for (int i = 0; i < keys.length(); i++) {
                char key = keys.charAt(i);
                after(250L * i + 1, () -> asterisk.pressDtmfNow(channel, key));
            }
        }

        void hangUp() {
            asterisk.callerHangsUpNow(channel);
        }

        void after(long delayMs, Runnable action) {
            timers.add(asterisk.setTimer(delayMs, () -> {
                if (calls.get(channel) == this) {
                    action.run();
                }
            }));
        }

        void cancelTimers() {
            timers.forEach(asterisk::cancelTimer);
            timers.clear();
        }
    }
}
