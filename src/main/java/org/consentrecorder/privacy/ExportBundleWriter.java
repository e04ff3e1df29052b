package org.consentrecorder.privacy;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a subject-access bundle as a zip with the JDK's {@link ZipOutputStream}: {@code README.txt},
 * {@code manifest.json}, then each recording under {@code recordings/}. Blocking, so it runs on a
 * worker thread; recordings are copied through a small buffer, never held whole. Each recording's
 * SHA-256 is computed on the way through and must equal the one the manifest states (the archive
 * verified it when the recording was stored): a bundle is either exact or not delivered.
 */
public final class ExportBundleWriter {
    static final String MANIFEST = "manifest.json";
    static final String README = "README.txt";
    /** The manifest's JSON Schema travels with it: the bundle is the portable format (Art. 20). */
    static final String SCHEMA = "manifest.schema.json";
    /** Where the build puts docs/subject-export.schema.json on the classpath (pom.xml). */
    public static final String SCHEMA_RESOURCE = "/privacy/subject-export.schema.json";
    private static final int COPY_BUFFER = 64 * 1024;

    /** A recording to put in the bundle: where, how long, and the SHA-256 it must have. */
    public record RecordingFile(UUID recordingId, String path, long bytes, String sha256) {
    }

    /** Opens a recording's decrypted audio as a blocking stream. */
    @FunctionalInterface
    interface RecordingSource {
        InputStream open(UUID recordingId, long bytes) throws IOException;
    }

    /** What went out: for the request's record. */
    public record Summary(long bundleBytes, String bundleSha256, int recordings, long audioBytes) {
        public JsonObject toJson() {
            return new JsonObject().put("bundle_bytes", bundleBytes).put("bundle_sha256", bundleSha256)
                    .put("recordings", recordings).put("audio_bytes", audioBytes);
        }
    }

    private ExportBundleWriter() {
    }

    static Summary write(OutputStream target, JsonObject manifest, String readme, List<RecordingFile> files,
                         RecordingSource source) throws IOException {
        MessageDigest bundleDigest = sha256();
        CountingOutputStream counted = new CountingOutputStream(target);
        long audio = 0;
        try (ZipOutputStream zip = new ZipOutputStream(new DigestOutputStream(counted, bundleDigest),
                StandardCharsets.UTF_8)) {
            // audio barely compresses: trade ratio for CPU on a shared machine
            zip.setLevel(Deflater.BEST_SPEED);
            putText(zip, README, readme);
            putText(zip, MANIFEST, manifest.encodePrettily());
            putText(zip, SCHEMA, schema());
            byte[] buffer = new byte[COPY_BUFFER];
            for (RecordingFile f : files) {
                zip.putNextEntry(new ZipEntry(f.path()));
                MessageDigest digest = sha256();
                long copied = 0;
                try (InputStream in = source.open(f.recordingId(), f.bytes())) {
                    int n;
                    while ((n = in.read(buffer)) != -1) {
                        digest.update(buffer, 0, n);
                        zip.write(buffer, 0, n);
                        copied += n;
                    }
                }
                String sha = HexFormat.of().formatHex(digest.digest());
                if (copied != f.bytes() || !sha.equals(f.sha256())) {
                    throw new IOException("recording " + f.recordingId() + " read back as " + copied + " bytes with "
                            + "another SHA-256 than the manifest states; the bundle is not delivered");
                }
                zip.closeEntry();
                audio += copied;
            }
            zip.finish();
            zip.flush();
        }
        return new Summary(counted.count, HexFormat.of().formatHex(bundleDigest.digest()), files.size(), audio);
    }

    static String schema() throws IOException {
        try (java.io.InputStream in = ExportBundleWriter.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IOException(SCHEMA_RESOURCE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static void putText(ZipOutputStream zip, String name, String text) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(text.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
