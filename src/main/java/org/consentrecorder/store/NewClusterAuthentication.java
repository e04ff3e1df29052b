package org.consentrecorder.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * A new cluster is created with password authentication from its first moment. The library runs
 * {@code initdb -A trust -U postgres ...} and appends the "locale" options it is given as
 * {@code --key=value}; initdb takes the last {@code --auth} it reads, so {@code --auth=scram-sha-256}
 * with {@code --pwfile} (the superuser's password, in an owner-only file that is deleted once the
 * server is up) leaves no moment in which a local user could connect without a password. An existing
 * cluster is not initialized again: these options are then not used (and nothing is written).
 */
final class NewClusterAuthentication implements AutoCloseable {
    private final Path pwfile;

    private NewClusterAuthentication(Path pwfile) {
        this.pwfile = pwfile;
    }

    static NewClusterAuthentication prepare(Path dataDirectory, EmbeddedPasswords passwords) throws IOException {
        Path dir = dataDirectory.toAbsolutePath().normalize();
        Path file = dir.resolveSibling("." + dir.getFileName() + ".initdb-password");
        // one left by a run killed during initdb holds nothing the passwords file does not, but goes
        Files.deleteIfExists(file);
        if (Files.exists(dir.resolve("PG_VERSION"))) {
            return new NewClusterAuthentication(null);
        }
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        try (FileChannel channel = posix
                ? FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap((passwords.superuser().reveal() + "\n")
                    .getBytes(StandardCharsets.UTF_8)));
        }
        return new NewClusterAuthentication(file);
    }

    /** initdb options (given to the library as locale settings, which it passes as --key=value). */
    Map<String, String> options() {
        return pwfile == null ? Map.of() : Map.of("auth", "scram-sha-256", "pwfile", pwfile.toString());
    }

    @Override
    public void close() throws IOException {
        if (pwfile != null) {
            Files.deleteIfExists(pwfile);
        }
    }
}
