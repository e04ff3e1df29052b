package org.consentrecorder.ari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Conformance of the ARI double ({@link FakeAsterisk}) with the traffic captured from a real
 * Asterisk 22.10.1: {@code src/test/resources/ari-fixtures/*.jsonl} are unchanged copies of
 * {@code /work/shared/ari-fixtures} (its README.md is copied next to them; the .wav files are not,
 * their 44-byte headers and sizes are in the .jsonl lines).
 *
 * <p>Each scenario is replayed from the consent-recorder side, over real HTTP and a real WebSocket:
 * <ul>
 *   <li>the capture's caller was a Local channel pair driven by a second application,
 *       {@code caller-sim}. In the double the {@code ;2} half is {@link FakeAsterisk#placeCall}; caller-sim's
 *       {@code POST /channels} (originate) becomes {@code placeCall}, {@code POST /channels/{;1}/dtmf}
 *       becomes {@link FakeAsterisk#pressDtmf} on the call, and {@code DELETE /channels/{;1}} becomes
 *       {@link FakeAsterisk#callerHangsUp}. caller-sim's other requests (bridges, its own playbacks) and
 *       every event sent to application caller-sim are skipped. A DTMF that caller-sim sent while {@code ;1}
 *       had its own playback was held back by Asterisk until that playback was stopped
 *       (command-queue-vs-playback), so it is pressed when caller-sim stops that playback.</li>
 *   <li>every other request is sent to the double in the captured order with the captured query string.
 *       Client-chosen ids (playbackId, snoopId, recording names) are reused; the ids and names Asterisk
 *       generated are mapped to the double's (the call's channel id and name, snoop and playback ids
 *       created without a client id).</li>
 *   <li>the capture's {@code ws_close} / {@code ws_open} in the middle of a scenario (ws-reconnect) close
 *       and reopen this test's WebSocket.</li>
 *   <li>waits between steps are the capture's {@code t_ms} gaps times {@link #TIME_SCALE}; playbacks that
 *       run to their end in a scenario (sound:hello-world) are scaled the same way, so the order of events
 *       is the captured one while a scenario takes about a fifth of its captured time. Where the capture
 *       client waited for an event before its next request, the replay waits too: before each step, as many
 *       consent-recorder events must have arrived as had arrived in the capture at that step's time.</li>
 *   <li>the double runs with {@code linkedIdInChannelVars(false)}: the capture's Asterisk had no
 *       {@code channelvars} in ari.conf (no channel object has that key), the project's ari.conf has one.</li>
 * </ul>
 * Compared: for every replayed request the status, content type and JSON body (keys and stable values;
 * ids, names and timestamps only by shape); the ordered events delivered to consent-recorder with the
 * channel they are about (the call or a snoop channel) and their important fields; then each event's
 * JSON as for REST bodies. What is deliberately not compared is listed in {@link #EXCLUDED_EVENT_TYPES}
 * and {@link #FIELD_EXCLUSIONS}.
 */
class FixtureConformanceTest {
    /** Capture time is multiplied by this: order is what matters, not the seconds. */
    static final double TIME_SCALE = 0.2;
    /** PlaybackStarted to PlaybackFinished in consent-accept, continue-and-subscribe and ws-reconnect. */
    static final Duration HELLO_WORLD = Duration.ofMillis(1406);
    /** sound:demo-congrats is about 30 s; in every scenario it is interrupted or stopped first, so it is not scaled. */
    static final Duration DEMO_CONGRATS = Duration.ofSeconds(30);

    static final String APP = "consent-recorder";
    static final String CALLER_SIM = "caller-sim";

    /** Events Asterisk sent to consent-recorder that the double deliberately does not raise. */
    static final Map<String, String> EXCLUDED_EVENT_TYPES = Map.of(
            "ChannelCallerId", "caller-id updates are not modelled: the Local ;2 half changes its caller id"
                    + " (presentation 67) when it enters the dialplan; a PJSIP channel (sipp-call-continue) raised none");

    /** Values that differ by construction; each is still checked for its shape where it has one. */
    static final List<String> FIELD_EXCLUSIONS = List.of(
            "timestamp, creationtime: wall-clock values; only the ARI format yyyy-MM-ddTHH:mm:ss.SSS+0000 is checked",
            "channel name of the call: Local/100@incoming-…;2 in the capture, PJSIP/sipp-xxxxxxxx in the double"
                    + " (the shape sipp-call*.jsonl shows for a real inbound call); mapped, and the shape checked",
            "Snoop/{spied id}-NNNNNNNN: Asterisk's channel counter suffix; the rest is compared",
            "caller {name, number} of the call after /continue: the Local ;2 half loses it (see ChannelCallerId);"
                    + " a PJSIP channel keeps it (sipp-call-continue)",
            "RecordingFinished.duration: must be an integer in both; its value follows the scaled time, so it is"
                    + " checked against the stored file instead (captured: duration = whole seconds of the file)",
            "state in the 201 of POST /play: Asterisk answers queued, playing or failed depending on a race with"
                    + " the playback thread; the double always answers queued",
            "caller-sim's channel (;1) and application in GET /channels, GET /applications: the double has no ;1",
            "channel_ids of an application: compared as a set (Asterisk lists them in hash order)");

    private static final Pattern ARI_TIMESTAMP = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000");
    private static final Pattern SNOOP_NAME = Pattern.compile("^(Snoop/.+)-[0-9a-f]{8}$");
    private static final Pattern CALL_NAME = Pattern.compile("^PJSIP/sipp-[0-9a-f]{8}$");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"consent-accept", "consent-decline", "no-input", "continue-and-subscribe",
            "continue-without-subscribe", "command-queue-vs-playback", "ws-reconnect"})
    void scenario(String name) {
        try (Replay r = new Replay(name)) {
            r.run();
            List<String> problems = new ArrayList<>();
            r.exchanges.forEach(x -> x.diffs.forEach(d -> problems.add(x.title() + ": " + d)));
            problems.addAll(r.eventProblems());
            problems.addAll(r.recordingProblems());
            if (!problems.isEmpty()) {
                fail(name + " disagrees with the capture:\n  " + String.join("\n  ", problems) + "\n\n" + r.transcript());
            }
        }
    }

    /** errors.jsonl as a table: one row per request, each asserting the captured status and body. */
    @TestFactory
    Stream<DynamicNode> errors() {
        Replay r = new Replay("errors");
        try {
            r.run();
        } finally {
            r.close();
        }
        List<DynamicNode> rows = new ArrayList<>();
        rows.add(DynamicTest.dynamicTest("every captured request was replayed", () -> assertEquals(
                r.fixtureRestCount() - r.driverSteps, r.exchanges.size(), r.transcript())));
        rows.add(DynamicTest.dynamicTest("the table covers every error of the README", () -> {
            Set<Integer> statuses = new LinkedHashSet<>();
            r.exchanges.forEach(x -> statuses.add(x.fixture.getInteger("status")));
            assertTrue(statuses.containsAll(List.of(400, 401, 404, 409, 422, 500)), statuses.toString());
        }));
        for (Exchange x : r.exchanges) {
            rows.add(DynamicTest.dynamicTest(x.title(), () -> {
                if (!x.diffs.isEmpty()) {
                    fail(String.join("\n", x.diffs) + "\nours: " + x.status + " " + x.bodyText());
                }
            }));
        }
        rows.add(DynamicTest.dynamicTest("events to consent-recorder", () -> {
            List<String> problems = r.eventProblems();
            assertTrue(problems.isEmpty(), String.join("\n", problems) + "\n\n" + r.transcript());
        }));
        rows.add(DynamicTest.dynamicTest("recording duration", () -> {
            List<String> problems = r.recordingProblems();
            assertTrue(problems.isEmpty(), String.join("\n", problems));
        }));
        return rows.stream();
    }

    /** README, "Later observations" (no capture file): the snoop-then-record race and the missing live list. */
    @Test
    void readmeObservationsWithoutCaptureFile() throws Exception {
        try (FakeAsterisk fake = FakeAsterisk.start()) {
            fake.snoopStartBeforeResponse(false).snoopStasisDelay(Duration.ofMillis(300));
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String call = fake.placeCall("+15551230001");
            HttpResponse<String> snoop = send(http, fake, "POST", "/ari/channels/" + call
                    + "/snoop?spy=both&app=consent-recorder&appArgs=snoop&snoopId=race-snoop");
            assertEquals(200, snoop.statusCode());
            HttpResponse<String> record = send(http, fake, "POST",
                    "/ari/channels/race-snoop/record?name=race&format=wav&ifExists=fail");
            assertEquals(409, record.statusCode(), "record before the snoop channel's StasisStart");
            assertEquals("Channel not in Stasis application", new JsonObject(record.body()).getString("message"));
            assertEquals(405, send(http, fake, "GET", "/ari/recordings/live").statusCode(), "there is no list of live recordings");
        }
    }

    private static HttpResponse<String> send(HttpClient http, FakeAsterisk fake, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(fake.url() + path)).method(method, HttpRequest.BodyPublishers.noBody())
                .header("Authorization", basic(FakeAsterisk.USER, FakeAsterisk.PASSWORD)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    // ---- fixtures ------------------------------------------------------------------------------

    /** The scenario's lines up to the capture client's "cleanup: …" note (README: not part of the scenario). */
    static List<JsonObject> load(String scenario) {
        String resource = "/ari-fixtures/" + scenario + ".jsonl";
        try (InputStream in = FixtureConformanceTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, resource);
            List<JsonObject> out = new ArrayList<>();
            for (String line : new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList()) {
                if (line.isBlank()) {
                    continue;
                }
                JsonObject o = new JsonObject(line);
                if ("note".equals(o.getString("kind")) && o.getString("text", "").startsWith("cleanup:")) {
                    break;
                }
                out.add(o);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, String> query(String pathAndQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        int q = pathAndQuery.indexOf('?');
        if (q < 0) {
            return out;
        }
        for (String pair : pathAndQuery.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    static String bare(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    }

    // ---- one replay ----------------------------------------------------------------------------

    record Received(JsonObject event, long atNanos) {
    }

    static final class Exchange {
        final JsonObject fixture;
        final String method;
        final String path;
        final long sentNanos;
        long doneNanos;
        int status;
        String contentType;
        byte[] body = new byte[0];
        final List<String> diffs = new ArrayList<>();

        Exchange(JsonObject fixture, String method, String path, long sentNanos) {
            this.fixture = fixture;
            this.method = method;
            this.path = path;
            this.sentNanos = sentNanos;
        }

        String title() {
            Object body = fixture.getValue("body");
            String expected = body instanceof JsonObject o && o.size() == 1 ? " " + o.getValue(o.fieldNames().iterator().next()) : "";
            return "#" + fixture.getInteger("seq") + " " + fixture.getString("method") + " " + fixture.getString("path")
                    + " -> " + fixture.getInteger("status") + expected;
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    static final class Replay implements AutoCloseable {
        final String scenario;
        final List<JsonObject> lines;
        final FakeAsterisk fake = FakeAsterisk.start();
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        final List<Received> events = new CopyOnWriteArrayList<>();
        final List<Exchange> exchanges = new ArrayList<>();
        final List<String> transcript = new ArrayList<>();
        /** Capture id or name -> the double's; and back. */
        final Map<String, String> toOurs = new LinkedHashMap<>();
        final Map<String, String> toFixture = new LinkedHashMap<>();
        /** caller-sim's playbacks on its own channel ;1: they hold back its DTMF. */
        final Set<String> callerSimPlaybacks = new LinkedHashSet<>();
        final List<Character> heldDtmf = new ArrayList<>();
        final String fxPhone;       // ;1, caller-sim's half
        final String fxCall;        // ;2, the channel consent-recorder gets
        final String fxCallName;
        String ourCall;
        int driverSteps;
        private int unauthorized;
        private WebSocket ws;
        private long t0;

        Replay(String scenario) {
            this.scenario = scenario;
            this.lines = load(scenario);
            JsonObject setUp = lines.stream().filter(l -> "note".equals(l.getString("kind"))
                    && "call set up".equals(l.getString("text"))).findFirst().orElseThrow().getJsonObject("data");
            fxPhone = setUp.getJsonObject("caller_sim_channel_1").getString("id");
            fxCall = setUp.getJsonObject("consent_recorder_channel_2").getString("id");
            fxCallName = setUp.getJsonObject("consent_recorder_channel_2").getString("name");
            // the capture's Asterisk had no "channelvars" in ari.conf (no channel object has the key);
            // the project's ari.conf adds CHANNEL(linkedid), which the double models by default
            fake.linkedIdInChannelVars(false);
            fake.playbackDuration("sound:hello-world", scaled(HELLO_WORLD.toMillis()));
            fake.playbackDuration("sound:demo-congrats", DEMO_CONGRATS);
            fake.missingMedia("sound:no-such-sound-file");
        }

        static Duration scaled(double captureMillis) {
            return Duration.ofNanos((long) (captureMillis * TIME_SCALE * 1_000_000));
        }

        int fixtureRestCount() {
            return (int) lines.stream().filter(l -> "rest".equals(l.getString("kind"))).count();
        }

        void run() {
            connect();
            t0 = System.nanoTime();
            record Step(double atMs, JsonObject line) {
            }
            List<Step> steps = new ArrayList<>();
            boolean firstOpen = true;
            for (JsonObject l : lines) {
                switch (l.getString("kind")) {
                    case "rest" -> steps.add(new Step(l.getDouble("request_t_ms"), l));
                    case "ws_open" -> {
                        if (!firstOpen) {
                            steps.add(new Step(l.getDouble("t_ms"), l));
                        }
                        firstOpen = false;
                    }
                    case "ws_close" -> steps.add(new Step(l.getDouble("t_ms"), l));
                    default -> { }
                }
            }
            steps.sort((a, b) -> Double.compare(a.atMs(), b.atMs()));
            double previousAt = 0;
            long previousStart = t0;
            for (Step s : steps) {
                // the captured gap to the previous step, scaled, counted from when that step really started
                long due = previousStart + scaled(s.atMs() - previousAt).toNanos();
                sleepUntil(due);
                awaitEventsBefore(s.atMs());
                previousAt = s.atMs();
                previousStart = System.nanoTime();
                switch (s.line().getString("kind")) {
                    case "rest" -> rest(s.line());
                    case "ws_close" -> disconnect();
                    case "ws_open" -> connect();
                    default -> throw new IllegalStateException();
                }
            }
            awaitEvents();
        }

        // ---- WebSocket ----

        void connect() {
            String url = "ws://127.0.0.1:" + fake.port() + "/ari/events?app=" + APP + "&subscribeAll=false&api_key="
                    + URLEncoder.encode(FakeAsterisk.USER + ":" + FakeAsterisk.PASSWORD, StandardCharsets.UTF_8);
            ws = http.newWebSocketBuilder().buildAsync(URI.create(url), new WebSocket.Listener() {
                private final StringBuilder text = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                        events.add(new Received(new JsonObject(text.toString()), System.nanoTime()));
                        text.setLength(0);
                    }
                    socket.request(1);
                    return null;
                }
            }).orTimeout(5, TimeUnit.SECONDS).join();
            fake.await("the WebSocket of " + APP, () -> fake.connected(APP), Duration.ofSeconds(5));
            transcript.add("websocket open");
        }

        void disconnect() {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS).join();
            fake.await("the double to see the WebSocket closed", () -> !fake.connected(APP), Duration.ofSeconds(5));
            ws = null;
            transcript.add("websocket closed");
        }

        // ---- REST ----

        void rest(JsonObject line) {
            String method = line.getString("method");
            String path = line.getString("path");
            String bare = bare(path);
            Map<String, String> q = query(path);
            int status = line.getInteger("status");
            String phone = "/ari/channels/" + fxPhone;
            if (method.equals("POST") && bare.equals("/ari/channels") && status == 200) {
                originate(line, q);
            } else if (bare.equals(phone) || bare.startsWith(phone + "/")) {
                phone(line, method, bare.substring(phone.length()), q);
            } else if (bare.startsWith("/ari/bridges")) {
                driver(line, "skipped: caller-sim's bridge");
            } else if (bare.startsWith("/ari/playbacks/") && callerSimPlaybacks.contains(bare.substring(15))) {
                callerSimPlaybacks.remove(bare.substring(15));
                String flushed = "";
                if (callerSimPlaybacks.isEmpty()) {
                    heldDtmf.forEach(d -> fake.pressDtmf(ourCall, d));
                    flushed = " -> pressDtmf(" + heldDtmf + ") now that ;1 plays nothing";
                    heldDtmf.clear();
                }
                driver(line, "caller-sim stops its own playback" + flushed);
            } else {
                replay(line, method, bare, q);
            }
        }

        private void driver(JsonObject line, String what) {
            driverSteps++;
            transcript.add(String.format("%8.1f  #%d %s %s  [%s]", ms(), line.getInteger("seq"), line.getString("method"),
                    line.getString("path"), what));
        }

        void originate(JsonObject line, Map<String, String> q) {
            Matcher cid = Pattern.compile("\"(.*)\"\\s*<(.*)>").matcher(q.getOrDefault("callerId", ""));
            assertTrue(cid.matches(), q.toString());
            String exten = q.get("endpoint").replaceFirst("^Local/([^@]+)@.*$", "$1");
            ourCall = fake.placeCall(APP, cid.group(2), cid.group(1), exten, "en");
            Received start = awaitEvent(e -> "StasisStart".equals(e.getString("type"))
                    && ourCall.equals(e.getJsonObject("channel").getString("id")));
            String ourName = start.event().getJsonObject("channel").getString("name");
            assertTrue(CALL_NAME.matcher(ourName).matches(), ourName);
            map(fxCall, ourCall);
            map(fxCallName, ourName);
            driver(line, "placeCall -> " + ourCall + " " + ourName);
        }

        void phone(JsonObject line, String method, String action, Map<String, String> q) {
            if (method.equals("POST") && action.equals("/dtmf")) {
                char digit = q.get("dtmf").charAt(0);
                if (callerSimPlaybacks.isEmpty()) {
                    fake.pressDtmf(ourCall, digit);
                    driver(line, "pressDtmf(" + digit + ")");
                } else {
                    heldDtmf.add(digit);
                    driver(line, "held: ;1 has its own playback " + callerSimPlaybacks);
                }
            } else if (method.equals("DELETE") && action.isEmpty()) {
                fake.callerHangsUp(ourCall);
                driver(line, "callerHangsUp");
            } else if (method.equals("POST") && action.equals("/play")) {
                callerSimPlaybacks.add(q.get("playbackId"));
                driver(line, "skipped: caller-sim plays on ;1");
            } else {
                driver(line, "skipped: caller-sim's channel");
            }
        }

        void replay(JsonObject line, String method, String bare, Map<String, String> q) {
            StringBuilder path = new StringBuilder();
            for (String segment : bare.substring(1).split("/")) {
                path.append('/').append(toOurs.getOrDefault(segment, segment));
            }
            String sep = "?";
            for (Map.Entry<String, String> e : q.entrySet()) {
                path.append(sep).append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(replaceIds(e.getValue(), toOurs), StandardCharsets.UTF_8).replace("+", "%20"));
                sep = "&";
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fake.url() + path))
                    .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
            if (line.getInteger("status") == 401) {
                // README: "Wrong password or no auth" -> 401; the capture does not say which line is which
                if (unauthorized++ == 0) {
                    request.header("Authorization", basic(FakeAsterisk.USER, "wrong-" + FakeAsterisk.PASSWORD));
                }
            } else {
                request.header("Authorization", basic(FakeAsterisk.USER, FakeAsterisk.PASSWORD));
            }
            Exchange x = new Exchange(line, method, path.toString(), System.nanoTime());
            try {
                HttpResponse<byte[]> res = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                x.status = res.statusCode();
                x.contentType = res.headers().firstValue("content-type").orElse(null);
                x.body = res.body();
                x.doneNanos = System.nanoTime();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            exchanges.add(x);
            learnIds(line, x);
            compareRest(x);
            transcript.add(String.format("%8.1f  #%d %s %s -> %d%s", ms(), line.getInteger("seq"), method, path,
                    x.status, x.diffs.isEmpty() ? "" : "  DIFFERS"));
        }

        /** A snoop or playback created without a client id: Asterisk's id and the double's are paired. */
        private void learnIds(JsonObject line, Exchange x) {
            if (line.getValue("body") instanceof JsonObject fx && fx.getString("id") != null && x.status == line.getInteger("status")) {
                JsonObject ours = new JsonObject(x.bodyText());
                String ourId = ours.getString("id");
                if (ourId != null && !toOurs.containsKey(fx.getString("id"))) {
                    map(fx.getString("id"), ourId);
                }
            }
        }

        private void map(String fixtureValue, String ourValue) {
            toOurs.put(fixtureValue, ourValue);
            toFixture.put(ourValue, fixtureValue);
        }

        // ---- comparisons ----

        void compareRest(Exchange x) {
            JsonObject fx = x.fixture;
            if (x.status != fx.getInteger("status")) {
                x.diffs.add("status " + x.status + ", captured " + fx.getInteger("status"));
            }
            String fxType = fx.getJsonObject("response_headers").getString("content-type");
            if (!Objects.equals(fxType, x.contentType)) {
                x.diffs.add("content-type " + x.contentType + ", captured " + fxType);
            }
            if (fx.containsKey("body_head_hex")) {
                compareWavHeader(x);
                return;
            }
            Object expected = fx.getValue("body");
            if (expected == null) {
                if (x.body.length > 0) {
                    x.diffs.add("body " + x.bodyText() + ", captured none");
                }
                return;
            }
            Object ours;
            try {
                ours = expected instanceof JsonArray ? new JsonArray(x.bodyText()) : new JsonObject(x.bodyText());
            } catch (RuntimeException e) {
                x.diffs.add("body is not the captured JSON type: " + x.bodyText());
                return;
            }
            if (expected instanceof JsonArray list) {
                // the double has no caller-sim: its channel ;1 and its application are not expected
                JsonArray filtered = new JsonArray();
                list.forEach(item -> {
                    if (!(item instanceof JsonObject o && (fxPhone.equals(o.getString("id")) || CALLER_SIM.equals(o.getString("name"))))) {
                        filtered.add(item);
                    }
                });
                expected = filtered;
            }
            ours = toFixtureSpace(ours);
            if (x.method.equals("POST") && bare(x.path).endsWith("/play") && expected instanceof JsonObject e
                    && ours instanceof JsonObject o && "queued".equals(o.getString("state"))) {
                o.put("state", e.getString("state"));
            }
            compareJson("body", expected, ours, x.diffs);
        }

        /** The first 44 bytes: RIFF/WAVE, PCM, mono, 8000 Hz, 16 bit as captured; the two sizes must fit the length. */
        void compareWavHeader(Exchange x) {
            byte[] captured = HexFormat.of().parseHex(x.fixture.getString("body_head_hex"));
            if (x.body.length < 44) {
                x.diffs.add("file of " + x.body.length + " bytes");
                return;
            }
            for (int i = 0; i < 44; i++) {
                boolean size = (i >= 4 && i < 8) || i >= 40;
                if (!size && captured[i] != x.body[i]) {
                    x.diffs.add("wav header byte " + i + " is " + x.body[i] + ", captured " + captured[i]);
                }
            }
            ByteBuffer h = ByteBuffer.wrap(x.body, 0, 44).order(ByteOrder.LITTLE_ENDIAN);
            if (h.getInt(4) != x.body.length - 8 || h.getInt(40) != x.body.length - 44) {
                x.diffs.add("wav sizes " + h.getInt(4) + "/" + h.getInt(40) + " for " + x.body.length + " bytes");
            }
            ByteBuffer c = ByteBuffer.wrap(captured).order(ByteOrder.LITTLE_ENDIAN);
            if (c.getInt(40) != x.fixture.getInteger("body_bytes") - 44) {
                x.diffs.add("fixture sanity: captured data length " + c.getInt(40));
            }
        }

        Object toFixtureSpace(Object value) {
            if (value instanceof JsonObject o) {
                JsonObject out = new JsonObject();
                o.forEach(e -> out.put(e.getKey(), toFixtureSpace(e.getValue())));
                return out;
            }
            if (value instanceof JsonArray a) {
                JsonArray out = new JsonArray();
                a.forEach(v -> out.add(toFixtureSpace(v)));
                return out;
            }
            if (value instanceof String s) {
                return replaceIds(s, toFixture);
            }
            return value;
        }

        static String replaceIds(String s, Map<String, String> mapping) {
            String out = s;
            // longest first, so that "…;2" names win over the ids they contain
            List<String> keys = new ArrayList<>(mapping.keySet());
            keys.sort((a, b) -> b.length() - a.length());
            for (String k : keys) {
                out = out.replaceAll("(?<![0-9A-Za-z.])" + Pattern.quote(k) + "(?![0-9A-Za-z])",
                        Matcher.quoteReplacement(mapping.get(k)));
            }
            return out;
        }

        void compareJson(String where, Object fx, Object ours, List<String> diffs) {
            if (fx instanceof JsonObject f) {
                if (!(ours instanceof JsonObject o)) {
                    diffs.add(where + ": " + ours + ", captured an object " + f.encode());
                    return;
                }
                if (!f.fieldNames().equals(o.fieldNames())) {
                    Set<String> missing = new LinkedHashSet<>(f.fieldNames());
                    missing.removeAll(o.fieldNames());
                    Set<String> extra = new LinkedHashSet<>(o.fieldNames());
                    extra.removeAll(f.fieldNames());
                    diffs.add(where + ": keys missing " + missing + ", not captured " + extra);
                }
                boolean callerAfterContinue = fxCall.equals(f.getString("id")) && f.getJsonObject("dialplan") != null
                        && !"incoming".equals(f.getJsonObject("dialplan").getString("context"));
                for (String key : f.fieldNames()) {
                    if (!o.containsKey(key)) {
                        continue;
                    }
                    Object fv = f.getValue(key);
                    Object ov = o.getValue(key);
                    String at = where + "." + key;
                    if (key.equals("timestamp") || key.equals("creationtime")) {
                        if (!(ov instanceof String s && ARI_TIMESTAMP.matcher(s).matches())) {
                            diffs.add(at + ": " + ov + " is not an ARI timestamp");
                        }
                    } else if (key.equals("duration")) {
                        if (!(fv instanceof Integer) || !(ov instanceof Integer)) {
                            diffs.add(at + ": " + ov + " (captured " + fv + ") must be an integer number of seconds");
                        }
                    } else if (key.equals("name") && fv instanceof String s && SNOOP_NAME.matcher(s).matches()) {
                        String ourName = String.valueOf(ov);
                        Matcher m = SNOOP_NAME.matcher(ourName);
                        if (!m.matches() || !m.group(1).equals(SNOOP_NAME.matcher(s).replaceFirst("$1"))) {
                            diffs.add(at + ": " + ov + ", captured " + fv);
                        }
                    } else if (key.equals("caller") && callerAfterContinue) {
                        continue;   // FIELD_EXCLUSIONS: the Local ;2 half's caller id after /continue
                    } else if (key.equals("channel_ids") && fv instanceof JsonArray fa && ov instanceof JsonArray oa) {
                        Set<Object> fs = new LinkedHashSet<>(fa.getList());
                        fs.remove(fxPhone);
                        if (!fs.equals(new LinkedHashSet<>(oa.getList()))) {
                            diffs.add(at + ": " + oa + ", captured " + fa);
                        }
                    } else {
                        compareJson(at, fv, ov, diffs);
                    }
                }
            } else if (fx instanceof JsonArray f) {
                if (!(ours instanceof JsonArray o) || o.size() != f.size()) {
                    diffs.add(where + ": " + ours + ", captured " + f.encode());
                    return;
                }
                for (int i = 0; i < f.size(); i++) {
                    compareJson(where + "[" + i + "]", f.getValue(i), o.getValue(i), diffs);
                }
            } else if (fx instanceof Number fn && ours instanceof Number on) {
                if (fn.getClass() != on.getClass() || !fn.equals(on)) {
                    diffs.add(where + ": " + ours + " (" + ours.getClass().getSimpleName() + "), captured " + fx);
                }
            } else if (!Objects.equals(fx, ours)) {
                diffs.add(where + ": " + ours + ", captured " + fx);
            }
        }

        // ---- events ----

        List<JsonObject> fixtureEvents() {
            return lines.stream().filter(l -> "ws_event".equals(l.getString("kind")))
                    .map(l -> l.getJsonObject("event"))
                    .filter(e -> APP.equals(e.getString("application")))
                    .filter(e -> !EXCLUDED_EVENT_TYPES.containsKey(e.getString("type")))
                    .toList();
        }

        List<JsonObject> ourEvents() {
            return events.stream().map(r -> (JsonObject) toFixtureSpace(r.event())).toList();
        }

        /**
         * The capture client often waited for an event before its next request (PlaybackFinished before the
         * snoop, before hanging up, ...): the double must have delivered as many consent-recorder events as
         * had arrived in the capture by then. If it does not within a second, the step goes ahead and the
         * event comparison reports the difference.
         */
        void awaitEventsBefore(double captureMs) {
            long before = lines.stream().filter(l -> "ws_event".equals(l.getString("kind")) && l.getDouble("t_ms") < captureMs)
                    .map(l -> l.getJsonObject("event"))
                    .filter(e -> APP.equals(e.getString("application")) && !EXCLUDED_EVENT_TYPES.containsKey(e.getString("type")))
                    .count();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (events.size() < before && System.nanoTime() < deadline) {
                sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2));
            }
        }

        void awaitEvents() {
            int expected = fixtureEvents().size();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (events.size() < expected && System.nanoTime() < deadline) {
                sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10));
            }
            // room for events that should not come
            sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300));
        }

        Received awaitEvent(Predicate<JsonObject> which) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline) {
                for (Received r : events) {
                    if (which.test(r.event())) {
                        return r;
                    }
                }
                sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5));
            }
            throw new AssertionError("event not received; events so far: " + events);
        }

        List<String> eventProblems() {
            List<String> problems = new ArrayList<>();
            List<JsonObject> fx = fixtureEvents();
            List<JsonObject> ours = ourEvents();
            for (JsonObject e : ours) {
                if (!APP.equals(e.getString("application"))) {
                    problems.add("event for application " + e.getString("application") + ": " + e.encode());
                }
            }
            List<String> fxSigs = fx.stream().map(this::signature).toList();
            List<String> ourSigs = ours.stream().map(this::signature).toList();
            if (!fxSigs.equals(ourSigs)) {
                problems.add("events to consent-recorder differ:\n" + sideBySide(fxSigs, ourSigs));
                return problems;
            }
            for (int i = 0; i < fx.size(); i++) {
                List<String> diffs = new ArrayList<>();
                compareJson("event[" + i + "] " + fx.get(i).getString("type"), fx.get(i), ours.get(i), diffs);
                problems.addAll(diffs);
            }
            return problems;
        }

        /** Type, which channel (the call or a snoop), its state and dialplan location, and the event's own fields. */
        String signature(JsonObject e) {
            StringBuilder b = new StringBuilder(e.getString("type"));
            JsonObject ch = e.getJsonObject("channel");
            if (ch != null) {
                String id = ch.getString("id");
                String role = fxCall.equals(id) ? "call" : ch.getString("name", "").startsWith("Snoop/") ? "snoop " + id : "channel " + id;
                JsonObject d = ch.getJsonObject("dialplan");
                b.append(" <").append(role).append(' ').append(ch.getString("state")).append(" @")
                        .append(d.getString("context")).append(',').append(d.getString("exten")).append(',')
                        .append(d.getValue("priority")).append(' ').append(d.getString("app_name")).append('(')
                        .append(d.getString("app_data")).append(")>");
            }
            for (String key : List.of("args", "digit", "duration_ms", "cause", "soft", "cause_txt", "variable", "value",
                    "dialplan_app", "dialplan_app_data", "eventname")) {
                if (e.containsKey(key)) {
                    b.append(' ').append(key).append('=').append(e.getValue(key));
                }
            }
            JsonObject p = e.getJsonObject("playback");
            if (p != null) {
                b.append(" playback ").append(p.getString("id")).append(' ').append(p.getString("media_uri")).append(' ')
                        .append(p.getString("target_uri")).append(" state=").append(p.getString("state"));
            }
            JsonObject r = e.getJsonObject("recording");
            if (r != null) {
                b.append(" recording ").append(r.getString("name")).append(' ').append(r.getString("format")).append(' ')
                        .append(r.getString("target_uri")).append(" state=").append(r.getString("state"));
                if (r.containsKey("duration")) {
                    b.append(" duration=").append(r.getValue("duration") instanceof Integer ? "<int>" : r.getValue("duration"));
                }
            }
            return b.toString();
        }

        static String sideBySide(List<String> fx, List<String> ours) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < Math.max(fx.size(), ours.size()); i++) {
                String f = i < fx.size() ? fx.get(i) : "—";
                String o = i < ours.size() ? ours.get(i) : "—";
                b.append(f.equals(o) ? "      " : "  !!  ").append(i).append(" captured: ").append(f).append('\n');
                if (!f.equals(o)) {
                    b.append("        ").append(i).append(" double:   ").append(o).append('\n');
                }
            }
            return b.toString();
        }

        // ---- recordings ----

        /**
         * Captured: RecordingFinished.duration is the whole seconds of the stored file (64000 data bytes, 4.00 s
         * -> 4; 72000, 4.50 s -> 4; 133120, 8.32 s -> 8), and the paused time is cut out of the file
         * (file = wall time - paused time). Both must hold in the double's run too.
         */
        List<String> recordingProblems() {
            List<String> problems = new ArrayList<>();
            for (JsonObject l : lines) {
                if ("ws_event".equals(l.getString("kind")) && APP.equals(l.getJsonObject("event").getString("application"))
                        && "RecordingFinished".equals(l.getJsonObject("event").getString("type"))) {
                    JsonObject rec = l.getJsonObject("event").getJsonObject("recording");
                    lines.stream().filter(x -> "rest".equals(x.getString("kind")) && x.containsKey("body_bytes")
                            && x.containsKey("body_head_hex")
                            && x.getString("path").contains("/" + rec.getString("name") + "/")).findFirst().ifPresent(x -> {
                                double seconds = (x.getInteger("body_bytes") - 44) / 16000.0;
                                if (rec.getInteger("duration") != (int) Math.floor(seconds)) {
                                    problems.add("fixture sanity: duration " + rec.getValue("duration") + " for a file of " + seconds + " s");
                                }
                            });
                }
            }
            for (Received r : events) {
                JsonObject e = r.event();
                if (!"RecordingFinished".equals(e.getString("type"))) {
                    continue;
                }
                JsonObject rec = e.getJsonObject("recording");
                String name = rec.getString("name");
                if (!(rec.getValue("duration") instanceof Integer duration)) {
                    problems.add(name + ": duration " + rec.getValue("duration") + " is not an integer");
                    continue;
                }
                Exchange file = exchanges.stream().filter(x -> x.path.endsWith("/recordings/stored/" + name + "/file")
                        && x.status == 200).findFirst().orElse(null);
                if (file == null) {
                    continue;   // the scenario did not download it (errors.jsonl)
                }
                double seconds = (file.body.length - 44) / 16000.0;
                // at an exact second boundary the double's millisecond total and its sample count may round apart
                boolean boundary = Math.abs(seconds - Math.rint(seconds)) < 0.005;
                if (duration != (int) Math.floor(seconds) && !(boundary && Math.abs(duration - seconds) < 1.01)) {
                    problems.add(name + ": RecordingFinished.duration " + duration + " for a stored file of " + seconds + " s");
                }
                // the paused time is cut out: file = wall time - paused time. Measured from this side, so with bounds:
                // the recording started between the /record request and RecordingStarted and ended before
                // RecordingFinished arrived; a pause took effect between its request and its response
                long recordSent = exchanges.stream().filter(x -> x.method.equals("POST") && bare(x.path).endsWith("/record")
                        && name.equals(query(x.path).get("name")) && x.status == 201).findFirst().orElseThrow().sentNanos;
                long started = events.stream().filter(s -> "RecordingStarted".equals(s.event().getString("type"))
                        && name.equals(s.event().getJsonObject("recording").getString("name"))).findFirst().orElseThrow().atNanos();
                double wallMax = (r.atNanos() - recordSent) / 1e9;
                double wallMin = (r.atNanos() - started) / 1e9;
                double[] paused = pausedSeconds(name);
                double tolerance = 0.1;
                if (seconds > wallMax - paused[0] + tolerance || seconds < wallMin - paused[1] - tolerance) {
                    problems.add(String.format("%s: file %.3f s, but %.3f-%.3f s of recording minus %.3f-%.3f s paused",
                            name, seconds, wallMin, wallMax, paused[0], paused[1]));
                }
            }
            return problems;
        }

        /** {least, most} seconds the recording was paused, from the pause and unpause requests. */
        private double[] pausedSeconds(String name) {
            String pause = "/ari/recordings/live/" + name + "/pause";
            double least = 0;
            double most = 0;
            Exchange since = null;
            for (Exchange x : exchanges) {
                if (!x.path.equals(pause) || x.status != 204) {
                    continue;
                }
                if (x.method.equals("POST") && since == null) {
                    since = x;
                } else if (x.method.equals("DELETE") && since != null) {
                    least += Math.max(0, x.sentNanos - since.doneNanos) / 1e9;
                    most += (x.doneNanos - since.sentNanos) / 1e9;
                    since = null;
                }
            }
            return new double[] {least, most};
        }

        // ---- plumbing ----

        double ms() {
            return (System.nanoTime() - t0) / 1e6;
        }

        static void sleepUntil(long nanos) {
            long left;
            while ((left = nanos - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }

        String transcript() {
            StringBuilder b = new StringBuilder("replay of " + scenario + " (ms since start; capture time x " + TIME_SCALE + "):\n");
            transcript.forEach(t -> b.append("  ").append(t).append('\n'));
            b.append("events received:\n");
            events.forEach(r -> b.append(String.format("  %8.1f  ", (r.atNanos() - t0) / 1e6))
                    .append(signature((JsonObject) toFixtureSpace(r.event()))).append('\n'));
            return b.toString();
        }

        @Override
        public void close() {
            try {
                if (ws != null) {
                    ws.abort();
                }
            } finally {
                fake.close();
            }
        }
    }
}
