package org.consentrecorder.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;
import org.consentrecorder.testing.ari.FakeAsterisk;

/**
 * What the process tests see of an application process from outside: the phone side of the ARI double
 * and the rows of its database (over JDBC, on whatever port the database has now). Nothing here
 * reaches into the application's classes, so the tests survive refactorings behind the HTTP and ARI
 * surfaces.
 */
final class OutsideView {
    static final Duration WAIT = Duration.ofSeconds(20);

    /** A call as the double and the database know it. */
    record Call(String channel, UUID callId, String recording) {
    }

    final FakeAsterisk asterisk;
    private final IntSupplier databasePort;

    /** Whom the test connects as: user and password (an embedded database asks for a password). */
    private final java.util.function.Supplier<String[]> login;
    /** The Asterisk server the double is, when the deployment has several (channel ids may repeat across them). */
    private final String server;

    /** A database that lets the superuser in without a password (an external test server). */
    OutsideView(FakeAsterisk asterisk, IntSupplier databasePort) {
        this(asterisk, databasePort, () -> new String[] {"postgres", ""});
    }

    OutsideView(FakeAsterisk asterisk, IntSupplier databasePort, java.util.function.Supplier<String[]> login) {
        this(asterisk, databasePort, login, null);
    }

    /** The double as the Asterisk server named {@code server} of a deployment with several. */
    OutsideView(FakeAsterisk asterisk, IntSupplier databasePort, String server) {
        this(asterisk, databasePort, () -> new String[] {"postgres", ""}, server);
    }

    private OutsideView(FakeAsterisk asterisk, IntSupplier databasePort, java.util.function.Supplier<String[]> login,
                        String server) {
        this.server = server;
        this.login = login;
        this.asterisk = asterisk;
        this.databasePort = databasePort;
    }

    // ---- calls ----------------------------------------------------------------------------------

    /** A caller who allows recording; returns once the call is back in the dialplan and recorded. */
    Call consentedCall(String number) {
        String ch = asterisk.placeCall(FakeAsterisk.USER, number, "Caller", "100", "en");
        asterisk.await("the choice prompt on " + ch, () -> plays(ch) >= 2, WAIT);
        asterisk.pressDtmf(ch, '1');
        asterisk.await(ch + " in the dialplan", () -> asterisk.location(ch).startsWith("dialplan:"), WAIT);
        Call call = callOf(ch);
        asterisk.await("recording " + call.recording(), () -> asterisk.liveRecordings().contains(call.recording()), WAIT);
        // and the database says so too: a process killed before it wrote that would hand a taker a call still in
        // its dialogue, which is superseded rather than adopted
        awaitRow("select 1 from call where id = ? and phase = 'in_dialplan' and consent_id is not null", call.callId());
        return call;
    }

    Call callOf(String channel) {
        Map<String, Object> r = server == null
                ? awaitRow("select id, recording_name from call where channel_id = ? and recording_name is not null",
                        channel)
                : awaitRow("select id, recording_name from call where channel_id = ? and recording_name is not null "
                        + "and server = ?", channel, server);
        return new Call(channel, (UUID) r.get("id"), (String) r.get("recording_name"));
    }

    int plays(String channel) {
        return asterisk.requests("POST", "/ari/channels/" + Pattern.quote(channel) + "/play").size();
    }

    /** The requests to a live recording's pause resource made after {@code afterNanos}, in order. */
    List<FakeAsterisk.Request> pauseRequests(Call call, long afterNanos) {
        String path = "/ari/recordings/live/" + call.recording() + "/pause";
        return asterisk.requests().stream().filter(r -> r.atNanos() > afterNanos && r.path().equals(path)).toList();
    }

    void awaitPaused(Call call, boolean paused) {
        String wanted = paused ? "paused" : "recording";
        asterisk.await(call.recording() + " " + wanted, () -> wanted.equals(asterisk.liveState(call.recording())), WAIT);
    }

    // ---- the database ---------------------------------------------------------------------------

    private Connection db() throws SQLException {
        String[] userAndPassword = login.get();
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + databasePort.getAsInt() + "/postgres",
                userAndPassword[0], userAndPassword[1]);
    }

    List<Map<String, Object>> rows(String sql, Object... params) {
        try (Connection c = db(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            List<Map<String, Object>> out = new ArrayList<>();
            if (s.execute()) {
                try (ResultSet rs = s.getResultSet()) {
                    while (rs.next()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                            m.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                        }
                        out.add(m);
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /**
     * An operator account as the command line's break-glass {@code admin create} makes it: the API
     * gives a role other than agent only with a second admin's approval.
     */
    void operator(String username, String password, String role) {
        rows("insert into operator_account (id, username, password_hash, role, disabled, created_at, created_by, "
                + "password_changed_at, updated_at) values (gen_random_uuid(), ?, ?, ?, false, now(), 'cli', now(), now())",
                username, new org.consentrecorder.admin.PasswordHasher().hash(password), role);
    }

    Map<String, Object> row(String sql, Object... params) {
        List<Map<String, Object>> r = rows(sql, params);
        assertEquals(1, r.size(), sql);
        return r.get(0);
    }

    long count(String sql, Object... params) {
        Object v = row(sql, params).values().iterator().next();
        return v == null ? 0 : ((Number) v).longValue();
    }

    Map<String, Object> awaitRow(String sql, Object... params) {
        List<Map<String, Object>> found = new ArrayList<>();
        awaitTrue("a row for " + sql, () -> {
            List<Map<String, Object>> r = rows(sql, params);
            if (!r.isEmpty()) {
                found.add(r.get(0));
            }
            return !r.isEmpty();
        });
        return found.get(found.size() - 1);
    }

    String state(String recording) {
        return (String) row("select state from recording where name = ?", recording).get("state");
    }

    /** For the double's probe: the state now, or why there is none (the database may be down between runs). */
    String stateNow(String recording) {
        try {
            List<Map<String, Object>> r = rows("select state from recording where name = ?", recording);
            return r.isEmpty() ? "(no row)" : (String) r.get(0).get("state");
        } catch (RuntimeException e) {
            return "(database unreachable: " + e.getMessage() + ")";
        }
    }

    void awaitState(String recording, String wanted) {
        awaitTrue(recording + " " + wanted, () -> rows("select 1 from recording where name = ? and state = ?",
                recording, wanted).size() == 1);
    }

    UUID recordingId(Call call) {
        return (UUID) awaitRow("select id from recording where name = ?", call.recording()).get("id");
    }

    /** Archived once: one row, exactly its chunks. */
    void assertArchivedOnce(Call call) {
        assertEquals(1, count("select count(*) from recording where name = ?", call.recording()));
        assertEquals(count("select chunk_count from recording where name = ?", call.recording()),
                count("select count(*) from recording_chunk where recording_id = ?", recordingId(call)),
                "exactly the chunks of one copy: " + call.recording());
    }

    void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
        asterisk.await(what, condition, WAIT);
    }
}
