package org.consentrecorder.admin;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.consentrecorder.config.ConfigReader;

/**
 * Where the audit chain's head is anchored outside the database (docs/key-management.md "Audit anchors"): an
 * append-only file, optionally a syslog receiver, optionally an RFC 3161 time-stamping authority.
 *
 * @param anchorFile     {@value #ANCHOR_FILE}: one line per anchor, appended, never rewritten
 * @param interval       {@value #ANCHOR_INTERVAL}: how often the head is anchored (only when it moved)
 * @param syslog         {@value #ANCHOR_SYSLOG}: {@code host:port} of a syslog receiver (UDP, RFC 5424)
 * @param tsaUrl         {@value #TSA_URL}: the TSA's HTTP(S) endpoint (RFC 3161 over HTTP)
 * @param tsaCertificate {@value #TSA_CERT}: the TSA's signing certificate (PEM); tokens signed by another are refused
 */
public record AuditSettings(Optional<Path> anchorFile, Duration interval, Optional<SyslogTarget> syslog,
                            Optional<URI> tsaUrl, Optional<Path> tsaCertificate) {

    public static final String ANCHOR_FILE = "CR_AUDIT_ANCHOR_FILE";
    public static final String ANCHOR_INTERVAL = "CR_AUDIT_ANCHOR_INTERVAL";
    public static final String ANCHOR_SYSLOG = "CR_AUDIT_ANCHOR_SYSLOG";
    public static final String TSA_URL = "CR_AUDIT_TSA_URL";
    public static final String TSA_CERT = "CR_AUDIT_TSA_CERT";

    /** A syslog receiver. */
    public record SyslogTarget(String host, int port) {
    }

    /** No anchoring at all (tests, commands that only read). */
    public static AuditSettings none() {
        return new AuditSettings(Optional.empty(), Duration.ofMinutes(15), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    public boolean anchoring() {
        return anchorFile.isPresent() || syslog.isPresent() || tsaUrl.isPresent();
    }

    public static AuditSettings load(ConfigReader r) {
        Optional<Path> file = r.optional(ANCHOR_FILE).map(Path::of);
        file.ifPresent(f -> {
            Path dir = f.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                r.problem(ANCHOR_FILE, "its directory does not exist");
            } else if (Files.isDirectory(f)) {
                r.problem(ANCHOR_FILE, "is a directory, not a file");
            }
        });
        Duration interval = r.duration(ANCHOR_INTERVAL, Duration.ofMinutes(15), Duration.ofSeconds(1), Duration.ofDays(1));
        Optional<SyslogTarget> syslog = r.optional(ANCHOR_SYSLOG).flatMap(v -> {
            int colon = v.lastIndexOf(':');
            try {
                int port = Integer.parseInt(v.substring(colon + 1));
                if (colon > 0 && port > 0 && port < 65536) {
                    return Optional.of(new SyslogTarget(v.substring(0, colon), port));
                }
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                // below
            }
            r.problem(ANCHOR_SYSLOG, "must be host:port (UDP), e.g. 127.0.0.1:514");
            return Optional.empty();
        });
        Optional<URI> tsa = r.optional(TSA_URL).map(v -> r.httpUrl(TSA_URL, "http://invalid"));
        Optional<Path> cert = r.optional(TSA_CERT).map(Path::of);
        cert.ifPresent(c -> {
            if (!Files.isReadable(c)) {
                r.problem(TSA_CERT, "is not a readable file");
            }
        });
        if (cert.isPresent() && tsa.isEmpty()) {
            r.problem(TSA_CERT, "is set but " + TSA_URL + " is not");
        }
        return new AuditSettings(file, interval, syslog, tsa, cert);
    }
}
