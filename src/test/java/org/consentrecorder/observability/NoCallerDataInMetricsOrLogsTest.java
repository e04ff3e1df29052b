package org.consentrecorder.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.TestDatabase;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * Calls from realistic numbers, card digits keyed while paused, a digit burst, a withdrawal, failed
 * sign-ins with names and numbers typed as user names, a subject request: afterwards no label
 * value of /metrics looks like a number, a phone number or any of those, and the application's
 * log, written as JSON (CR_LOG_FORMAT=json, the shipped logback.xml), is one JSON object per line
 * with time, level, logger and message, the call id where a call is handled, and none of them either.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NoCallerDataInMetricsOrLogsTest {
    private static final List<String> CALLERS = List.of("+49 30 9876543", "+1 415 555 0173", "030 55512345",
            "+44 20 7946 0958");
    private static final String CARD = "4111111111111111";
    private static final String ACCOUNT = "dora.miller";
    private static final String PASSWORD = "Compliance-secret-2718";

    private AppHarness h;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private Scrape scrape;
    /** Caller numbers in several spellings, the card number: never in a label, never in a log line. */
    private final List<String> callerData = new ArrayList<>();
    /** Calls, channels, accounts: fine in a log line, never in a label. */
    private final List<String> identifiers = new ArrayList<>();
    private final List<UUID> callIds = new ArrayList<>();

    @BeforeAll
    void callsAndRequests() throws Exception {
        // the test database first: its helper prints a line of its own to standard output
        org.consentrecorder.store.DatabaseServer database = TestDatabase.fresh();
        originalOut = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        configureLogback("json", "/logback.xml");
        try {
            h = AppHarness.start(FakeAsterisk.start(), database, Map.of("CR_METRICS_REFRESH", "200ms"));
            int port = h.app.httpPort();

            // A: granted; card digits while paused; resumed; a burst of digits pauses on its own
            String a = recorded(CALLERS.get(0));
            dtmf(a, "*7");
            awaitChange(a, "paused", 1);
            dtmf(a, CARD);
            dtmf(a, "*8");
            awaitChange(a, "resumed", 1);
            dtmf(a, "4111");
            awaitChange(a, "paused", 2);
            h.asterisk.callerHangsUp(a);
            // B: declined
            String b = h.asterisk.placeCall(CALLERS.get(1));
            awaitChoice(b);
            dtmf(b, "2");
            h.awaitRows("select 1 from consent_decision where channel_id = $1 and outcome = 'declined'", b);
            h.asterisk.callerHangsUp(b);
            // C: granted, then withdrawn with *9
            String c = recorded(CALLERS.get(2));
            dtmf(c, "*9");
            awaitChange(c, "withdrawn_discarded", 1);
            h.asterisk.callerHangsUp(c);
            // D: hangs up during the notice
            String d = h.asterisk.placeCall(CALLERS.get(3));
            h.asterisk.await("the notice", () -> !h.asterisk.requests("POST", "/ari/channels/" + esc(d) + "/play").isEmpty(),
                    AppHarness.WAIT);
            h.asterisk.callerHangsUp(d);

            // sign-ins: unknown names, a number typed as a name, a wrong password; then a subject request
            Http.postJson(port, "/api/v1/auth/login", null, login("carol.smith", "not-her-password"));
            Http.postJson(port, "/api/v1/auth/login", null, login("+4930 9876543", "whatever-it-was"));
            String admin = Http.login(port, AppHarness.ADMIN_USER, AppHarness.ADMIN_PASSWORD);
            h.operator(ACCOUNT, PASSWORD, "compliance");
            Http.postJson(port, "/api/v1/auth/login", null, login(ACCOUNT, "Wrong-password-2718"));
            String dora = Http.login(port, ACCOUNT, PASSWORD);
            assertEquals(201, Http.postJson(port, "/api/v1/privacy/requests", dora, new JsonObject().put("kind", "access")
                    .put("caller", CALLERS.get(0)).encode()).statusCode());

            h.awaitNoLiveCalls();
            h.awaitRows("select 1 from recording where state = 'archived'");
            h.app.observability().refreshDatabaseGauges().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            scrape = Http.scrape(h.app.metricsPort(), null);
            assertEquals(1, scrape.value("consent_recorder_subject_requests_open", "kind", "access"), "the request went in");
            assertEquals(1, scrape.value("consent_recorder_pause_latency_seconds_count", "trigger", "dtmf_burst"));
            assertEquals(1, scrape.value("consent_recorder_withdrawals_total", "trigger", "dtmf_sequence"));
            assertEquals(2, scrape.value("consent_recorder_logins_total", "result", "unknown_account"));
            assertEquals(1, scrape.value("consent_recorder_logins_total", "result", "wrong_password"));
            for (Map<String, Object> row : h.rows("select id, channel_id from call")) {
                callIds.add((UUID) row.get("id"));
                identifiers.add(String.valueOf(row.get("channel_id")));
                identifiers.add(String.valueOf(row.get("id")));
            }
        } finally {
            configureLogback(null, "/logback-test.xml");
            System.setOut(originalOut);
        }
        for (String caller : CALLERS) {
            String digits = caller.replaceAll("\\D", "");
            callerData.add(caller);
            callerData.add(digits);
            callerData.add(digits.substring(digits.length() - 7));
        }
        callerData.addAll(List.of(CARD, CARD.substring(0, 8), "4111 1111", "+4930 9876543", PASSWORD));
        identifiers.addAll(List.of(ACCOUNT, "carol.smith", AppHarness.ADMIN_USER));
    }

    @AfterAll
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    private static void configureLogback(String format, String resource) throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        if (format == null) {
            System.clearProperty("CR_LOG_FORMAT");
        } else {
            System.setProperty("CR_LOG_FORMAT", format);
        }
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(NoCallerDataInMetricsOrLogsTest.class.getResource(resource));
    }

    private static String login(String user, String password) {
        return new JsonObject().put("username", user).put("password", password).encode();
    }

    private static String esc(String channel) {
        return channel.replace(".", "\\.");
    }

    private void awaitChoice(String channel) {
        h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/" + esc(channel) + "/play")
                .size() == 2, AppHarness.WAIT);
    }

    private String recorded(String caller) {
        String ch = h.asterisk.placeCall(caller);
        awaitChoice(ch);
        dtmf(ch, "1");
        h.awaitRows("select 1 from call where channel_id = $1 and recording_state = 'recording'", ch);
        return ch;
    }

    private void dtmf(String channel, String keys) {
        for (char k : keys.toCharArray()) {
            h.asterisk.pressDtmf(channel, k);
            sleep(40);   // the double sends each digit's event 20 ms after the press; keep them in order
        }
    }

    private void awaitChange(String channel, String change, int count) {
        h.asterisk.await(count + " x " + change, () -> h.rows("select t.id from recording_timeline t join call c "
                + "on c.id = t.call_id where c.channel_id = $1 and t.change = $2", channel, change).size() >= count,
                AppHarness.WAIT);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A number, a phone number, a digit string, or four digits in a row anywhere. */
    private static final Pattern NUMBER_LIKE = Pattern.compile("^[+\\d\\s().\\-/]*\\d[+\\d\\s().\\-/]*$|\\d{4,}");

    @Test
    void noLabelValueLooksLikeANumberOrNamesACallerAccountOrCall() {
        List<String> bad = new ArrayList<>();
        int checked = 0;
        for (Scrape.Sample s : scrape.samples()) {
            for (Map.Entry<String, String> label : s.labels().entrySet()) {
                if (label.getKey().equals("le") || label.getKey().equals("quantile")) {
                    // bucket bounds are numbers by definition: they must be exactly that
                    Double.parseDouble(label.getValue().replace("+Inf", "Infinity"));
                    continue;
                }
                checked++;
                String v = label.getValue();
                if (NUMBER_LIKE.matcher(v).find() || callerData.stream().anyMatch(v::contains)
                        || identifiers.stream().anyMatch(v::contains)) {
                    bad.add(s.name() + "{" + label.getKey() + "=\"" + v + "\"}");
                }
            }
        }
        assertTrue(checked > 500, "only " + checked + " label values");
        assertEquals(List.of(), bad);
    }

    @Test
    void everyLogLineIsAJsonObjectWithTheCallIdAndNoCallerData() {
        String out = captured.toString(StandardCharsets.UTF_8);
        List<JsonObject> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonObject json;
            try {
                json = new JsonObject(line);
            } catch (RuntimeException e) {
                throw new AssertionError("not a JSON object: " + line, e);
            }
            lines.add(json);
        }
        assertTrue(lines.size() > 20, lines.size() + " lines");
        Set<String> allowed = Set.of("time", "level", "logger", "thread", "message", "call_id", "stack_trace");
        List<String> withCallId = new ArrayList<>();
        Pattern callInMessage = Pattern.compile("^call ([0-9a-f-]{36}):");
        for (JsonObject json : lines) {
            assertTrue(allowed.containsAll(json.fieldNames()), json.encode());
            for (String key : List.of("time", "level", "logger", "message")) {
                assertTrue(json.containsKey(key), key + " missing: " + json.encode());
            }
            assertTrue(json.getString("time").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), json.encode());
            if (json.getString("logger").startsWith("org.consentrecorder.testing")) {
                continue;   // the ARI double is not the application
            }
            String text = json.encode();
            for (String f : callerData) {
                assertFalse(text.contains(f), "'" + f + "' in " + text);
            }
            Matcher m = callInMessage.matcher(json.getString("message"));
            // the call shell: the session and the handlers of its commands
            boolean shell = json.getString("logger").equals("org.consentrecorder.call.CallSession")
                    || json.getString("logger").equals("org.consentrecorder.call.ShellCommands");
            if (shell && m.find()) {
                assertEquals(m.group(1), json.getString("call_id"), json.encode());
                withCallId.add(m.group(1));
            }
        }
        assertTrue(withCallId.size() >= 10, "call session lines with call_id: " + withCallId.size());
        assertTrue(callIds.stream().allMatch(id -> withCallId.contains(id.toString())), "every call has lines with its id");
    }
}
