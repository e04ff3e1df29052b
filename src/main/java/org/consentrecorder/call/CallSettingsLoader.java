package org.consentrecorder.call;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.consentrecorder.ari.ContinueTarget;
import org.consentrecorder.config.ConfigReader;

/** Reads the consent IVR's and the recording's settings (CR_IVR_*, CR_NOTICE*, CR_PAUSE_*, ...). */
public final class CallSettingsLoader {

    public static final String LAWFUL_BASIS = "CR_LAWFUL_BASIS";
    public static final String ACCEPT_KEY = "CR_IVR_ACCEPT_KEY";
    public static final String DECLINE_KEY = "CR_IVR_DECLINE_KEY";
    public static final String IVR_TIMEOUT = "CR_IVR_TIMEOUT";
    public static final String IVR_ATTEMPTS = "CR_IVR_ATTEMPTS";
    public static final String IVR_PROMPT_MAX = "CR_IVR_PROMPT_MAX";
    public static final String IVR_REGRANT_WINDOW = "CR_IVR_REGRANT_WINDOW";
    public static final String NOTICES_FILE = "CR_NOTICES_FILE";
    public static final String NOTICE_DEFAULT = "CR_NOTICE_DEFAULT";
    public static final String CONTINUE_TARGET = "CR_CONTINUE_TARGET";
    public static final String CALLER_COUNTRY_CODE = "CR_CALLER_COUNTRY_CODE";
    public static final String RECORDING_FORMAT = "CR_RECORDING_FORMAT";
    public static final String SNOOP_SPY = "CR_SNOOP_SPY";
    public static final String PAUSE_STYLE = "CR_PAUSE_STYLE";
    public static final String PAUSE_DTMF = "CR_PAUSE_DTMF";
    public static final String RESUME_DTMF = "CR_RESUME_DTMF";
    public static final String WITHDRAW_DTMF = "CR_WITHDRAW_DTMF";
    public static final String DTMF_SEQUENCE_GAP = "CR_DTMF_SEQUENCE_GAP";
    public static final String PAUSE_USEREVENT = "CR_PAUSE_USEREVENT";
    public static final String RESUME_USEREVENT = "CR_RESUME_USEREVENT";
    public static final String PAUSE_DEADLINE = "CR_PAUSE_DEADLINE";
    public static final String MAX_PAUSE = "CR_MAX_PAUSE";
    public static final String BURST_GUARD = "CR_BURST_GUARD";
    public static final String BURST_DIGITS = "CR_BURST_DIGITS";
    public static final String BURST_WINDOW = "CR_BURST_WINDOW";
    public static final String SNOOP_TIMEOUT = "CR_SNOOP_TIMEOUT";
    public static final String TEARDOWN_TIMEOUT = "CR_TEARDOWN_TIMEOUT";
    public static final String OUTAGE_PAUSE = "CR_OUTAGE_PAUSE";
    public static final String RECORDING_CHANNELS = "CR_RECORDING_CHANNELS";

    private CallSettingsLoader() {
    }

    /** Problems are collected in the reader, naming the key. */
    public static CallSettings load(ConfigReader r) {
        return new CallSettings(ivr(r), recording(r));
    }

    private static IvrSettings ivr(ConfigReader r) {
        LawfulBasis basis = r.oneOf(LAWFUL_BASIS, LawfulBasis.CONSENT, LawfulBasis.class);
        char accept = key(r, ACCEPT_KEY, '1');
        char decline = key(r, DECLINE_KEY, '2');
        if (accept == decline) {
            r.problem(DECLINE_KEY, "must differ from " + ACCEPT_KEY);
        }
        Duration timeout = r.duration(IVR_TIMEOUT, Duration.ofSeconds(8), Duration.ofSeconds(1), Duration.ofMinutes(2));
        int attempts = r.integer(IVR_ATTEMPTS, 2, 1, 5);
        Duration promptMax = r.duration(IVR_PROMPT_MAX, Duration.ofSeconds(90), Duration.ofSeconds(5), Duration.ofMinutes(10));
        Duration regrant = r.duration(IVR_REGRANT_WINDOW, Duration.ofSeconds(4), Duration.ZERO, Duration.ofMinutes(1));
        NoticeCatalog notices = NoticeLoader.load(r, basis);
        return new IvrSettings(basis, accept, decline, timeout, attempts, promptMax, regrant, notices,
                continueTargets(r), new CallerIdentity(countryCode(r)));
    }

    private static String countryCode(ConfigReader r) {
        String cc = r.string(CALLER_COUNTRY_CODE, "").replace("+", "");
        if (!cc.isEmpty() && !cc.matches("\\d{1,3}")) {
            r.problem(CALLER_COUNTRY_CODE, "'" + cc + "' is not a country calling code (1 to 3 digits, e.g. 49)");
            return "";
        }
        return cc;
    }

