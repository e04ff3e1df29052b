package org.consentrecorder.store;

import io.vertx.sqlclient.SqlConnection;

/**
 * An open database transaction, handed by {@link Transactions} to every repository method that
 * takes part in it, so that a change and its audit row commit together or not at all. Code outside
 * the repositories only passes it on: the connection is for repositories (the architecture test
 * holds to that).
 */
public final class Tx {
    private final SqlConnection connection;

    private Tx(SqlConnection connection) {
        this.connection = connection;
    }

    /** For repositories and {@link Transactions}: the connection the transaction runs on. */
    public static Tx on(SqlConnection connection) {
        return new Tx(connection);
    }

    /** For repositories only: where their statements go. */
    public SqlConnection connection() {
        return connection;
    }
}
