package org.consentrecorder.app;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.consentrecorder.testing.ari.FakeAsterisk;

/**
 * The failover figure of the load benchmark (issue 17): two packaged jars with {@code CR_HA=true} on one
 * PostgreSQL and the ARI double, {@code --calls} recorded calls up; the holder is killed with SIGKILL, and
 * from that instant a payment trigger is raised every {@code --trigger-every} ms on the calls in turn until
 * one is paused by the instance that took over. Measured per kill: kill to lease taken, kill to the first
 * adopted pause, and how many triggers were raised into the gap (Asterisk drops events while no consumer is
 * connected, so those are lost for good: README "ARI outage"). The taker pauses every running recording it
 * adopts for that reason, so the first adopted pause is usually that one: the moment recordings are protected
 * again. The killed instance is started again and stands by, so the next kill goes the other way.
 *
 * <pre>mvn -B -DskipTests package
 * mvn -B -Pbench-failover test-compile exec:exec -Dbench.args="--calls 20 --kills 5"</pre>
 *
 * Writes {@code bench/results/failover-<date>.md}. Not a test: the figures depend on the machine, and the
 * lease ({@code CR_ARI_LEASE}, default 3 s) bounds them from below by design.
 */
public final class FailoverBenchmark {
    private static final Pattern HELD = Pattern.compile("holding ARI server '[^']+' as instance");
    private static final Pattern STANDING_BY = Pattern.compile("stands by");
    private static final Duration WAIT = Duration.ofSeconds(120);

    private final Path work;
    private final FakeAsterisk asterisk;
    private final EmbeddedPostgres database;
    private final OutsideView view;
    private final Duration lease;
    private int started;

    private FailoverBenchmark(Path work, Duration lease) throws Exception {
        this.work = work;
        this.lease = lease;
        this.asterisk = FakeAsterisk.start().playbackDuration(Duration.ofMillis(200));
        this.database = EmbeddedPostgres.builder().setDataDirectory(work.resolve("pg")).start();
        try (Connection c = jdbc(); Statement s = c.createStatement()) {
            s.execute("create database keys");
        }
        this.view = new OutsideView(asterisk, database::getPort);
    }

    /** One kill's figures, in milliseconds from the SIGKILL. */
    record Kill(String killed, String tookOver, long leaseTakenMs, long firstAdoptedPauseMs, int triggersInGap) {
    }

