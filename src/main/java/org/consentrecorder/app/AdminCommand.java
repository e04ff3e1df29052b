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
import org.consentrecorder.crypto.AuditChainKeys;
import org.consentrecorder.admin.LoginThrottleRepository;
import org.consentrecorder.admin.MfaRepository;
import org.consentrecorder.admin.TokenRepository;
import org.consentrecorder.admin.PasswordHasher;
import org.consentrecorder.admin.PasswordPolicy;
import org.consentrecorder.admin.Role;
import org.consentrecorder.admin.Usernames;
import org.consentrecorder.store.DatabaseServer;
import org.consentrecorder.store.Transactions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code admin create}: an operator account from the command line (the first admin, or a lost one);
 * {@code admin unlock} and {@code admin mfa-reset}: the way back in when no admin can sign in.
 */
@Command(name = "admin", mixinStandardHelpOptions = true, description = "Operator accounts.",
        subcommands = {AdminCommand.Create.class, AdminCommand.Unlock.class, AdminCommand.MfaReset.class})
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
            return CliDatabase.runAudited(System.err, audit -> (vertx, pool) -> create(vertx, pool, audit.keys(), username, role, password, System.out));
        }
    }

    @Command(name = "unlock", mixinStandardHelpOptions = true,
            description = "Lift the lock that many failed logins put on an account and clear its login counters (audited).")
    static final class Unlock implements Callable<Integer> {
        @Option(names = "--username", required = true, description = "the locked account")
        String username;

        @Option(names = "--reason", required = true, description = "why (written to the audit trail)")
        String reason;

        @Override
        public Integer call() throws Exception {
            return CliDatabase.runAudited(System.err, audit -> (vertx, pool) -> unlock(pool, audit.keys(), username, reason, System.out));
        }
    }

    @Command(name = "mfa-reset", mixinStandardHelpOptions = true,
            description = "Remove an account's second factor (lost phone and recovery codes) and end its sessions "
                    + "(audited); its next sign-in enrols a new one.")
    static final class MfaReset implements Callable<Integer> {
        @Option(names = "--username", required = true, description = "the account")
        String username;

        @Option(names = "--reason", required = true, description = "why (written to the audit trail)")
        String reason;

        @Override
        public Integer call() throws Exception {
            return CliDatabase.runAudited(System.err, audit -> (vertx, pool) -> mfaReset(pool, audit.keys(), username, reason, System.out));
        }
    }

    private AdminCommand() {
    }

    /** For tests: against a database server the caller owns. */
    static int unlock(DatabaseServer server, AuditChainKeys keys, String username, String reason, PrintStream out)
            throws Exception {
        return CliDatabase.run(server, (vertx, pool) -> unlock(pool, keys, username, reason, out));
    }

    /** For tests: against a database server the caller owns. */
    static int mfaReset(DatabaseServer server, AuditChainKeys keys, String username, String reason, PrintStream out)
            throws Exception {
        return CliDatabase.run(server, (vertx, pool) -> mfaReset(pool, keys, username, reason, out));
    }

    static Future<Integer> unlock(Pool pool, AuditChainKeys keys, String rawUsername, String reason, PrintStream out) {
        return onAccount(pool, keys, rawUsername, reason, "accounts.unlock", out, (tx, a) ->
                new AccountRepository(pool, Clock.systemUTC()).unlock(tx, a.id())
                        .compose(was -> new LoginThrottleRepository(pool).clearAccount(tx, a.username()).map(was))
                        .map(was -> new JsonObject().put("username", a.username()).put("was_locked", was)))
                .map(code -> {
                    if (code == 0) {
                        out.println("ok   account '" + Usernames.normalize(rawUsername) + "' unlocked");
                    }
                    return code;
                });
    }

    static Future<Integer> mfaReset(Pool pool, AuditChainKeys keys, String rawUsername, String reason, PrintStream out) {
        return onAccount(pool, keys, rawUsername, reason, "accounts.mfa_reset", out, (tx, a) ->
                new MfaRepository(pool, Clock.systemUTC()).reset(tx, a.id())
                        .compose(had -> new TokenRepository(pool, Clock.systemUTC()).revokeSessions(tx, a.id()).map(had))
                        .map(had -> new JsonObject().put("username", a.username()).put("had_second_factor", had)))
                .map(code -> {
                    if (code == 0) {
                        out.println("ok   second factor of '" + Usernames.normalize(rawUsername)
                                + "' removed; its next sign-in enrols a new one");
                    }
                    return code;
                });
    }

    /** Runs a change on a named account and its audit row (actor "cli", with the reason) in one transaction. */
    private static Future<Integer> onAccount(Pool pool, AuditChainKeys keys, String rawUsername, String reason, String action, PrintStream out,
                                             java.util.function.BiFunction<org.consentrecorder.store.Tx,
                                                     AccountRepository.Account, Future<JsonObject>> change) {
        String username = Usernames.normalize(rawUsername == null ? "" : rawUsername);
        if (reason == null || reason.isBlank() || reason.length() > 500) {
            out.println("FAIL --reason must be 1 to 500 characters");
            return Future.succeededFuture(2);
        }
        Clock clock = Clock.systemUTC();
        AccountRepository accounts = new AccountRepository(pool, clock);
        AuditLog audit = new AuditLog(pool, keys, clock);
        return accounts.byUsername(username).compose(found -> {
            if (found.isEmpty()) {
                out.println("FAIL no account named '" + username + "'");
                return Future.succeededFuture(1);
            }
            AccountRepository.Account a = found.get();
            return new Transactions(pool).run(tx -> change.apply(tx, a).compose(detail ->
                            audit.append(tx, new AuditEntry("system", null, "cli", action, "account", a.id().toString(),
                                    reason, null, "ok", detail.encode()))))
                    .map(seq -> 0);
        }).recover(e -> {
            out.println("FAIL " + e.getMessage());
            return Future.succeededFuture(1);
        });
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
    static int create(DatabaseServer server, AuditChainKeys keys, String username, String role, String password,
                      PrintStream out) throws Exception {
        return CliDatabase.run(server, (vertx, pool) -> create(vertx, pool, keys, username, role, password, out));
    }

    static Future<Integer> create(Vertx vertx, Pool pool, AuditChainKeys keys, String rawUsername, String rawRole, String password, PrintStream out) {
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
        AuditLog audit = new AuditLog(pool, keys, clock);
        return vertx.executeBlocking(() -> new PasswordHasher().hash(password), false)
                .compose(hash -> new Transactions(pool).run(tx -> accounts.create(tx, username, hash, role, "cli")
                        .compose(a -> audit.append(tx, new AuditEntry("system", null, "cli", "accounts.create", "account",
                                a.id().toString(), null, null, "ok",
                                new JsonObject().put("username", username).put("role", role.wire())
                                        .put("break_glass", true).encode())))))
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
