package org.consentrecorder.app;

import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.consentrecorder.config.ConfigProblem;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.ConfigSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code demo}: the application as {@code run} starts it, against a simulated Asterisk in this
 * process, with made-up callers calling by themselves; prints where to look and how to log in.
 * Nothing of it is for production.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"See it work without a PBX: the service against a simulated Asterisk, with scripted callers "
                + "(accept, decline, silence, hang-up, withdrawal, card payments). Not for production.",
                "Ignores every CR_* setting: the demo never touches a real database, keyring or Asterisk."})
final class DemoCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep the demo's data here (new, empty, or made by an earlier demo). "
                    + "Default: a throwaway directory, deleted when the demo stops.")
    Path dataDir;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8080",
            description = "Port of the API and console on 127.0.0.1 (0: any free port). Default: ${DEFAULT-VALUE}.")
    int httpPort;

    @Option(names = "--call-interval", paramLabel = "DURATION", defaultValue = "3s", converter = DurationConverter.class,
            description = "Time between two new simulated calls, e.g. 3s or 500ms. Default: ${DEFAULT-VALUE}.")
    Duration callInterval;

    @Option(names = "--talk-time", paramLabel = "DURATION", defaultValue = "4s", converter = DurationConverter.class,
            description = "Mean length of a stretch of conversation (before, during and after a payment). "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration talkTime;

    @Override
    public Integer call() {
        if (httpPort < 0 || httpPort > 65535) {
            System.err.println("--http-port must be 0..65535");
            return 2;
        }
        DemoData data;
        try {
            data = dataDir == null ? DemoData.throwaway() : DemoData.named(dataDir);
        } catch (DataDirectoryMarkers.Refused e) {
            System.err.println(e.getMessage());
            return 2;
        }
        Demo demo;
        try {
            demo = Demo.start(data, new Demo.Options(httpPort, callInterval, talkTime));
        } catch (Exception e) {
            System.err.println("the demo did not start: " + e.getMessage()
                    + (causedBy(e, BindException.class) ? " (is port " + httpPort + " taken? try --http-port 0)" : ""));
            LOG.debug("demo start-up", e);
            data.deleteIfThrowaway();
            return 1;
        }
        CountDownLatch stopped = Main.closeOnShutdown(demo, "demo shutdown");
        banner(System.out, demo, callInterval);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Printed once, when everything runs. */
    static void banner(PrintStream out, Demo demo, Duration callInterval) {
        String base = "http://127.0.0.1:" + demo.httpPort();
        DemoData data = demo.data();
        String line = "=".repeat(100);
        out.println();
        out.println(line);
        out.println("  consent-recorder DEMO: a simulated Asterisk and made-up callers. NOTHING HERE IS FOR PRODUCTION.");
        out.println(line);
        out.println("  Console:  " + base + "/console");
        out.println("  API:      " + base + "/api/v1   (description: " + base + "/api/v1/openapi.json)");
        out.println();
        out.println("  Demo accounts (generated passwords; the demo waives the TOTP second factor that a real "
                + "deployment requires for these roles):");
        out.println("    admin       user " + DemoData.ADMIN_USER + "       password " + demo.accounts().adminPassword());
        out.println("    compliance  user " + DemoData.COMPLIANCE_USER + "  password " + demo.accounts().compliancePassword());
        out.println();
        out.println("  Calls:    a new simulated call every " + human(callInterval) + ", from +44 20 7946 0xxx "
                + "(Ofcom's drama range: nobody's number)");
        out.println("  Data:     " + data.root() + (data.isThrowaway() ? "  (throwaway: deleted when the demo stops)"
                : "  (kept; start the demo again with --data-dir to continue)"));
        out.println("  Keyring:  " + data.keyring() + "  (demo key '" + DemoData.KEK_ID + "', stored beside the data)");
        out.println();
        out.println("  Try, as compliance:");
        out.println("    TOKEN=$(curl -fsS -X POST " + base + "/api/v1/auth/login -H 'content-type: application/json' \\");
        out.println("      -d '{\"username\":\"" + DemoData.COMPLIANCE_USER + "\",\"password\":\""
                + demo.accounts().compliancePassword() + "\"}' | jq -r .token)");
        out.println("    curl -fsS \"" + base + "/api/v1/calls?limit=10\" -H \"Authorization: Bearer $TOKEN\" | jq .");
        out.println();
        out.println("  Stop with Ctrl-C.");
        out.println(line);
        out.println();
        out.flush();
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** Durations written as in the configuration: 500ms, 3s, 2m. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            ConfigReader r = new ConfigReader(ConfigSource.of(Map.of("value", value)));
            Duration d = r.duration("value", null, Duration.ofMillis(50), Duration.ofHours(1));
            if (!r.problems().isEmpty()) {
                throw new CommandLine.TypeConversionException(r.problems().stream().map(ConfigProblem::problem)
                        .findFirst().orElse("not a duration"));
            }
            return d;
        }
    }
}
