package org.consentrecorder.admin;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The anchor file: one JSON line per anchor, {@code {"seq":…,"hash":"…","at":"…"}}, only ever appended (opened with
 * O_APPEND and forced to disk). Blocking: call it from a worker thread. The file belongs outside the database and
 * its backups, ideally on storage the database's owner cannot write (a different host's mount, a WORM bucket synced
 * from it, chattr +a): what it proves is only as strong as that.
 */
public final class AuditAnchorFile {
    private final Path path;

    public AuditAnchorFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    public void append(AuditAnchor anchor) throws IOException {
        byte[] line = (new JsonObject().put("seq", anchor.seq()).put("hash", HexFormat.of().formatHex(anchor.hash()))
                .put("at", anchor.at().toString()).encode() + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
    }

    /**
     * Every anchor in the file (none if it does not exist yet).
     *
     * @throws IOException if it cannot be read, or a line is not an anchor (a damaged anchor file is reported, never
     *                     skipped)
     */
    public List<AuditAnchor> readAll() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<AuditAnchor> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            try {
                JsonObject o = new JsonObject(line);
                byte[] hash = HexFormat.of().parseHex(o.getString("hash"));
                if (hash.length != 32 || o.getLong("seq") == null || o.getLong("seq") < 1) {
                    throw new IllegalArgumentException("bad seq or hash");
                }
                out.add(new AuditAnchor(o.getLong("seq"), hash, Instant.parse(o.getString("at")),
                        "file line " + (i + 1)));
            } catch (DecodeException | ClassCastException | IllegalArgumentException | NullPointerException
                     | java.time.format.DateTimeParseException e) {
                throw new IOException("line " + (i + 1) + " of the anchor file " + path + " is not an anchor");
            }
        }
        return out;
    }
}
