package org.consentrecorder.app;

import java.io.PrintStream;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.consentrecorder.admin.Role;
import org.consentrecorder.privacy.ProcessingRegister;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code register}: the records of processing (GDPR Art. 30) from this configuration, as JSON or Markdown. */
@Command(name = "register", mixinStandardHelpOptions = true,
        description = "Print the records of processing activities (GDPR Art. 30) built from the configuration.")
final class RegisterCommand implements Callable<Integer> {
    @Option(names = "--markdown", description = "Markdown for people instead of JSON")
    boolean markdown;

    @Override
    public Integer call() {
        return Main.withConfig("register", config -> {
            print(config, markdown, System.out);
            return 0;
        });
    }

    static void print(AppConfig config, boolean markdown, PrintStream out) {
        var register = ProcessingRegister.build(Application.registerFacts(config), Role.permissionTable(), Instant.now());
        out.println(markdown ? ProcessingRegister.markdown(register) : register.encodePrettily());
    }
}
