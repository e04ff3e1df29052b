package org.consentrecorder.admin;

/**
 * What the admin API reports for monitoring: sign-ins by result, lockouts and the audit trail's
 * writes. Never an account name or an address. Called on event loops: an implementation must not block.
 */
public interface AdminMetrics {
    /** Reports nothing: the default until the application plugs in its metrics. */
    AdminMetrics NOOP = new AdminMetrics() {
    };

    /** Results of {@code POST /auth/login}. */
    enum LoginResult {
        SUCCESS, WRONG_PASSWORD, UNKNOWN_ACCOUNT, ACCOUNT_DISABLED, THROTTLED;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    default void login(LoginResult result) {
    }

    /** A failed login brought an account or a source address to its limit: further tries are refused for a while. */
    default void lockout() {
    }

    /** An audit row was appended (inside its transaction). */
    default void auditAppended() {
    }

    /** An audit row could not be appended: whatever it was for is not served. */
    default void auditFailed() {
    }
}
