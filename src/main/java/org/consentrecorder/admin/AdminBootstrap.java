package org.consentrecorder.admin;

import io.vertx.core.Future;
import org.consentrecorder.crypto.AuditChainKeys;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import org.consentrecorder.store.Transactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first admin. With {@code CR_ADMIN_PASSWORD} set, creates the account {@code CR_ADMIN_USER}
 * (role admin) on the first start; an existing account is left as it is (its password is changed
 * through the API). Without a password, start-up is refused unless an active admin already exists
 * (e.g. from {@code admin create}) or {@code CR_DEV_MODE=true}.
 */
public final class AdminBootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(AdminBootstrap.class);

    private AdminBootstrap() {
    }

    /** Thrown when the application must not start. */
    public static final class RefusedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }
    }

    /**
     * Seals the legacy audit segment if the V28 migration left one ({@link AuditLog#sealLegacySegment}), then makes
     * sure an admin account exists.
     */
    public static Future<Void> run(Vertx vertx, Pool pool, AdminConfig config, AuditChainKeys keys, Clock clock) {
        AuditLog audit = new AuditLog(pool, keys, clock);
        return audit.sealLegacySegment()
                .onSuccess(sealed -> {
                    if (sealed) {
                        LOG.info("audit chain: the legacy segment is sealed by the first keyed row");
                    }
                })
                .compose(v -> ensureAdmin(vertx, pool, config, audit, clock));
    }

    private static Future<Void> ensureAdmin(Vertx vertx, Pool pool, AdminConfig config, AuditLog audit, Clock clock) {
        if (config.devMode()) {
            LOG.warn("**************************************************************************");
            LOG.warn("* {}=true: DEVELOPMENT MODE. Weak or missing admin secrets are accepted. *", AdminConfig.DEV_MODE);
            LOG.warn("* Never run a production system like this.                               *");
            LOG.warn("**************************************************************************");
        }
        AccountRepository accounts = new AccountRepository(pool, clock);
        if (config.adminPassword().isEmpty()) {
            return accounts.countActiveAdmins().compose(n -> {
                if (n > 0) {
                    return Future.succeededFuture();
                }
                String message = "no admin account exists and " + AdminConfig.ADMIN_PASSWORD + " is not set: set "
                        + AdminConfig.ADMIN_USER + " and " + AdminConfig.ADMIN_PASSWORD + ", or create one with "
                        + "'java -jar consent-recorder.jar admin create --username NAME --role admin'";
                if (config.devMode()) {
                    LOG.warn("{} (allowed in development mode: the admin API has no usable account)", message);
                    return Future.succeededFuture();
                }
                return Future.failedFuture(new RefusedException(message));
            });
        }
        String password = config.adminPassword().get().reveal();
        PasswordPolicy.problem(config.adminUser(), password).ifPresent(p ->
                LOG.warn("DEVELOPMENT MODE: {} {}; never use it outside development", AdminConfig.ADMIN_PASSWORD, p));
        return accounts.byUsername(config.adminUser()).compose(existing -> {
            if (existing.isPresent()) {
                LOG.info("admin account '{}' exists; {} is only used to create it", config.adminUser(),
                        AdminConfig.ADMIN_PASSWORD);
                return Future.succeededFuture();
            }
            PasswordHasher hasher = new PasswordHasher();
            return vertx.executeBlocking(() -> hasher.hash(password), false)
                    .compose(hash -> new Transactions(pool).run(tx -> accounts.create(tx, config.adminUser(), hash, Role.ADMIN, "config")
                            .compose(a -> audit.append(tx, new AuditEntry("system", null, "config", "accounts.bootstrap",
                                    "account", a.id().toString(), null, null, "ok",
                                    new JsonObject().put("username", a.username()).put("role", "admin").encode())))))
                    .onSuccess(seq -> LOG.info("created admin account '{}' from {}", config.adminUser(), AdminConfig.ADMIN_USER))
                    .mapEmpty();
        });
    }
}
