package org.consentrecorder.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Encrypt and decrypt throughput of the recording stream format, JDK backend against BouncyCastle backend, in one
 * run with interleaved iterations (so load from other processes hits both alike). Not a test: run with
 * {@value #COMMAND}. Writes bench/results/crypto-throughput-&lt;date&gt;.md.
 */
public final class CryptoThroughputBenchmark {

    static final String COMMAND = "mvn -B -Pbench-crypto test-compile exec:exec";

    private static final int PAYLOAD_BYTES = 32 * 1024 * 1024;
    private static final int CHUNK_BYTES = 16 * 1024;
    private static final int SEGMENT_BYTES = StreamFormat.DEFAULT_SEGMENT_SIZE;
    private static final int WARMUP_ROUNDS = 4;
    private static final int MEASURED_ROUNDS = 10;
    private static final byte[] RECORDING_ID = "bench-recording".getBytes(StandardCharsets.UTF_8);

    private enum Operation {
        ENCRYPT("encrypt (stream)"), DECRYPT("decrypt (stream)"), SEAL_ONLY("AES-GCM seal only");

        final String label;

        Operation(String label) {
            this.label = label;
        }
    }

    /** Defeats dead-code elimination: every produced byte count ends up here. */
    private static long sink;

    private CryptoThroughputBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path outDir = Path.of(args.length > 0 ? args[0] : "bench/results");
        byte[] plaintext = new byte[PAYLOAD_BYTES];
        new Random(1).nextBytes(plaintext);

        Map<CipherBackend, Map<Operation, List<Double>>> mbPerSecond = new EnumMap<>(CipherBackend.class);
        long started = System.nanoTime();
        try (DataKey key = DataKey.generate()) {
            byte[] ciphertext = encryptOnce(key, plaintext);
            for (int round = 0; round < WARMUP_ROUNDS + MEASURED_ROUNDS; round++) {
                boolean measured = round >= WARMUP_ROUNDS;
                for (CipherBackend backend : CipherBackend.values()) {
                    for (Operation op : Operation.values()) {
                        double rate = switch (op) {
                            case ENCRYPT -> timeEncrypt(key, plaintext, backend);
                            case DECRYPT -> timeDecrypt(key, ciphertext, backend);
                            case SEAL_ONLY -> timeSealOnly(plaintext, backend);
                        };
                        if (measured) {
                            mbPerSecond.computeIfAbsent(backend, b -> new EnumMap<>(Operation.class))
                                    .computeIfAbsent(op, o -> new ArrayList<>()).add(rate);
                        }
                    }
                }
                System.out.printf(Locale.ROOT, "round %d/%d%s%n", round + 1, WARMUP_ROUNDS + MEASURED_ROUNDS,
                        measured ? "" : " (warm-up)");
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        String report = report(mbPerSecond, seconds);
        Files.createDirectories(outDir);
        Path out = outDir.resolve("crypto-throughput-" + LocalDate.now(ZoneOffset.UTC) + ".md");
        Files.writeString(out, report);
        System.out.println(report);
        System.out.println("written to " + out + " (sink " + (sink & 1) + ")");
    }

    private static byte[] encryptOnce(DataKey key, byte[] plaintext) {
        RecordingEncryptor encryptor = RecordingEncryptor.create(key, RECORDING_ID, SEGMENT_BYTES, CipherBackend.DEFAULT);
        List<byte[]> parts = new ArrayList<>();
        parts.add(encryptor.header());
        parts.addAll(encryptor.update(plaintext));
        parts.add(encryptor.finish());
        byte[] out = new byte[(int) encryptor.summary().ciphertextBytes()];
        int pos = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, pos, part.length);
            pos += part.length;
        }
        return out;
    }

    /** Plaintext MB (10^6 bytes) per second, fed in pipeline-sized chunks, including SHA-256 and key derivation. */
    private static double timeEncrypt(DataKey key, byte[] plaintext, CipherBackend backend) {
        long start = System.nanoTime();
        RecordingEncryptor encryptor = RecordingEncryptor.create(key, RECORDING_ID, SEGMENT_BYTES, backend);
        long produced = encryptor.header().length;
        for (int pos = 0; pos < plaintext.length; pos += CHUNK_BYTES) {
            for (byte[] segment : encryptor.update(plaintext, pos, Math.min(CHUNK_BYTES, plaintext.length - pos))) {
                produced += segment.length;
            }
        }
        produced += encryptor.finish().length;
        long elapsed = System.nanoTime() - start;
        sink += produced;
        return plaintext.length / 1e6 / (elapsed / 1e9);
    }

    private static double timeDecrypt(DataKey key, byte[] ciphertext, CipherBackend backend) {
        long start = System.nanoTime();
        RecordingDecryptor decryptor = RecordingDecryptor.create(key, RECORDING_ID, backend);
        long produced = 0;
        for (int pos = 0; pos < ciphertext.length; pos += CHUNK_BYTES) {
            for (byte[] plain : decryptor.update(ciphertext, pos, Math.min(CHUNK_BYTES, ciphertext.length - pos))) {
                produced += plain.length;
            }
        }
        produced += decryptor.finish().length;
        long elapsed = System.nanoTime() - start;
        if (produced != PAYLOAD_BYTES) {
            throw new IllegalStateException("decrypted " + produced + " bytes, expected " + PAYLOAD_BYTES);
        }
        sink += produced;
        return produced / 1e6 / (elapsed / 1e9);
    }

    /** The bare segment cipher: no SHA-256, no chunk buffering; shows what AES-GCM itself costs. */
    private static double timeSealOnly(byte[] plaintext, CipherBackend backend) {
        byte[] segmentKey = new byte[32];
        byte[] prefix = new byte[StreamFormat.NONCE_PREFIX_LENGTH];
        byte[] aad = new byte[StreamFormat.HEADER_LENGTH];
        long start = System.nanoTime();
        long produced = 0;
        try (SegmentCipher cipher = backend.newCipher(segmentKey)) {
            long index = 0;
            for (int pos = 0; pos < plaintext.length; pos += SEGMENT_BYTES, index++) {
                int length = Math.min(SEGMENT_BYTES, plaintext.length - pos);
                produced += cipher.seal(SegmentNonce.forSegment(prefix, index, pos + length == plaintext.length), aad,
                        plaintext, pos, length).length;
            }
        }
        long elapsed = System.nanoTime() - start;
        sink += produced;
        return plaintext.length / 1e6 / (elapsed / 1e9);
    }

    private static String report(Map<CipherBackend, Map<Operation, List<Double>>> results, double seconds) {
        StringBuilder md = new StringBuilder();
        md.append("# Crypto throughput: recording stream format v1\n\n");
        md.append("Produced by `").append(COMMAND).append("` (main class `")
                .append(CryptoThroughputBenchmark.class.getName()).append("`, test sources).\n\n");
        md.append("| | |\n|---|---|\n");
        row(md, "date (UTC)", LocalDate.now(ZoneOffset.UTC).toString());
        row(md, "CPU", cpuModel());
        row(md, "CPU AES/GHASH features", cpuFlags());
        row(md, "cores available to the JVM", String.valueOf(Runtime.getRuntime().availableProcessors()));
        row(md, "OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        row(md, "JVM", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vm.vendor") + ")");
        row(md, "max heap", Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
        row(md, "BouncyCastle", bouncyCastleVersion());
        row(md, "payload per iteration", PAYLOAD_BYTES / (1024 * 1024) + " MiB of random bytes, fed in "
                + CHUNK_BYTES / 1024 + " KiB chunks");
        row(md, "segment size", SEGMENT_BYTES / 1024 + " KiB");
        row(md, "iterations", WARMUP_ROUNDS + " warm-up rounds (discarded), " + MEASURED_ROUNDS
                + " measured; backends and operations interleaved in each round");
        row(md, "wall time", String.format(Locale.ROOT, "%.1f s", seconds));
        md.append("\nMB/s = 10^6 plaintext bytes per second. The stream rows include HKDF, SHA-256 of the plaintext,"
                + " buffering and per-segment allocation, as the archive pipeline sees it; the seal-only row is the bare"
                + " AES-GCM cost per 64 KiB segment. The machine is shared with other builds, so single iterations can"
                + " dip: compare means and look at the spread.\n\n");
        md.append("| backend | operation | mean MB/s | std dev | min | max |\n");
        md.append("|---|---|---:|---:|---:|---:|\n");
        for (CipherBackend backend : CipherBackend.values()) {
            for (Operation op : Operation.values()) {
                double[] v = results.get(backend).get(op).stream().mapToDouble(Double::doubleValue).toArray();
                md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.0f | %.0f |%n",
                        backend.name().toLowerCase(Locale.ROOT).replace('_', ' '), op.label,
                        mean(v), stdDev(v), Arrays.stream(v).min().orElse(0), Arrays.stream(v).max().orElse(0)));
            }
        }
        md.append('\n');
        for (Operation op : Operation.values()) {
            double jdk = mean(results.get(CipherBackend.JDK).get(op));
            double bc = mean(results.get(CipherBackend.BOUNCY_CASTLE).get(op));
            md.append(String.format(Locale.ROOT, "- %s: JDK is %.1fx BouncyCastle%n", op.label, jdk / bc));
        }
        md.append("\nDefault backend in code: `CipherBackend.DEFAULT = ").append(CipherBackend.DEFAULT).append("`.\n");
        return md.toString();
    }

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(value).append(" |\n");
    }

    private static double mean(List<Double> values) {
        return mean(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(Double.NaN);
    }

    private static double stdDev(double[] values) {
        double m = mean(values);
        return Math.sqrt(Arrays.stream(values).map(v -> (v - m) * (v - m)).sum() / Math.max(1, values.length - 1));
    }

    private static String cpuModel() {
        return cpuInfoLine("model name").orElse(System.getProperty("os.arch"));
    }

    private static String cpuFlags() {
        return cpuInfoLine("flags")
                .map(flags -> Stream.of(flags.split("\\s+"))
                        .filter(f -> List.of("aes", "pclmulqdq", "avx", "avx2", "avx512f", "vaes", "vpclmulqdq")
                                .contains(f))
                        .collect(Collectors.joining(" ")))
                .orElse("unknown");
    }

    private static java.util.Optional<String> cpuInfoLine(String field) {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith(field)).findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip());
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private static String bouncyCastleVersion() {
        Package bc = org.bouncycastle.crypto.modes.GCMBlockCipher.class.getPackage();
        String version = bc == null ? null : bc.getImplementationVersion();
        return "bcprov-jdk18on " + (version != null ? version : new org.bouncycastle.jce.provider.BouncyCastleProvider()
                .getVersionStr());
    }
}
