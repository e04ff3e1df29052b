package org.consentrecorder.app;

import java.util.concurrent.Callable;
import org.consentrecorder.config.ConfigException;
import org.consentrecorder.crypto.Keyring;
import org.consentrecorder.crypto.RewrapReport;
import org.consentrecorder.crypto.SubjectKeyStore;
import picocli.CommandLine.Command;

/** Key management for the archive. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Key management for the recordings archive.",
        subcommands = {KeysCommand.Rewrap.class})
final class KeysCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /**
     * After adding a new KEK to the keyring (the newest one), re-wraps every subject key under it.
     * No recording and no data key is touched: the audio is not re-encrypted. Run it while the
     * application is stopped (the key store has one writer); then the old KEK can be retired.
     */
    @Command(name = "rewrap", mixinStandardHelpOptions = true,
            description = "Re-wrap every subject key under the newest key-encryption key (no audio is re-encrypted). "
                    + "Stop the service first.")
    static final class Rewrap implements Callable<Integer> {
        @Override
        public Integer call() {
            return Main.withConfig("rewrap", Rewrap::rewrap);
        }

        static int rewrap(AppConfig config) {
            try {
                Keyring keyring = KeyMaterial.keyring(config.archive(), config.admin().devMode());
                SubjectKeyStore store = KeyMaterial.subjectKeys(config, keyring);
                RewrapReport report = store.rewrapAll(keyring);
                System.out.println("re-wrapped " + report.rewrapped() + " subject key(s) under " + report.newest()
                        + "; " + report.alreadyNewest() + " already were");
                return 0;
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                return 2;
            } catch (RuntimeException e) {
                System.err.println("rewrap failed: " + e.getMessage());
                return 1;
            }
        }
    }
}
