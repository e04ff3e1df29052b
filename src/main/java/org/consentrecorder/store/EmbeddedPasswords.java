package org.consentrecorder.store;

import java.io.IOException;
import java.io.StringReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.consentrecorder.config.Secret;

/**
 * The passwords of the embedded PostgreSQL's roles, generated at random on the first start and kept
 * in one file beside the data directory ({@code data/postgres.passwords} for {@code data/postgres}),
 * readable by its owner only (0600). Beside and not inside: a copy of the data directory handed to
 * someone (a support case, a test restore) does not carry the passwords with it, and initdb wants
 * an empty directory.
 *
 * <p>Three roles: the bootstrap superuser {@code postgres} (used only at start-up to keep the other
 * two as they must be), the owner of the schema (migrations) and the application's role.
 */
record EmbeddedPasswords(Secret superuser, Secret owner, Secret app) {
    static final String SUPERUSER = "postgres";
    static final String OWNER = "consent_recorder_owner";
    static final String APP = "consent_recorder";
    static final String SUFFIX = ".passwords";
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);

    /** The file for a data directory: its sibling named after it. */
    static Path fileFor(Path dataDirectory) {
        Path dir = dataDirectory.toAbsolutePath().normalize();
        return dir.resolveSibling(dir.getFileName() + SUFFIX);
    }

    /** Empty when the file does not exist; fails when it exists but is not what this class writes. */
    static Optional<EmbeddedPasswords> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        String su = p.getProperty(SUPERUSER, "");
        String owner = p.getProperty(OWNER, "");
        String app = p.getProperty(APP, "");
        if (su.isEmpty() || owner.isEmpty() || app.isEmpty()) {
            throw new IOException(file + " must hold the passwords of " + SUPERUSER + ", " + OWNER + " and " + APP
                    + "; restore it from the backup taken with the data directory");
        }
        tightenIfOpen(file);
        return Optional.of(new EmbeddedPasswords(Secret.of(su), Secret.of(owner), Secret.of(app)));
    }

    /** New random passwords, written (0600, atomically) to the file, which must not exist yet. */
    static EmbeddedPasswords generate(Path file) throws IOException {
        EmbeddedPasswords generated = new EmbeddedPasswords(random(), random(), random());
        String text = "# Passwords of the embedded PostgreSQL's roles (SCRAM-SHA-256), generated on its first start.\n"
                + "# Keep this file with the data directory's backups, apart from the keyring; without it the\n"
                + "# database cannot be opened. psql: PGPASSWORD=<" + OWNER + "> psql -h 127.0.0.1 -p <port> -U "
                + OWNER + " postgres\n"
                + SUPERUSER + "=" + generated.superuser.reveal() + "\n"
                + OWNER + "=" + generated.owner.reveal() + "\n"
                + APP + "=" + generated.app.reveal() + "\n";
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        try (FileChannel channel = posix
                ? FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                : FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        // rename(2): readers see no file or the whole file, never half of one
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        return generated;
    }

    /** A copy restored without its permissions is made owner-only again: it is a password file. */
    private static void tightenIfOpen(Path file) throws IOException {
        if (!Files.getFileStore(file).supportsFileAttributeView("posix")) {
            return;
        }
        if (!OWNER_ONLY.containsAll(Files.getPosixFilePermissions(file))) {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        }
    }

    /** 32 random bytes, URL-safe base64: no character that needs quoting in SQL, a URL or a properties file. */
    private static Secret random() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Secret.of(Base64.getUrlEncoder().withoutPadding().encodeToString(b));
    }
}
