package org.consentrecorder.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.consentrecorder.admin.AccountRepository;
import org.consentrecorder.admin.ApiError;
import org.consentrecorder.admin.AuditEntry;
import org.consentrecorder.admin.AuditLog;
import org.consentrecorder.admin.PasswordHasher;
import org.consentrecorder.admin.PasswordPolicy;
import org.consentrecorder.admin.Role;
import org.consentrecorder.admin.Usernames;
import org.consentrecorder.store.DatabaseServer;
import org.consentrecorder.store.Transactions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code admin create}: an operator account from the command line (the first admin, or a lost one). */
@Command(name = "admin", mixinStandardHelpOptions = true, description = "Operator accounts.",
        subcommands = {AdminCommand.Create.class})
final class AdminCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create an operator account. The password is read from the environment variable named by "
                    + "--password-env, else from the terminal (or the first line of standard input).")
    static final class Create implements Callable<Integer> {
        @Option(names = "--username", required = true, description = "user name (" + Usernames.RULE + ")")
        String username;

        @Option(names = "--role", required = true, description = "admin, compliance, supervisor, auditor or agent")
        String role;

        @Option(names = "--password-env", description = "name of an environment variable holding the password")
        String passwordEnv;

        @Override
        public Integer call() throws Exception {
            String password = readPassword(passwordEnv);
            if (password == null) {
                System.err.println("no password given (environment variable " + passwordEnv + " unset or empty, or no input)");
                return 2;
            }
            return CliDatabase.run(System.err, (vertx, pool) -> create(vertx, pool, username, role, password, System.out));
        }
    }

    private AdminCommand() {
    }

    static String readPassword(String env) throws Exception {
        if (env != null) {
            String v = System.getenv(env);
            return v == null || v.isEmpty() ? null : v;
        }
        Console console = System.console();
        if (console != null) {
            char[] pw = console.readPassword("password: ");
            return pw == null || pw.length == 0 ? null : new String(pw);
        }
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        return line == null || line.isEmpty() ? null : line;
    }

    /** For tests: against a database server the caller owns. */
    static int create(DatabaseServer server, String username, String role, String password, PrintStream out) throws Exception {
        return CliDatabase.run(server, (vertx, pool) -> create(vertx, pool, username, role, password, out));
    }

    static Future<Integer> create(Vertx vertx, Pool pool, String rawUsername, String rawRole, String password, PrintStream out) {
        String username = Usernames.normalize(rawUsername);
        if (!Usernames.valid(username)) {
            out.println("FAIL --username must be " + Usernames.RULE);
            return Future.succeededFuture(2);
        }
        Role role = Role.fromWire(rawRole == null ? "" : rawRole.toLowerCase()).orElse(null);
        if (role == null) {
            out.println("FAIL --role must be one of " + Role.choices());
            return Future.succeededFuture(2);
        }
        String problem = PasswordPolicy.problem(username, password).orElse(null);
        if (problem != null) {
            out.println("FAIL the password " + problem);
            return Future.succeededFuture(2);
        }
        Clock clock = Clock.systemUTC();
        AccountRepository accounts = new AccountRepository(pool, clock);
        AuditLog audit = new AuditLog(pool, clock);
        return vertx.executeBlocking(() -> new PasswordHasher().hash(password), false)
                .compose(hash -> new Transactions(pool).run(tx -> accounts.create(tx, username, hash, role, "cli")
                        .compose(a -> audit.append(tx, new AuditEntry("system", null, "cli", "accounts.create", "account",
                                a.id().toString(), null, null, "ok",
                                new JsonObject().put("username", username).put("role", role.wire()).encode())))))
                .map(seq -> {
                    out.println("ok   created account '" + username + "' with role " + role.wire());
                    return 0;
                })
                .recover(e -> {
                    out.println("FAIL " + (e instanceof ApiError ? e.getMessage() : "cannot create the account: " + e.getMessage()));
                    return Future.succeededFuture(1);
                });
    }
}
