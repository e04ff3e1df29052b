package org.consentrecorder.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Active/standby on the real processes: two packaged jars (instances "a" and "b", CR_HA=true) on one PostgreSQL,
 * one shared key store and one ARI double. Which instance sent a request to the double is told by the User-Agent
 * each instance sends (its CR_INSTANCE_ID).
 *
 * <ul>
 *   <li>SIGKILL of the active instance mid-call: the standby holds the server within 5 s, adopts the call, and a
 *       later payment trigger pauses it; the killed instance, started again, stays standby.</li>
 *   <li>SIGSTOP of the active instance past its lease, then SIGCONT: the standby took over meanwhile; the resumed
 *       instance steps down, lets its call go, and the double never sees a request from it once it was frozen.</li>
 * </ul>
 */
class FailoverIT {
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final Duration TAKE_OVER_WITHIN = Duration.ofSeconds(5);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern HELD = Pattern.compile("holding ARI server 'default' as instance");
    private static final Pattern STANDING_BY = Pattern.compile("is held by another instance: instance \\S+ stands by");
    private static final Pattern CONNECTED = Pattern.compile("ARI RESYNCING -> CONNECTED");

    @TempDir
    Path base;
    private FakeAsterisk asterisk;
    private EmbeddedPostgres database;
    private OutsideView view;
    private final List<AppProcess> apps = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        asterisk = FakeAsterisk.start().playbackDuration(Duration.ofMillis(200));
        database = EmbeddedPostgres.builder().setDataDirectory(base.resolve("pg")).start();
        try (Connection c = jdbc("postgres"); Statement s = c.createStatement()) {
            s.execute("create database keys");
        }
        view = new OutsideView(asterisk, database::getPort);
    }

    @AfterEach
    void stop() throws Exception {
        for (AppProcess app : apps) {
            signal(app, "CONT");
            app.close();
        }
        if (database != null) {
            database.close();
        }
        if (asterisk != null) {
            asterisk.close();
        }
    }

    private Connection jdbc(String db) throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + database.getPort() + "/" + db, "postgres", "");
    }

    private AppProcess instance(String id) throws Exception {
        return instance(id, Map.of());
    }

    private AppProcess instance(String id, Map<String, String> overrides) throws Exception {
        Map<String, String> env = HaEnvironment.of(id, LEASE, asterisk.url(), database.getPort());
        env.putAll(overrides);
        AppProcess app = AppProcess.jar(base.resolve(id + "-" + apps.size() + ".log"), env);
        apps.add(app);
        return app;
    }

    private String holder() throws Exception {
        return holder("default");
    }

    private String holder(String server) throws Exception {
        try (Connection c = jdbc("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select holder from ari_lease where server = '" + server
                     + "' and expires_at > now()")) {
            return rs.next() ? rs.getString(1) : "";
        }
    }

    private long awaitHolder(String id, Duration within) throws Exception {
        return awaitHolder("default", id, within);
    }

    private long awaitHolder(String server, String id, Duration within) throws Exception {
        long start = System.nanoTime();
        long deadline = start + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (id.equals(holder(server))) {
                return System.nanoTime();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("instance " + id + " does not hold server " + server + " after " + within.toMillis()
                + " ms; holder: '" + holder(server) + "'");
    }

    private static List<FakeAsterisk.Request> posts(List<FakeAsterisk.Request> requests) {
        return requests.stream().filter(r -> r.method().equals("POST")).toList();
    }

    private static void signal(AppProcess app, String signal) throws Exception {
        if (app.process().isAlive()) {
            assertEquals(0, new ProcessBuilder("kill", "-" + signal, String.valueOf(app.pid())).start().waitFor());
        }
    }

    private List<FakeAsterisk.Request> requestsFrom(String id, long afterNanos) {
        return asterisk.requests().stream()
                .filter(r -> r.atNanos() > afterNanos && r.userAgent() != null && r.userAgent().contains("(" + id + ")"))
                .toList();
    }

    /** a active and holding, b standing by. */
    private AppProcess[] activeAndStandby() throws Exception {
        AppProcess a = instance("a");
        a.awaitReady(Duration.ofSeconds(120));
        a.awaitLog(HELD, WAIT);
        a.awaitLog(CONNECTED, WAIT);
        awaitHolder("a", WAIT);
        AppProcess b = instance("b");
        b.awaitReady(Duration.ofSeconds(120));
        b.awaitLog(STANDING_BY, WAIT);
        assertEquals("a", holder());
        return new AppProcess[] {a, b};
    }

    @Test
    void theActiveInstanceKilledMidCall_theStandbyHoldsTheServerWithin5s_adoptsTheCall_andPausesIt() throws Exception {
        AppProcess[] ab = activeAndStandby();
        AppProcess a = ab[0];
        AppProcess b = ab[1];
        OutsideView.Call call = view.consentedCall("+15550107001");
        assertTrue(requestsFrom("b", 0).isEmpty(), "the standby sends nothing to Asterisk: " + requestsFrom("b", 0));

        long killed = System.nanoTime();
        a.kill();
        long held = awaitHolder("b", TAKE_OVER_WITHIN);
        System.out.printf("[failover] SIGKILL -> standby holds the server: %d ms%n", (held - killed) / 1_000_000);
        b.awaitLog(CONNECTED, WAIT);

        // b finds the recording running and pauses it: a trigger raised while nobody listened is lost
        asterisk.await("paused on adoption", () -> "paused".equals(asterisk.liveState(call.recording())), WAIT);
        List<FakeAsterisk.Request> adopted = posts(view.pauseRequests(call, killed));
        assertFalse(adopted.isEmpty());
        adopted.forEach(p -> assertTrue(p.userAgent().contains("(b)"), "paused by b: " + p + " " + p.userAgent()));
        System.out.printf("[failover] SIGKILL -> first adopted pause: %d ms%n",
                (adopted.get(0).atNanos() - killed) / 1_000_000);
        // then it acts on the caller's triggers: the payment is over, and a later one pauses again
        asterisk.userEvent(call.channel(), "PaymentEnd");
        asterisk.await("resumed by b", () -> "recording".equals(asterisk.liveState(call.recording())), WAIT);
        long trigger = System.nanoTime();
        asterisk.userEvent(call.channel(), "PaymentStart");
        asterisk.await("paused by the instance that took over", () -> "paused".equals(asterisk.liveState(call.recording())),
                WAIT);
        List<FakeAsterisk.Request> pauses = posts(view.pauseRequests(call, trigger));
        assertFalse(pauses.isEmpty());
        pauses.forEach(p -> assertTrue(p.userAgent().contains("(b)"), "paused by b: " + p + " " + p.userAgent()));
        // where the time between the lease and the first adopted pause went, for whoever reads the test output
        b.log().lines().filter(l -> l.contains("holding ARI server") || l.contains(" -> ") || l.contains("warm")
                        || l.contains("took over") || l.contains("taken over"))
                .forEach(l -> System.out.println("[failover] b: " + l));

        // the killed instance comes back, and stays standby
        long restarted = System.nanoTime();
        AppProcess a2 = instance("a");
        a2.awaitReady(Duration.ofSeconds(120));
        a2.awaitLog(STANDING_BY, WAIT);
        Thread.sleep(LEASE.toMillis() * 2);
        assertEquals("b", holder());
        assertTrue(requestsFrom("a", restarted).isEmpty(), "a, back as standby, sends nothing: " + requestsFrom("a", restarted));
        asterisk.userEvent(call.channel(), "PaymentEnd");
        asterisk.await("resumed", () -> "recording".equals(asterisk.liveState(call.recording())), WAIT);
    }

    @Test
    void theActiveInstanceFrozenPastItsLease_isRefusedWhenResumed_stepsDown_andNeverActsOnTheCallAgain() throws Exception {
        AppProcess[] ab = activeAndStandby();
        AppProcess a = ab[0];
        AppProcess b = ab[1];
        OutsideView.Call call = view.consentedCall("+15550107002");
        Thread.sleep(1000);   // nothing of a's is in flight when it freezes

        long frozen = System.nanoTime();
        signal(a, "STOP");
        long held = awaitHolder("b", LEASE.plus(TAKE_OVER_WITHIN));
        System.out.printf("[failover] SIGSTOP -> standby holds the server: %d ms%n", (held - frozen) / 1_000_000);
        b.awaitLog(CONNECTED, WAIT);
        asterisk.userEvent(call.channel(), "PaymentStart");
        asterisk.await("paused by b", () -> "paused".equals(asterisk.liveState(call.recording())), WAIT);

        // a wakes up with the call in memory, an open WebSocket and the PaymentStart event waiting in it
        signal(a, "CONT");
        a.awaitLog(Pattern.compile("standing down from ARI server 'default' \\(lease generation 1\\)"), WAIT);
        a.awaitLog(Pattern.compile("let go without acting"), WAIT);
        asterisk.userEvent(call.channel(), "PaymentEnd");
        asterisk.await("resumed by b", () -> "recording".equals(asterisk.liveState(call.recording())), WAIT);
        Thread.sleep(LEASE.toMillis());

        assertEquals("b", holder(), "the resumed instance did not take the server back");
        assertTrue(a.find(STANDING_BY).isPresent() || a.find(Pattern.compile("standing down")).isPresent());
        assertEquals(List.of(), requestsFrom("a", frozen), "a sent nothing to Asterisk once frozen");
        assertFalse(requestsFrom("b", held).isEmpty(), "b acted on the call");
        assertTrue(a.process().isAlive(), "a stays up, as a standby");
        assertEquals(200, a.status("/health/ready"), "a standby is ready (it serves the API)");
    }

    /**
     * Two Asterisk servers (two doubles whose channel ids collide), a lease each: a holds both, b stands by for both;
     * a killed, b takes both servers over, adopts the call on each and pauses each through its own server.
     */
    @Test
    void twoServers_oneLeaseEach_theStandbyTakesBothOverAfterAKill_andPausesEachCallThroughItsServer() throws Exception {
        FakeAsterisk second = FakeAsterisk.start().playbackDuration(Duration.ofMillis(200));
        try {
            Map<String, String> servers = new HashMap<>();
            servers.put("CR_ARI_URL", "");
            servers.put("CR_ARI_USER", "");
            servers.put("CR_ARI_PASSWORD", "");
            servers.put("CR_ARI_SERVERS", "pbx1=" + asterisk.url() + ",pbx2=" + second.url());
            for (String name : List.of("PBX1", "PBX2")) {
                servers.put("CR_ARI_SERVER_" + name + "_USER", FakeAsterisk.USER);
                servers.put("CR_ARI_SERVER_" + name + "_PASSWORD", FakeAsterisk.PASSWORD);
            }
            AppProcess a = instance("a", servers);
            a.awaitReady(Duration.ofSeconds(120));
            awaitHolder("pbx1", "a", WAIT);
            awaitHolder("pbx2", "a", WAIT);
            a.awaitLog(Pattern.compile("holding ARI server 'pbx2' as instance"), WAIT);
            AppProcess b = instance("b", servers);
            b.awaitReady(Duration.ofSeconds(120));
            b.awaitLog(Pattern.compile("ARI server 'pbx1' is held by another instance"), WAIT);
            b.awaitLog(Pattern.compile("ARI server 'pbx2' is held by another instance"), WAIT);

            OutsideView.Call call1 = new OutsideView(asterisk, database::getPort, "pbx1").consentedCall("+15550107011");
            OutsideView view2 = new OutsideView(second, database::getPort, "pbx2");
            OutsideView.Call call2 = view2.consentedCall("+15550107012");
            assertEquals(call1.channel(), call2.channel(), "the doubles' channel ids collide, as two servers' may");

            long killed = System.nanoTime();
            a.kill();
            awaitHolder("pbx1", "b", TAKE_OVER_WITHIN);
            awaitHolder("pbx2", "b", TAKE_OVER_WITHIN);
            System.out.printf("[failover] SIGKILL -> standby holds both servers: %d ms%n",
                    (System.nanoTime() - killed) / 1_000_000);
            // events raised before b's WebSocket to a server is open are lost (as on a real Asterisk): both first
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (CONNECTED.matcher(b.log()).results().count() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(2, CONNECTED.matcher(b.log()).results().count(), "b connected to both servers");

            // b pauses each running recording it adopts, through that recording's own server (a trigger raised while
            // nobody listened is lost)
            second.await("pbx2's call paused at take-over", () -> "paused".equals(second.liveState(call2.recording())), WAIT);
            asterisk.await("pbx1's call paused at take-over", () -> "paused".equals(asterisk.liveState(call1.recording())),
                    WAIT);
            assertFalse(posts(view.pauseRequests(call1, killed)).isEmpty());
            assertFalse(posts(view2.pauseRequests(call2, killed)).isEmpty());
            posts(view.pauseRequests(call1, killed)).forEach(p -> assertTrue(p.userAgent().contains("(b)"), p.toString()));
            posts(view2.pauseRequests(call2, killed)).forEach(p -> assertTrue(p.userAgent().contains("(b)"), p.toString()));

            // then it follows each caller's triggers on that caller's server only: the same channel id elsewhere is not it
            second.userEvent(call2.channel(), "PaymentEnd");
            second.await("pbx2's call resumed by b", () -> "recording".equals(second.liveState(call2.recording())), WAIT);
            assertEquals("paused", asterisk.liveState(call1.recording()), "pbx1's call, same channel id, untouched");
            long trigger = System.nanoTime();
            second.userEvent(call2.channel(), "PaymentStart");
            second.await("pbx2's call paused by b", () -> "paused".equals(second.liveState(call2.recording())), WAIT);
            assertFalse(posts(view2.pauseRequests(call2, trigger)).isEmpty());
            posts(view2.pauseRequests(call2, trigger)).forEach(p -> assertTrue(p.userAgent().contains("(b)"), p.toString()));
            assertTrue(view.pauseRequests(call1, trigger).isEmpty(), "nothing sent to pbx1 for pbx2's caller");
        } finally {
            for (AppProcess app : apps) {
                app.close();
            }
            apps.clear();
            second.close();
        }
    }
}
