package org.consentrecorder.architecture.planted.privacy;

import io.vertx.sqlclient.SqlConnection;
import org.consentrecorder.store.Tx;

/** A planted mistake: a service reaching into the transaction it should only pass on. */
public final class PlantedConsentService {
    public SqlConnection connectionOf(Tx tx) {
        return tx.connection();
    }
}
