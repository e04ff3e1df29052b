package org.consentrecorder.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The console's static files, read from the jar (or the classes directory) once at start into
 * memory. They are small (tens of kilobytes); holding them avoids Vert.x's classpath file cache,
 * which would copy them to a directory on disk, and blocking reads on the event loop. Only files
 * found here are ever served, so no request path reaches the file system.
 */
final class ConsoleFiles {
    /** What is served for a path: the bytes, their media type and a strong validator. */
    record File(byte[] body, String contentType, String etag) {
    }

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png");

    private final Map<String, File> files;

    private ConsoleFiles(Map<String, File> files) {
        this.files = files;
    }

    /** The file at a path relative to the console's root ({@code js/app.js}), if there is one. */
    Optional<File> get(String path) {
        return Optional.ofNullable(files.get(path));
    }

    int size() {
        return files.size();
    }

    /** Loads every file under the classpath directory {@code root}; fails when index.html is missing. */
    static ConsoleFiles load(String root) {
        return load(ConsoleFiles.class.getClassLoader(), root);
    }

    /** As {@link #load(String)} from a class loader's resources: a directory in development, the jar in production. */
    static ConsoleFiles load(ClassLoader loader, String root) {
        URL index = loader.getResource(root + "/index.html");
        if (index == null) {
            throw new IllegalStateException("/" + root + "/index.html is missing from the classpath");
        }
        try {
            URI uri = index.toURI();
            if (!"jar".equals(uri.getScheme())) {
                return new ConsoleFiles(read(Path.of(uri).getParent()));
            }
            FileSystem opened = null;
            FileSystem jar;
            try {
                jar = opened = FileSystems.newFileSystem(uri, Map.of());
            } catch (FileSystemAlreadyExistsException e) {
                jar = FileSystems.getFileSystem(uri);
            }
            try {
                return new ConsoleFiles(read(jar.getPath("/" + root)));
            } finally {
                if (opened != null) {
                    opened.close();
                }
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException("console files: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        } catch (IOException e) {
            throw new UncheckedIOException("console files cannot be read", e);
        }
    }

    private static Map<String, File> read(Path dir) throws IOException, NoSuchAlgorithmException {
        Map<String, File> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                String relative = dir.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
                String ext = relative.substring(relative.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
                String type = TYPES.get(ext);
                if (type == null) {
                    // a file nobody thought about would be served with a guessed type: refuse to start instead
                    throw new IllegalStateException("console file " + relative + " has no known media type");
                }
                byte[] body = Files.readAllBytes(p);
                out.put(relative, new File(body, type, "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body), 0, 16) + "\""));
            }
        }
        return out;
    }
}