    public static void main(String[] args) throws Exception {
        int calls = 20;
        int kills = 5;
        long triggerEvery = 20;
        Duration lease = Duration.ofSeconds(3);
        Path out = Path.of("bench", "results");
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].equals("--out")) {
                shown.add(args[i]);
                if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    shown.add(args[i + 1]);
                }
            }
            switch (args[i]) {
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--kills" -> kills = Integer.parseInt(args[++i]);
                case "--trigger-every" -> triggerEvery = Long.parseLong(args[++i]);
                case "--lease-ms" -> lease = Duration.ofMillis(Long.parseLong(args[++i]));
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: FailoverBenchmark [--calls N] [--kills N] [--trigger-every MS] [--lease-ms MS] [--out DIR]");
                    System.exit(2);
                }
            }
        }
        if (!Files.exists(AppProcess.JAR)) {
            System.err.println("bench-failover: " + AppProcess.JAR + " is missing; run mvn -B -DskipTests package first");
            System.exit(2);
        }
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        Path work = Files.createTempDirectory("cr-bench-failover-");
        List<Kill> figures;
        try {
            FailoverBenchmark bench = new FailoverBenchmark(work, lease);
            try {
                figures = bench.run(calls, kills, triggerEvery);
            } finally {
                bench.close();
            }
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
        Path file = write(out, figures, calls, kills, triggerEvery, lease, load, loadAfter, String.join(" ", shown));
        System.out.println("bench-failover: results in " + file.toAbsolutePath());
    }

    private List<Kill> run(int calls, int kills, long triggerEvery) throws Exception {
        AppProcess a = instance("a");
        a.awaitReady(WAIT);
        a.awaitLog(HELD, WAIT);
        awaitHolder("a", WAIT);
        AppProcess b = instance("b");
        b.awaitReady(WAIT);
        b.awaitLog(STANDING_BY, WAIT);
        List<OutsideView.Call> up = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            up.add(view.consentedCall(String.format(Locale.ROOT, "+1555010%04d", i)));
        }
        System.out.printf("bench-failover: %d recorded calls up, a holds the server%n", up.size());
        List<Kill> figures = new ArrayList<>();
        AppProcess holder = a;
        AppProcess standby = b;
        String holderId = "a";
        String standbyId = "b";
        for (int k = 0; k < kills; k++) {
            long killed = System.nanoTime();
            holder.kill();
            int sent = 0;
            int next = 0;
            long paused = -1;
            long held = -1;
            long deadline = killed + WAIT.toNanos();
            while (paused < 0 && System.nanoTime() < deadline) {
                OutsideView.Call call = up.get(next++ % up.size());
                if (!"paused".equals(asterisk.liveState(call.recording()))) {
                    asterisk.userEvent(call.channel(), "PaymentStart");
                    sent++;
                }
                for (OutsideView.Call c : up) {
                    List<FakeAsterisk.Request> pauses = view.pauseRequests(c, killed).stream()
                            .filter(r -> r.method().equals("POST")).toList();
                    if (!pauses.isEmpty() && pauses.get(0).userAgent() != null
                            && pauses.get(0).userAgent().contains("(" + standbyId + ")")) {
                        paused = paused < 0 ? pauses.get(0).atNanos() : Math.min(paused, pauses.get(0).atNanos());
                    }
                }
                if (held < 0 && standbyId.equals(holder())) {
                    held = System.nanoTime();
                }
                Thread.sleep(triggerEvery);
            }
            if (paused < 0) {
                throw new IllegalStateException("no adopted pause within " + WAIT.toSeconds() + " s of killing " + holderId);
            }
            if (held < 0) {
                held = awaitHolder(standbyId, WAIT);
            }
            // triggers raised before the first adopted pause, minus the one that produced it
            int inGap = (int) Math.max(0, sent - 1);
            Kill kill = new Kill(holderId, standbyId, (held - killed) / 1_000_000, (paused - killed) / 1_000_000, inGap);
            figures.add(kill);
            System.out.printf("bench-failover: kill %d: %s killed, %s took over: lease %d ms, first adopted pause %d ms, "
                    + "%d trigger(s) raised into the gap%n", k + 1, kill.killed(), kill.tookOver(), kill.leaseTakenMs(),
                    kill.firstAdoptedPauseMs(), kill.triggersInGap());
            // every call back to recording, so the next kill starts from the same place
            for (OutsideView.Call c : up) {
                asterisk.userEvent(c.channel(), "PaymentEnd");
            }
            for (OutsideView.Call c : up) {
                asterisk.await("resumed " + c.recording(), () -> "recording".equals(asterisk.liveState(c.recording())), WAIT);
            }
            AppProcess back = instance(holderId);
            back.awaitReady(WAIT);
            back.awaitLog(STANDING_BY, WAIT);
            AppProcess tookOver = standby;
            standby = back;
            holder = tookOver;
            String id = holderId;
            holderId = standbyId;
            standbyId = id;
        }
        holder.close();
        standby.close();
        return figures;
    }

    private AppProcess instance(String id) throws Exception {
        Map<String, String> env = HaEnvironment.of(id, lease, asterisk.url(), database.getPort());
        return AppProcess.jar(work.resolve(id + "-" + (started++) + ".log"), env);
    }

    private Connection jdbc() throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + database.getPort() + "/postgres", "postgres", "");
    }

    private String holder() throws Exception {
        try (Connection c = jdbc(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select holder from ari_lease where expires_at > now()")) {
            return rs.next() ? rs.getString(1) : "";
        }
    }

    private long awaitHolder(String id, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (id.equals(holder())) {
                return System.nanoTime();
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("instance " + id + " does not hold the server after " + within.toSeconds() + " s");
    }

    private void close() throws Exception {
        database.close();
        asterisk.close();
    }

    private static Path write(Path dir, List<Kill> figures, int calls, int kills, long triggerEvery, Duration lease,
                              String loadBefore, String loadAfter, String args) throws Exception {
        Files.createDirectories(dir);
        Path file = dir.resolve("failover-" + LocalDate.now() + ".md");
        StringBuilder md = new StringBuilder();
        md.append("# Failover: from SIGKILL of the holder to the first adopted pause (").append(LocalDate.now()).append(")\n\n");
        md.append("Command: `mvn -B -DskipTests package && mvn -B -Pbench-failover test-compile exec:exec -Dbench.args=\"")
                .append(args).append("\"` (calls ").append(calls).append(", kills ").append(kills).append(", a trigger every ")
                .append(triggerEvery).append(" ms, CR_ARI_LEASE ").append(lease.toMillis()).append(" ms)\n\n");
        md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.version")).append("; two packaged jars (`CR_HA=true`), one embedded ")
                .append("PostgreSQL and the ARI double, all on this machine. Load average (1, 5, 15 min) before: ")
                .append(loadBefore).append("; after: ").append(loadAfter).append(".\n\n");
        md.append("| kill | killed | took over | lease taken ms | first adopted pause ms | triggers raised into the gap |\n");
        md.append("|---:|---|---|---:|---:|---:|\n");
        for (int i = 0; i < figures.size(); i++) {
            Kill k = figures.get(i);
            md.append("| ").append(i + 1).append(" | ").append(k.killed()).append(" | ").append(k.tookOver()).append(" | ")
                    .append(k.leaseTakenMs()).append(" | ").append(k.firstAdoptedPauseMs()).append(" | ")
                    .append(k.triggersInGap()).append(" |\n");
        }
        List<Long> pauses = figures.stream().map(Kill::firstAdoptedPauseMs).sorted().toList();
        List<Long> leases = figures.stream().map(Kill::leaseTakenMs).sorted().toList();
        md.append("\nMedian: lease taken ").append(leases.get(leases.size() / 2)).append(" ms, first adopted pause ")
                .append(pauses.get(pauses.size() / 2)).append(" ms; worst first adopted pause ")
                .append(pauses.get(pauses.size() - 1)).append(" ms.\n\n");
        md.append("Reading: the lease bounds the take-over from below by design (the standby may take it only once it has ")
                .append("expired by the database's clock, and tries every CR_ARI_LEASE / 6). Triggers raised into the gap reach ")
                .append("no instance: Asterisk has no consumer for the application and drops them (README, \"ARI outage\"). ")
                .append("That is why the taker pauses every running recording it adopts until an explicit resume: the first ")
                .append("adopted pause is when the calls' recordings are protected again.\n");
        Files.writeString(file, md.toString());
        return file;
    }
}
