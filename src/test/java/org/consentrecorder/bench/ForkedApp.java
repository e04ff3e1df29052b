package org.consentrecorder.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The application in a JVM of its own (started with {@link BenchApp}), so that its heap and CPU
 * are measured apart from the ARI double, the load generator and PostgreSQL.
 */
final class ForkedApp implements AppUnderTest {
    private final Process process;
    private final Socket socket;
    private final BufferedReader in;
    private final PrintWriter out;
    private final long pid;
    private final List<String> jvmArgs;

    ForkedApp(Map<String, String> env, List<String> jvmArgs, List<String> shownArgs, Path log) throws Exception {
        this.jvmArgs = List.copyOf(shownArgs);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmArgs);
            command.add("-Dbench.control.port=" + server.getLocalPort());
            // the production logging configuration, not the tests' logback-test.xml
            command.add("-Dlogback.configurationFile=logback.xml");
            command.add("-cp");
            command.add(classPath());
            command.add(BenchApp.class.getName());
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("CR_"));
            pb.environment().putAll(env);
            process = pb.start();
            server.setSoTimeout(1000);
            Socket accepted = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (accepted == null) {
                try {
                    accepted = server.accept();
                } catch (SocketTimeoutException e) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("the application JVM exited with " + process.exitValue()
                                + " before it was ready; see " + log);
                    }
                    if (System.nanoTime() > deadline) {
                        process.destroyForcibly();
                        throw new IllegalStateException("the application JVM did not start within 120 s; see " + log);
                    }
                }
            }
            socket = accepted;
        }
        socket.setTcpNoDelay(true);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
        String ready = in.readLine();
        if (ready == null || !ready.startsWith("READY ")) {
            throw new IllegalStateException("unexpected first line from the application JVM: " + ready);
        }
        pid = Long.parseLong(ready.substring("READY ".length()).trim());
    }

    /** Surefire may hand the test JVM a manifest-only jar; its real class path is then in this property. */
    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private synchronized String ask(String command) throws IOException {
        out.println(command);
        String line = in.readLine();
        if (line == null) {
            throw new IOException("the application JVM closed the control connection");
        }
        return line;
    }

    @Override
    public AppMonitor.Stats stats() throws IOException {
        return AppMonitor.Stats.decode(ask("stats"));
    }

    @Override
    public long heapAfterGc() throws IOException {
        return Long.parseLong(ask("gc").trim());
    }

    @Override
    public synchronized List<String> problems() throws IOException {
        int n = Integer.parseInt(ask("problems").trim());
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add(in.readLine());
        }
        return lines;
    }

    @Override
    public String describe() {
        return "own JVM (" + String.join(" ", jvmArgs) + ")";
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public void close() throws Exception {
        try {
            ask("quit");
        } catch (IOException e) {
            // already gone
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        socket.close();
    }
}
