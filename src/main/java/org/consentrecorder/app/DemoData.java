package org.consentrecorder.app;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;
import org.consentrecorder.crypto.KeyringLoader;

/**
 * The demo's data directory: the embedded database, the key store, a demo keyring and the demo
 * accounts' passwords, all in one place (which is exactly what a production deployment must not
 * do: the keyring lies beside the data it protects). A throwaway directory is deleted when the demo
 * stops; a named one (--data-dir) keeps its calls, keyring and accounts for the next demo.
 */
final class DemoData {
    /** The demo keyring's only key-encryption key; the name says what it is wherever it is shown. */
    static final String KEK_ID = "demo-not-for-production:1";
    static final String ADMIN_USER = "demo-admin";
    static final String COMPLIANCE_USER = "demo-compliance";
    private static final char[] PASSWORD_ALPHABET =
            "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();

    /** The two demo accounts, with the passwords generated at the directory's first start. */
    record Accounts(String adminPassword, String compliancePassword) {
        @Override
        public String toString() {
            return "Accounts[passwords hidden]";
        }
    }

    private final Path root;
    private final boolean throwaway;
    private final DataDirectoryMarkers.DemoDirectory state;

    private DemoData(Path root, boolean throwaway, DataDirectoryMarkers.DemoDirectory state) {
        this.root = root;
        this.throwaway = throwaway;
        this.state = state;
    }

    /** A named directory: new, empty, or made by an earlier demo; anything else is refused. */
    static DemoData named(Path directory) {
        Path root = directory.toAbsolutePath().normalize();
        return new DemoData(root, false, DataDirectoryMarkers.claimForDemo(root));
    }

    /** A fresh directory in the temp directory, deleted by {@link #deleteIfThrowaway()}. */
    static DemoData throwaway() {
        try {
            Path root = Files.createTempDirectory("consent-recorder-demo-");
            return new DemoData(root, true, DataDirectoryMarkers.claimForDemo(root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the demo", e);
        }
    }

    Path root() {
        return root;
    }

    boolean isThrowaway() {
        return throwaway;
    }

    /** True at the directory's first start (nothing in it yet). */
    boolean isFresh() {
        return state == DataDirectoryMarkers.DemoDirectory.FRESH;
    }

    Path database() {
        return root.resolve("postgres");
    }

    Path keyStore() {
        return root.resolve("keys");
    }

    Path keyring() {
        return root.resolve("demo-keyring.json");
    }

    private Path accountsFile() {
        return root.resolve("demo-accounts.properties");
    }

    /** The demo keyring, generated at the first start: one random KEK named {@value #KEK_ID}. */
    Path ensureKeyring() {
        Path file = keyring();
        if (!Files.exists(file)) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            String json = "{\n  \"format\": \"" + KeyringLoader.FILE_FORMAT + "\",\n  \"keys\": [ {\"id\": \"" + KEK_ID
                    + "\", \"key\": \"" + Base64.getEncoder().encodeToString(key) + "\"} ]\n}\n";
            java.util.Arrays.fill(key, (byte) 0);
            writePrivate(file, json);
        }
        return file;
    }

    /** The demo accounts' passwords: read back, or generated and saved at the first start. */
    Accounts accounts() {
        Path file = accountsFile();
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            String admin = p.getProperty("admin.password");
            String compliance = p.getProperty("compliance.password");
            if (admin == null || compliance == null) {
                throw new DataDirectoryMarkers.Refused(file + " lacks a demo password; delete the demo directory "
                        + root + " and start again");
            }
            return new Accounts(admin, compliance);
        }
        Accounts accounts = new Accounts(password(), password());
        p.setProperty("admin.user", ADMIN_USER);
        p.setProperty("admin.password", accounts.adminPassword());
        p.setProperty("compliance.user", COMPLIANCE_USER);
        p.setProperty("compliance.password", accounts.compliancePassword());
        java.io.StringWriter text = new java.io.StringWriter();
        try (Writer out = text) {
            p.store(out, "consent-recorder DEMO accounts (no second factor; never for production)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writePrivate(file, text.toString());
        return accounts;
    }

    /** Deletes a throwaway directory and everything in it; a named one is kept. */
    void deleteIfThrowaway() {
        if (!throwaway || !Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the demo directory " + root, e);
        }
    }

    /** 20 characters of an unambiguous alphabet: about 115 bits. */
    static String password() {
        SecureRandom random = new SecureRandom();
        StringBuilder s = new StringBuilder(20);
        for (int i = 0; i < 20; i++) {
            s.append(PASSWORD_ALPHABET[random.nextInt(PASSWORD_ALPHABET.length)]);
        }
        return s.toString();
    }

    /** Written to a temporary file readable by the owner only, then moved into place. */
    private static void writePrivate(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp);
            }
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
