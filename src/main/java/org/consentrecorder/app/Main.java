package org.consentrecorder.app;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.consentrecorder.config.ConfigException;
import org.consentrecorder.config.ConfigSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import org.consentrecorder.config.ExternalText;

/**
 * Command line: {@code run} (the default) starts the service; {@code check} validates and tests
 * connections; {@code admin create} adds an operator account; {@code audit verify} checks the audit chain;
 * {@code register} prints the records of processing; {@code retention run|runs} runs the retention job or lists runs;
 * {@code privacy export} writes an access request's bundle to a file; {@code demo} runs against a simulated Asterisk.
 */
@Command(name = "consent-recorder", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Asterisk ARI companion: consent IVR, PCI-safe recording, encrypted archive.",
        subcommands = {Main.Run.class, CheckCommand.class, KeysCommand.class, AdminCommand.class, AuditCommand.class,
                RegisterCommand.class, RetentionCommand.class, PrivacyCommand.class, DemoCommand.class,
                MigrateCommand.class})
public final class Main implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    private static final long SHUTDOWN_DEADLINE_MS = 25_000;

    public static void main(String[] args) {
        // run returns only when the service stops; every other command is done when it returns
        System.exit(new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    /** No subcommand means run. */
    @Override
    public Integer call() {
        return new Run().call();
    }

    static AppConfig loadConfig() {
        return AppConfig.load(ConfigSource.load(System.getenv()));
    }

    /** A command that needs the whole configuration. */
    @FunctionalInterface
    interface ConfiguredCommand {
        int run(AppConfig config) throws Exception;
    }

    /**
     * Loads the configuration and runs the command: exit code 2 with every problem printed when the
     * configuration is unusable, 1 with the reason when the command fails.
     */
    static int withConfig(String what, ConfiguredCommand command) {
        try {
            return command.run(loadConfig());
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println(what + " failed: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Closes {@code what} when the JVM is asked to stop (SIGTERM, Ctrl-C); the returned latch opens
     * once it is closed. A stuck step must not keep the process alive (orchestrators expect it
     * gone): after {@link #SHUTDOWN_DEADLINE_MS} the process halts.
     */
    static CountDownLatch closeOnShutdown(AutoCloseable what, String name) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(SHUTDOWN_DEADLINE_MS);
                    LOG.error("{} did not finish within {} ms; halting", name, SHUTDOWN_DEADLINE_MS);
                    Runtime.getRuntime().halt(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "shutdown-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            try {
                what.close();
            } catch (Exception e) {
                LOG.warn("{}: {}", name, ExternalText.forLog(e.getMessage()));
            }
            watchdog.interrupt();
            stopped.countDown();
        }, name));
        return stopped;
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Start the service (the default).")
    static final class Run implements Callable<Integer> {
        @Override
        public Integer call() {
            AppConfig config;
            try {
                config = loadConfig();
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                return 2;
            }
            try {
                DataDirectoryMarkers.claimForRun(config);
            } catch (DataDirectoryMarkers.Refused e) {
                System.err.println(e.getMessage());
                return 2;
            }
            try {
                Application app = Application.start(config);
                CountDownLatch stopped = closeOnShutdown(app, "shutdown");
                stopped.await();
                return 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            } catch (Exception e) {
                LOG.error("start-up failed: {}", ExternalText.forLog(e.getMessage()), e);
                return 1;
            }
        }
    }

    /** The version from the jar manifest. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"consent-recorder " + (v == null ? "(development build)" : v)};
        }
    }
}
