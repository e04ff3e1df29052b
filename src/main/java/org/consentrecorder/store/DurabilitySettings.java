package org.consentrecorder.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.List;

/**
 * The three PostgreSQL settings that decide whether a commit survives a power cut or a kernel crash,
 * as the application's own sessions see them (synchronous_commit can be changed per database, role or
 * session, so it is read through a session rather than from the server's configuration file).
 * The archive deletes Asterisk's copy of a recording once the encrypted copy is committed; with any of
 * these off, that commit, and the consent evidence, can be lost after the only other copy is gone.
 */
public record DurabilitySettings(String fsync, String synchronousCommit, String fullPageWrites) {

    public static Future<DurabilitySettings> read(SqlClient client) {
        return client.query("select current_setting('fsync'), current_setting('synchronous_commit'), "
                        + "current_setting('full_page_writes')").execute()
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new DurabilitySettings(r.getString(0), r.getString(1), r.getString(2));
                });
    }

    /** One line per setting that is off, naming what to change; empty when commits are durable. */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        if ("off".equals(fsync)) {
            out.add("fsync is off: a power cut or kernel crash can lose committed data or corrupt the database; "
                    + "set fsync = on in postgresql.conf (or remove -F from the server's command line)");
        }
        if ("off".equals(synchronousCommit)) {
            out.add("synchronous_commit is off: the last commits before a crash can be lost after Asterisk's copy "
                    + "of a recording was deleted; set synchronous_commit = on (postgresql.conf, and check "
                    + "ALTER DATABASE / ALTER ROLE ... SET synchronous_commit)");
        }
        if ("off".equals(fullPageWrites)) {
            out.add("full_page_writes is off: a crash in the middle of a page write can corrupt the database; "
                    + "set full_page_writes = on in postgresql.conf");
        }
        return out;
    }

    /** "fsync=on, synchronous_commit=on, full_page_writes=on". */
    public String describe() {
        return "fsync=" + fsync + ", synchronous_commit=" + synchronousCommit + ", full_page_writes=" + fullPageWrites;
    }
}
