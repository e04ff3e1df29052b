package org.consentrecorder.bench.asterisk;

import java.net.URI;
import java.time.Instant;
import java.util.Optional;

/**
 * The reference app in a JVM of its own ({@code --reference process}), as the product runs in one: a
 * "first call after a start" is then the first call of a fresh JVM for both subjects. Inside the
 * benchmark's JVM (the default) the reference's code (the JDK's HTTP client and WebSocket, Jackson)
 * is already compiled by the benchmark's own callers, so its "cold" start is warm. This mode says
 * what a minimal app pays for being a fresh JVM (run 27: more than the product, in every situation);
 * the goal is judged against the warm one.
 *
 * <p>The protocol with the benchmark ({@link ReferenceSubject}) is its standard streams: it prints
 * {@value #READY} once its WebSocket is open, one {@link #line} per pause once Asterisk answered it,
 * and stops when its standard input closes (the benchmark stopping it, or dying). The ARI password
 * comes in the environment ({@value #PASSWORD_ENV}), not on the command line every {@code ps} shows.
 */
public final class ReferenceMain {
    static final String READY = "ready";
    static final String PASSWORD_ENV = "REFERENCE_ARI_PASSWORD";
    static final String WARM = "warm";
    private static final String STAMP = "stamp";

    private ReferenceMain() {
    }

    /**
     * Arguments: ARI's base URI, the ARI user, the Stasis application, the dialplan context to continue calls to,
     * and optionally {@value #WARM}: run {@link ReferenceWarmup} before saying it is ready.
     */
    public static void main(String[] args) throws Exception {
        boolean warm = args.length == 5 && args[4].equals(WARM);
        if (!(args.length == 4 || warm) || System.getenv(PASSWORD_ENV) == null) {
            System.err.println("usage: ReferenceMain <ari-uri> <user> <application> <continue-context> [" + WARM
                    + "], password in " + PASSWORD_ENV);
            System.exit(2);
        }
        RawAri ari = new RawAri(URI.create(args[0]), args[1], System.getenv(PASSWORD_ENV));
        ReferencePauseApp app = new ReferencePauseApp(ari, args[2], args[3], (name, stamp) -> {
            if (!name.equals(ReferenceWarmup.RECORDING)) {
                System.out.println(line(name, stamp));
            }
        });
        app.start();
        if (warm) {
            System.out.println(ReferenceWarmup.run(app, ari, args[2]).line());
        }
        System.out.println(READY);
        while (System.in.read() >= 0) {
            // nothing is sent on standard input; its end is the signal to stop
        }
        app.close();
        System.exit(0);
    }

    /** One pause as a line: tab-separated, since the trigger's name ("user event") has a space. */
    static String line(String recording, CallScript.PauseStamps stamp) {
        return String.join("\t", STAMP, recording, stamp.trigger(), stamp.handled().toString(), stamp.answered().toString());
    }

    /** A stamp line read back; anything else (a log line, a stack trace) is not one. */
    static Optional<Stamped> parse(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 5 || !f[0].equals(STAMP)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Stamped(f[1], new CallScript.PauseStamps(f[2], Instant.parse(f[3]), Instant.parse(f[4]))));
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }

    record Stamped(String recording, CallScript.PauseStamps stamp) {
    }
}