    private static ContinueTargets continueTargets(ConfigReader r) {
        ContinueTarget fallback = ContinueTarget.NEXT_PRIORITY;
        Optional<String> spec = r.optional(CONTINUE_TARGET);
        if (spec.isPresent()) {
            fallback = parseTarget(r, CONTINUE_TARGET, spec.get());
        }
        Map<Outcome, ContinueTarget> byOutcome = new EnumMap<>(Outcome.class);
        for (String key : r.source().keysWithPrefix(CONTINUE_TARGET + "_")) {
            String suffix = key.substring(CONTINUE_TARGET.length() + 1);
            Outcome outcome;
            try {
                outcome = Outcome.valueOf(suffix.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                r.problem(key, "'" + suffix.toLowerCase(Locale.ROOT) + "' is not an outcome");
                continue;
            }
            r.optional(key).ifPresent(v -> byOutcome.put(outcome, parseTarget(r, key, v)));
        }
        return new ContinueTargets(fallback, byOutcome);
    }

    private static ContinueTarget parseTarget(ConfigReader r, String key, String spec) {
        try {
            return ContinueTarget.parse(spec);
        } catch (IllegalArgumentException e) {
            r.problem(key, "'" + spec + "': " + e.getMessage());
            return ContinueTarget.NEXT_PRIORITY;
        }
    }

    private static RecordingSettings recording(ConfigReader r) {
        RecordingSettings d = RecordingSettings.defaults();
        String format = r.string(RECORDING_FORMAT, d.format());
        if (!format.matches("[a-z0-9]+")) {
            r.problem(RECORDING_FORMAT, "'" + format + "' is not an Asterisk format name (e.g. wav, gsm, ulaw)");
        }
        String spy = r.string(SNOOP_SPY, d.spy());
        if (!spy.equals("both") && !spy.equals("in") && !spy.equals("out")) {
            r.problem(SNOOP_SPY, "'" + spy + "' is not one of both, in, out");
        }
        RecordingChannels channels = r.oneOf(RECORDING_CHANNELS, d.channels(), RecordingChannels.class);
        if (channels == RecordingChannels.STEREO && r.optional(SNOOP_SPY).isPresent() && !spy.equals("both")) {
            // stereo records each direction through its own snoop channel; a direction set here would be ignored
            r.problem(SNOOP_SPY, "'" + spy + "' does not apply with " + RECORDING_CHANNELS
                    + "=stereo (each direction has its own snoop channel); leave it unset");
        }
        if (channels == RecordingChannels.STEREO && !format.equals("wav") && !format.equals("wav16")) {
            // the archive interleaves the two legs sample by sample: it reads them as PCM WAV
            r.problem(RECORDING_CHANNELS, "stereo needs " + RECORDING_FORMAT + " wav or wav16 (the archive "
                    + "interleaves the two legs' PCM), not '" + format + "'");
        }
        String pause = sequence(r, PAUSE_DTMF, d.pauseSequence());
        String resume = sequence(r, RESUME_DTMF, d.resumeSequence());
        String withdraw = sequence(r, WITHDRAW_DTMF, d.withdrawSequence());
        if (!pause.isEmpty() && (pause.equals(resume) || pause.equals(withdraw))) {
            r.problem(PAUSE_DTMF, "must differ from the resume and withdraw sequences");
        }
        if (!resume.isEmpty() && resume.equals(withdraw)) {
            r.problem(RESUME_DTMF, "must differ from the withdraw sequence");
        }
        return new RecordingSettings(
                format, spy,
                r.oneOf(PAUSE_STYLE, d.pauseStyle(), PauseStyle.class),
                pause, resume, withdraw,
                r.duration(DTMF_SEQUENCE_GAP, d.sequenceGap(), Duration.ofMillis(200), Duration.ofSeconds(30)),
                userEvent(r, PAUSE_USEREVENT, d.pauseUserEvent()),
                userEvent(r, RESUME_USEREVENT, d.resumeUserEvent()),
                r.duration(PAUSE_DEADLINE, d.pauseDeadline(), Duration.ofMillis(50), Duration.ofSeconds(10)),
                r.duration(MAX_PAUSE, d.maxPause(), Duration.ZERO, Duration.ofHours(12)),
                r.bool(BURST_GUARD, d.burstGuard()),
                r.integer(BURST_DIGITS, d.burstDigits(), 2, 32),
                r.duration(BURST_WINDOW, d.burstWindow(), Duration.ofMillis(200), Duration.ofMinutes(1)),
                r.duration(SNOOP_TIMEOUT, d.snoopTimeout(), Duration.ofMillis(100), Duration.ofMinutes(1)),
                r.duration(TEARDOWN_TIMEOUT, d.teardownTimeout(), Duration.ofSeconds(1), Duration.ofMinutes(10)),
                r.bool(OUTAGE_PAUSE, d.pauseOnOutage()),
                channels);
    }

    private static char key(ConfigReader r, String key, char fallback) {
        String v = r.string(key, String.valueOf(fallback));
        if (v.length() != 1 || "0123456789*#".indexOf(v.charAt(0)) < 0) {
            r.problem(key, "'" + v + "' is not a single DTMF key (0-9, * or #)");
            return fallback;
        }
        return v.charAt(0);
    }

    private static String sequence(ConfigReader r, String key, String fallback) {
        String v = r.string(key, fallback);
        if (v.equalsIgnoreCase("off") || v.equalsIgnoreCase("none")) {
            return "";
        }
        if (!v.matches("[0-9*#A-Da-d]{1,8}")) {
            r.problem(key, "'" + v + "' is not a DTMF sequence of 1 to 8 keys (0-9, *, #, A-D), or off");
            return fallback;
        }
        return v.toUpperCase(Locale.ROOT);
    }

    private static String userEvent(ConfigReader r, String key, String fallback) {
        String v = r.string(key, fallback);
        if (!v.matches("[A-Za-z0-9_\\-.]{1,64}")) {
            r.problem(key, "'" + v + "' is not a UserEvent name (letters, digits, _-.)");
            return fallback;
        }
        return v;
    }
}
