package org.consentrecorder.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL refuses to start on a data directory that others may read or anyone but its owner may
 * write ("data directory has invalid permissions"). A directory restored from a backup with a plain
 * copy often is such a directory; rather than fail the start, the embedded server's directory is
 * made private to its owner again, with a warning.
 */
final class DataDirectoryPermissions {
    private static final Logger LOG = LoggerFactory.getLogger(DataDirectoryPermissions.class);
    /** What PostgreSQL accepts: at most rwxr-x--- (group read needs initdb --allow-group-access; 0700 always works). */
    private static final Set<PosixFilePermission> TOO_OPEN = EnumSet.of(PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private DataDirectoryPermissions() {
    }

    /** Only an existing cluster (PG_VERSION present): a new one gets its permissions from initdb. True if changed. */
    static boolean makePrivate(Path dataDirectory) throws IOException {
        if (!Files.exists(dataDirectory.resolve("PG_VERSION"))
                || !Files.getFileStore(dataDirectory).supportsFileAttributeView("posix")) {
            return false;
        }
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(dataDirectory);
        if (now.stream().noneMatch(TOO_OPEN::contains)) {
            return false;
        }
        Files.setPosixFilePermissions(dataDirectory, PosixFilePermissions.fromString("rwx------"));
        LOG.warn("embedded PostgreSQL: {} was {} (PostgreSQL refuses a data directory others can read); now rwx------. "
                + "Restore backups with their permissions (cp -a, tar -p)", dataDirectory,
                PosixFilePermissions.toString(now));
        return true;
    }
}
