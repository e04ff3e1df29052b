package org.consentrecorder.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.consentrecorder.config.Secret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may connect to the embedded PostgreSQL, and as what. The library creates a cluster with
 * {@code initdb -A trust}: every local user could connect as the superuser. At every start, as the
 * bootstrap superuser, this class makes the cluster what it must be, whatever it was before:
 *
 * <ol>
 *   <li>the owner role (migrations; owns every object of the schema) and the application's role
 *       (no ownership, only the privileges {@link AppRolePrivileges} grants) exist, with the
 *       passwords of {@link EmbeddedPasswords}, and the superuser has its password;</li>
 *   <li>objects a data directory of an earlier version created as the superuser are handed to the
 *       owner role (so migrations keep running, as the owner);</li>
 *   <li>{@code pg_hba.conf} accepts SCRAM-SHA-256 password authentication only; a trust file is
 *       rewritten and the server told to reload it.</li>
 * </ol>
 *
 * Every step is idempotent and the order makes a crash anywhere harmless: the file is rewritten
 * only after the passwords it will ask for are set. A new cluster asks for passwords from its
 * creation on ({@link NewClusterAuthentication}); a directory of an earlier version had trust until
 * the first start with this version.
 */
final class EmbeddedAccess {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedAccess.class);
    static final String HBA = "pg_hba.conf";
    /** The first line of the file this class writes: how a rewritten file is recognized. */
    static final String HBA_MARKER = "# consent-recorder: password (SCRAM-SHA-256) authentication only";
    static final String HBA_CONTENT = HBA_MARKER + "\n"
            + "# Written by consent-recorder at start-up (store.EmbeddedAccess); edits are replaced.\n"
            + "# TYPE  DATABASE  USER  ADDRESS        METHOD\n"
            + "local   all       all                  scram-sha-256\n"
            + "host    all       all   127.0.0.1/32   scram-sha-256\n"
            + "host    all       all   ::1/128        scram-sha-256\n";

    private EmbeddedAccess() {
    }

    /** True when the data directory's pg_hba.conf is the password-only one this class writes. */
    static boolean written(Path dataDirectory) throws IOException {
        Path hba = dataDirectory.resolve(HBA);
        return Files.exists(hba) && Files.readString(hba, StandardCharsets.UTF_8).startsWith(HBA_MARKER);
    }

    /** True when the cluster lets nobody in without a password: a pg_hba.conf without a trust line. */
    static boolean passwordsRequired(Path dataDirectory) throws IOException {
        Path hba = dataDirectory.resolve(HBA);
        if (!Files.exists(hba)) {
            return false;
        }
        return Files.readAllLines(hba, StandardCharsets.UTF_8).stream()
                .map(line -> line.replaceAll("#.*$", "").trim())
                .filter(line -> !line.isEmpty())
                .noneMatch(line -> java.util.Arrays.asList(line.split("\\s+")).contains("trust"));
    }

    /** Blocking; the server runs on the directory and listens on 127.0.0.1:port. */
    static void secure(Path dataDirectory, int port, EmbeddedPasswords passwords) throws IOException {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        try (Connection c = DriverManager.getConnection(url, EmbeddedPasswords.SUPERUSER,
                passwords.superuser().reveal())) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                // the password is hashed with SCRAM by the server before it is stored
                s.execute("set local password_encryption = 'scram-sha-256'");
                s.execute("alter role " + EmbeddedPasswords.SUPERUSER + " password " + literal(passwords.superuser()));
                ensureRole(c, EmbeddedPasswords.OWNER, passwords.owner());
                ensureRole(c, EmbeddedPasswords.APP, passwords.app());
                // the owner creates the schema's objects; nobody else creates anything in it
                s.execute("alter schema public owner to " + EmbeddedPasswords.OWNER);
                s.execute("revoke create on schema public from public");
                int moved = handOverObjects(c);
                if (moved > 0) {
                    LOG.info("embedded PostgreSQL: {} object(s) created by an earlier version as {} now belong to {}",
                            moved, EmbeddedPasswords.SUPERUSER, EmbeddedPasswords.OWNER);
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw new IOException("embedded PostgreSQL: cannot set up its roles: " + e.getMessage(), e);
        }
        if (!written(dataDirectory)) {
            writeHba(dataDirectory);
            try (Connection c = DriverManager.getConnection(url, EmbeddedPasswords.SUPERUSER,
                    passwords.superuser().reveal());
                 Statement s = c.createStatement()) {
                s.execute("select pg_reload_conf()");
            } catch (SQLException e) {
                throw new IOException("embedded PostgreSQL: cannot reload " + HBA + ": " + e.getMessage(), e);
            }
            LOG.info("embedded PostgreSQL: {} now asks every connection for a password (SCRAM-SHA-256); the "
                    + "passwords are in {}", HBA, EmbeddedPasswords.fileFor(dataDirectory));
        }
    }

    private static void ensureRole(Connection c, String role, Secret password) throws SQLException {
        boolean exists;
        try (PreparedStatement p = c.prepareStatement("select 1 from pg_roles where rolname = ?")) {
            p.setString(1, role);
            try (ResultSet r = p.executeQuery()) {
                exists = r.next();
            }
        }
        try (Statement s = c.createStatement()) {
            // NOINHERIT etc. are the defaults that matter here: no superuser, no role creation, no bypass of row security
            String attributes = " login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password "
                    + literal(password);
            s.execute((exists ? "alter role " : "create role ") + role + attributes);
        }
    }

    /**
     * Tables (with their sequences), views, free-standing sequences and functions of schema public
     * still owned by the superuser: a data directory of a version that ran everything as it.
     */
    private static int handOverObjects(Connection c) throws SQLException {
        String owner = EmbeddedPasswords.OWNER;
        java.util.List<String> statements = new java.util.ArrayList<>();
        try (Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("select c.relkind, quote_ident(c.relname) from pg_class c "
                    + "where c.relnamespace = 'public'::regnamespace and c.relowner = 'postgres'::regrole "
                    + "and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S') "
                    // a sequence owned by a column moves with its table
                    + "and not (c.relkind = 'S' and exists (select 1 from pg_depend d "
                    + "where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i')))")) {
                while (r.next()) {
                    String kind = switch (r.getString(1)) {
                        case "v" -> "view";
                        case "m" -> "materialized view";
                        case "f" -> "foreign table";
                        case "S" -> "sequence";
                        default -> "table";
                    };
                    statements.add("alter " + kind + " " + r.getString(2) + " owner to " + owner);
                }
            }
            try (ResultSet r = s.executeQuery("select p.oid::regprocedure from pg_proc p "
                    + "where p.pronamespace = 'public'::regnamespace and p.proowner = 'postgres'::regrole")) {
                while (r.next()) {
                    statements.add("alter routine " + r.getString(1) + " owner to " + owner);
                }
            }
            for (String statement : statements) {
                s.execute(statement);
            }
        }
        return statements.size();
    }

    private static void writeHba(Path dataDirectory) throws IOException {
        Path hba = dataDirectory.resolve(HBA);
        Path temp = dataDirectory.resolve(HBA + ".tmp");
        Files.writeString(temp, HBA_CONTENT, StandardCharsets.UTF_8);
        Files.move(temp, hba, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The passwords are URL-safe base64 (EmbeddedPasswords); quoted anyway, so a hand-edited one cannot inject. */
    private static String literal(Secret value) {
        return "'" + value.reveal().replace("'", "''") + "'";
    }
}
