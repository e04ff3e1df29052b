package org.consentrecorder.testing;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * How a test gets into an embedded database the application made: the passwords file beside its data
 * directory (data/postgres.passwords for data/postgres), as an operator with psql would.
 */
public final class EmbeddedLogins {
    public static final String SUPERUSER = "postgres";
    public static final String OWNER = "consent_recorder_owner";
    public static final String APP = "consent_recorder";

    private EmbeddedLogins() {
    }

    public static Path file(Path dataDirectory) {
        Path dir = dataDirectory.toAbsolutePath().normalize();
        return dir.resolveSibling(dir.getFileName() + ".passwords");
    }

    public static String password(Path dataDirectory, String role) {
        try {
            Properties p = new Properties();
            p.load(new StringReader(Files.readString(file(dataDirectory))));
            String password = p.getProperty(role);
            if (password == null || password.isEmpty()) {
                throw new IllegalStateException("no password of " + role + " in " + file(dataDirectory));
            }
            return password;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
