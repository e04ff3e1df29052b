package org.consentrecorder.keystore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.consentrecorder.crypto.KekId;
import org.consentrecorder.crypto.SharedKeyTable;
import org.consentrecorder.crypto.WrappedSubjectKey;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The shared key table in PostgreSQL (schema {@code keystore}, see db/keystore). Blocking JDBC on purpose: the
 * {@code SubjectKeyStore} contract is synchronous, its callers already run it on worker threads (as they run the
 * file store's I/O), and the command-line tools open it without Vert.x. One short connection per operation: the
 * store is used once per recording archived, played or erased, never on a call's pause path.
 *
 * <p>Every race between instances is decided by one statement: {@code on conflict do nothing} for the index key
 * and a subject's reference, an {@code update} that finds no row for a key destroyed meanwhile, and a cascading
 * delete that takes a key and its reference in one step.
 */
final class SubjectKeyRepository implements SharedKeyTable {

    private final PGSimpleDataSource source;
    private final String description;

    SubjectKeyRepository(PGSimpleDataSource source, String description) {
        this.source = source;
        this.description = description;
    }

    @FunctionalInterface
    private interface Work<T> {
        T on(Connection c) throws SQLException;
    }

    private <T> T run(String what, Work<T> work) {
        try (Connection c = source.getConnection()) {
            return work.on(c);
        } catch (SQLException e) {
            // the SQLSTATE, never the message: a driver message can quote the values of a row
            throw new KeyStoreUnavailableException("subject key store " + description + ": cannot " + what
                    + " (SQLSTATE " + e.getSQLState() + ")", e);
        }
    }

    private static Optional<WrappedSubjectKey> one(PreparedStatement s) throws SQLException {
        try (ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new WrappedSubjectKey(rs.getString(1), KekId.parse(rs.getString(2)), rs.getBytes(3)));
        }
    }

    @Override
    public Optional<WrappedSubjectKey> indexKey() {
        return run("read the index key", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "select key_id, kek_id, wrapped_key from keystore.index_key")) {
                return one(s);
            }
        });
    }

    @Override
    public WrappedSubjectKey indexKeyIfAbsent(WrappedSubjectKey candidate) {
        return run("store the index key", c -> {
            try (PreparedStatement s = c.prepareStatement("insert into keystore.index_key (key_id, kek_id, wrapped_key) "
                    + "values (?, ?, ?) on conflict (key_id) do nothing")) {
                s.setString(1, candidate.keyId());
                s.setString(2, candidate.kekId().toString());
                s.setBytes(3, candidate.wrappedKey());
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement(
                    "select key_id, kek_id, wrapped_key from keystore.index_key")) {
                return one(s).orElseThrow(() -> new SQLException("index key vanished", "55000"));
            }
        });
    }

    @Override
    public void replaceIndexKey(WrappedSubjectKey rewrapped) {
        run("rewrap the index key", c -> {
            try (PreparedStatement s = c.prepareStatement("update keystore.index_key set kek_id = ?, wrapped_key = ?, "
                    + "updated_at = now() where key_id = ?")) {
                s.setString(1, rewrapped.kekId().toString());
                s.setBytes(2, rewrapped.wrappedKey());
                s.setString(3, rewrapped.keyId());
                return s.executeUpdate();
            }
        });
    }

    @Override
    public Optional<String> reference(String lookup) {
        return run("read a subject reference", c -> {
            try (PreparedStatement s = c.prepareStatement("select key_id from keystore.subject_key_ref where lookup = ?")) {
                s.setString(1, lookup);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public String referenceIfAbsent(String lookup, String keyId) {
        return run("store a subject reference", c -> {
            // the winner's key may be destroyed between our insert and our read: then there is room again
            for (int attempt = 0; attempt < 5; attempt++) {
                try (PreparedStatement s = c.prepareStatement("insert into keystore.subject_key_ref (lookup, key_id) "
                        + "values (?, ?) on conflict (lookup) do nothing")) {
                    s.setString(1, lookup);
                    s.setString(2, keyId);
                    if (s.executeUpdate() == 1) {
                        return keyId;
                    }
                }
                try (PreparedStatement s = c.prepareStatement(
                        "select key_id from keystore.subject_key_ref where lookup = ?")) {
                    s.setString(1, lookup);
                    try (ResultSet rs = s.executeQuery()) {
                        if (rs.next()) {
                            return rs.getString(1);
                        }
                    }
                }
            }
            throw new SQLException("subject reference keeps changing", "40001");
        });
    }

    @Override
    public Optional<WrappedSubjectKey> wrappedKey(String keyId) {
        return run("read a subject key", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "select key_id, kek_id, wrapped_key from keystore.subject_key where key_id = ?")) {
                s.setString(1, keyId);
                return one(s);
            }
        });
    }

    @Override
    public void insertWrappedKey(WrappedSubjectKey wrapped) {
        run("store a subject key", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "insert into keystore.subject_key (key_id, kek_id, wrapped_key) values (?, ?, ?)")) {
                s.setString(1, wrapped.keyId());
                s.setString(2, wrapped.kekId().toString());
                s.setBytes(3, wrapped.wrappedKey());
                return s.executeUpdate();
            }
        });
    }

    @Override
    public boolean replaceWrappedKey(WrappedSubjectKey rewrapped) {
        return run("rewrap a subject key", c -> {
            try (PreparedStatement s = c.prepareStatement("update keystore.subject_key set kek_id = ?, wrapped_key = ?, "
                    + "rewrapped_at = now() where key_id = ?")) {
                s.setString(1, rewrapped.kekId().toString());
                s.setBytes(2, rewrapped.wrappedKey());
                s.setString(3, rewrapped.keyId());
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean deleteKey(String keyId) {
        return run("destroy a subject key", c -> {
            try (PreparedStatement s = c.prepareStatement("delete from keystore.subject_key where key_id = ?")) {
                s.setString(1, keyId);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<String> keyIds() {
        return run("list subject keys", c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("select key_id from keystore.subject_key order by key_id");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        });
    }

    @Override
    public String toString() {
        return "PostgreSQL " + description;
    }
}
