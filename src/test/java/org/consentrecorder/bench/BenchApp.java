package org.consentrecorder.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.consentrecorder.app.Application;
import org.consentrecorder.app.AppConfig;
import org.consentrecorder.config.ConfigSource;

/**
 * The application's JVM in a benchmark run: starts the real {@link Application} from the CR_*
 * environment (as {@code java -jar} would), then answers the benchmark's questions over a
 * loopback socket whose port is the system property {@code bench.control.port}. One command per
 * line: {@code stats}, {@code gc}, {@code problems}, {@code quit}. Logging stays as configured
 * (the production logback.xml), written to the file the benchmark redirects stdout to.
 */
public final class BenchApp {
    private BenchApp() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.getInteger("bench.control.port");
        Application app = Application.start(AppConfig.load(ConfigSource.of(System.getenv())));
        AppMonitor monitor = new AppMonitor(app);
        monitor.countLogProblems();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
             BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8)) {
            socket.setTcpNoDelay(true);
            out.println("READY " + ProcessHandle.current().pid());
            String line;
            while ((line = in.readLine()) != null) {
                switch (line) {
                    case "stats" -> out.println(monitor.stats().encode());
                    case "gc" -> out.println(AppMonitor.heapAfterGc());
                    case "problems" -> {
                        List<String> problems = monitor.problems();
                        out.println(problems.size());
                        problems.forEach(p -> out.println(p.replace('\n', ' ')));
                    }
                    case "quit" -> {
                        app.close();
                        out.println("bye");
                        System.exit(0);
                    }
                    default -> out.println("unknown command");
                }
            }
        }
        // the benchmark went away: do not linger
        app.close();
        System.exit(0);
    }
}
