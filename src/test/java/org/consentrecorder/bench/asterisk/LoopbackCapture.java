package org.consentrecorder.bench.asterisk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * tcpdump on the loopback, for ARI's port only, from before the first subject starts until after the last
 * stops: the wire witness's record ({@link WireTimeline}). Needs tcpdump and the right to capture (root or
 * CAP_NET_RAW); without them the benchmark says so and runs without the witness. The capture is kept beside
 * the product's log (target/bench-asterisk), not in the results: it holds the run's ARI traffic.
 */
final class LoopbackCapture implements AutoCloseable {
    /** Enough for any one ARI event or request line; a stored recording's download is cut to it. */
    static final int SNAP_LENGTH = 4096;

    private final Process process;
    private final Path file;
    private final Path log;

    private LoopbackCapture(Process process, Path file, Path log) {
        this.process = process;
        this.file = file;
        this.log = log;
    }

    /** The capture once tcpdump listens, or null with the reason printed. */
    static LoopbackCapture start(int port, Path file) throws IOException, InterruptedException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path log = file.resolveSibling(file.getFileName() + ".log");
        List<String> cmd = new ArrayList<>(List.of("tcpdump", "-i", "lo", "-n", "-s", String.valueOf(SNAP_LENGTH),
                "-B", "65536", "-w", file.toString()));
        if ("root".equals(System.getProperty("user.name"))) {
            // tcpdump drops to its own user by default, which may not write here
            cmd.addAll(List.of("-Z", "root"));
        }
        cmd.addAll(List.of("tcp", "port", String.valueOf(port)));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            System.out.println("bench-asterisk: no wire witness: tcpdump could not start (" + e.getMessage()
                    + "); apt-get install -y tcpdump, or --wire no");
            return null;
        }
        // a run that fails half-way must not leave tcpdump capturing behind it
        Process started = p;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroy, "bench-tcpdump-stop"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains("listening on")) {
                return new LoopbackCapture(p, file, log);
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        System.out.println("bench-asterisk: no wire witness: tcpdump did not start listening: "
                + (Files.exists(log) ? Files.readString(log).trim() : "no output"));
        return null;
    }

    Path file() {
        return file;
    }

    /** tcpdump's own account (captured, dropped by the kernel), once it stopped. */
    String summary() throws IOException {
        List<String> lines = Files.readAllLines(log).stream().filter(l -> l.contains("packets")).toList();
        return lines.isEmpty() ? "tcpdump gave no count" : String.join(", ", lines);
    }

    @Override
    public void close() throws InterruptedException {
        // SIGTERM: tcpdump writes out what it buffered and its counts
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
