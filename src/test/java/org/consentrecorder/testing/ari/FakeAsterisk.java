package org.consentrecorder.testing.ari;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.consentrecorder.simulator.CallAudio;
import org.consentrecorder.simulator.SimulatedAsterisk;
import org.consentrecorder.simulator.StoredFile;

/**
 * The tests' ARI double: the simulated Asterisk of main code ({@link SimulatedAsterisk}, held to the
 * captured fixtures by {@code FixtureConformanceTest}) with fixed test credentials and what only tests
 * need: a log of requests and events, fault injection, waiting helpers, the deleted recordings' bytes
 * and the load benchmark's probe.
 *
 * <p>Tests drive the "phone" side with {@link #placeCall}, {@link #pressDtmf}, {@link #callerHangsUp},
 * {@link #userEvent} and {@link #dropWebSockets}, and inspect {@link #requests()}.
 */
public final class FakeAsterisk extends SimulatedAsterisk {
    public static final String USER = "consent-recorder";
    public static final String PASSWORD = "ari-test-secret";
    /** The names the application's warm-up uses for recordings that do not exist. */
    public static final String WARMUP_PREFIX = "warmup-";
    private final java.util.concurrent.atomic.AtomicInteger warmupRequests = new java.util.concurrent.atomic.AtomicInteger();
    private final List<String> warmupLines = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** One REST request as the double received it. */
    public record Request(String method, String path, Map<String, String> query, int status, long atNanos,
                          String userAgent) {
        public Request(String method, String path, Map<String, String> query, int status, long atNanos) {
            this(method, path, query, status, atNanos, null);
        }

        public String param(String name) {
            return query.get(name);
        }

        @Override
        public String toString() {
            return method + " " + path + (query.isEmpty() ? "" : " " + query) + " -> " + status;
        }
    }

    /** One event as sent on a WebSocket. */
    public record SentEvent(String application, JsonObject json, long atNanos) {
        public String type() {
            return json.getString("type");
        }
    }

    private record Fault(String method, Pattern path, int status, JsonObject body, long delayMs, int[] remaining) {
    }

    /**
     * Observation points for the load benchmark. Called on the double's context, so they must be
     * cheap and must not call back into the double's blocking methods.
     */
    public interface Probe {
        /** An event was written to an application's WebSocket; {@code atNanos} was taken just before the write. */
        default void eventSent(String application, JsonObject event, long atNanos) {
        }

        /** A REST request arrived; {@code atNanos} was taken before its body was read or it was routed. */
        default void requestArrived(String method, String path, Map<String, String> query, long atNanos) {
        }

        /** A REST request was answered. */
        default void answered(Request request) {
        }
    }

    private volatile Probe probe = new Probe() { };
    private volatile boolean keepHistory = true;
    /** Touched only on the double's context. */
    private final List<Fault> faults = new ArrayList<>();
    /** Stored recordings deleted over ARI, kept so tests can compare the archive with the original. */
    private final Map<String, StoredFile> deletedStored = new LinkedHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<SentEvent> sent = new CopyOnWriteArrayList<>();
    private final List<String> lostEvents = new CopyOnWriteArrayList<>();

    private FakeAsterisk(Vertx vertx) {
        super(vertx, USER, PASSWORD);
    }

    /** Starts on a free loopback port with its own Vert.x. */
    public static FakeAsterisk start() {
        return start(0);
    }

    /** Starts on the given loopback port (0: any free one). */
    public static FakeAsterisk start(int listenPort) {
        FakeAsterisk fake = new FakeAsterisk(Vertx.vertx());
        fake.listen(listenPort);
        return fake;
    }

    /**
     * Starts on a free loopback port speaking TLS only (HTTPS and WSS, as Asterisk with {@code tlsenable}),
     * presenting {@code certificates}' server certificate and chain.
     */
    public static FakeAsterisk startTls(org.consentrecorder.testing.TestCertificates.Issued certificates) {
        FakeAsterisk fake = new FakeAsterisk(Vertx.vertx());
        fake.listen(0, new io.vertx.core.http.HttpServerOptions().setSsl(true)
                .setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions()
                        .setCertValue(io.vertx.core.buffer.Buffer.buffer(certificates.serverCertPem()))
                        .setKeyValue(io.vertx.core.buffer.Buffer.buffer(certificates.serverKeyPem()))));
        return fake;
    }

    // ---- knobs of the simulator, answering FakeAsterisk so that tests can chain them -------------

    @Override
    public FakeAsterisk reportAriVersion(String apiVersion, String asterisk) {
        super.reportAriVersion(apiVersion, asterisk);
        return this;
    }

    @Override
    public FakeAsterisk playbackDuration(Duration d) {
        super.playbackDuration(d);
        return this;
    }

    @Override
    public FakeAsterisk playbackDuration(String media, Duration d) {
        super.playbackDuration(media, d);
        return this;
    }

    @Override
    public FakeAsterisk missingMedia(String media) {
        super.missingMedia(media);
        return this;
    }

    @Override
    public FakeAsterisk snoopStartBeforeResponse(boolean before) {
        super.snoopStartBeforeResponse(before);
        return this;
    }

    @Override
    public FakeAsterisk snoopStasisDelay(Duration d) {
        super.snoopStasisDelay(d);
        return this;
    }

    @Override
    public FakeAsterisk decorateEvents(Consumer<JsonObject> decorator) {
        super.decorateEvents(decorator);
        return this;
    }

    @Override
    public FakeAsterisk linkedIdInChannelVars(boolean on) {
        super.linkedIdInChannelVars(on);
        return this;
    }

    @Override
    public FakeAsterisk synthesizeRecordingAudio(boolean on) {
        super.synthesizeRecordingAudio(on);
        return this;
    }

    @Override
    public FakeAsterisk callSound(org.consentrecorder.simulator.CallSound callSound) {
        super.callSound(callSound);
        return this;
    }

    public FakeAsterisk recordingAudio(CallAudio callAudio) {
        super.recordingAudio(callAudio);
        return this;
    }

    @Override
    public FakeAsterisk emulateLegacyMuteBug(boolean on) {
        super.emulateLegacyMuteBug(on);
        return this;
    }

    // ---- test-only knobs -----------------------------------------------------------------------

    /** Load benchmark: sees every event sent and every request received and answered. */
    public FakeAsterisk probe(Probe p) {
        this.probe = p;
        return this;
    }

    /**
     * Off: {@link #requests()} and {@link #sentEvents()} stay empty. A load run would otherwise
     * grow them (copy-on-write lists) by tens of thousands of entries on the double's thread.
     */
    public FakeAsterisk keepHistory(boolean keep) {
        this.keepHistory = keep;
        return this;
    }

    /** The next {@code times} requests matching method and path answer with status and body. */
    public FakeAsterisk fail(String method, String pathRegex, int status, String message, int times) {
        onContext(() -> faults.add(new Fault(method, Pattern.compile(pathRegex), status,
                message == null ? null : new JsonObject().put("message", message), 0, new int[] {times})));
        return this;
    }

    /** The next {@code times} matching requests are answered late (then normally). */
    public FakeAsterisk delay(String method, String pathRegex, Duration d, int times) {
        onContext(() -> faults.add(new Fault(method, Pattern.compile(pathRegex), 0, null, d.toMillis(), new int[] {times})));
        return this;
    }

    // ---- the phone side, test shorthands -------------------------------------------------------

    public String placeCall(String callerNumber) {
        return placeCall(USER, callerNumber, "Test Caller", "100", "en");
    }

    /** A snoop channel in the application that nobody asked for now (a stray left by a crash). */
    public void createSnoop(String spiedChannelId, String snoopId) {
        createSnoop(USER, spiedChannelId, snoopId);
    }

    /** Sends a raw text frame to an application's WebSockets (malformed or unknown events). */
    public void sendRaw(String app, String text) {
        onContext(() -> writeRaw(app, text));
    }

    // ---- inspection ----------------------------------------------------------------------------

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<Request> requests(String method, String pathRegex) {
        Pattern p = Pattern.compile(pathRegex);
        return requests.stream().filter(r -> r.method().equals(method) && p.matcher(r.path()).matches()).toList();
    }

    public List<SentEvent> sentEvents() {
        return List.copyOf(sent);
    }

    public List<String> lostEvents() {
        return List.copyOf(lostEvents);
    }

    /** The bytes a stored recording had when it was deleted over ARI (null if it never was). */
    public byte[] deletedBytes(String name) {
        return call(() -> {
            StoredFile f = deletedStored.get(name);
            return f == null || f.size() > Integer.MAX_VALUE - 64 ? null : f.slice(0, (int) f.size()).getBytes();
        });
    }

    public boolean wasDeleted(String name) {
        return call(() -> deletedStored.containsKey(name));
    }

    /** Polls until the condition holds; fails the test with the request log after the timeout. */
    public void await(String what, BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "\nrequests:\n  "
                        + String.join("\n  ", requests.stream().map(Request::toString).toList()));
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    public void awaitRequest(String method, String pathRegex, Duration timeout) {
        await(method + " " + pathRegex, () -> !requests(method, pathRegex).isEmpty(), timeout);
    }

    /** Handy for tests: the events of a type sent to an app. */
    public List<SentEvent> events(String app, Predicate<SentEvent> filter) {
        return sent.stream().filter(e -> e.application().equals(app)).filter(filter).toList();
    }

    // ---- the simulator's hooks -----------------------------------------------------------------

    /** Requests of the application's warm-up (about recordings named warmup-…) answered so far; they are not in requests(). */
    public int warmupRequests() {
        return warmupRequests.get();
    }

    /** Those requests themselves, method and path, in the order they were answered. */
    public List<String> warmupRequestLines() {
        return List.copyOf(warmupLines);
    }

    @Override
    protected void requestArrived(String method, String path, Map<String, String> query, long atNanos) {
        probe.requestArrived(method, path, query, atNanos);
    }

    @Override
    protected void answered(String method, String path, Map<String, String> query, int status, long atNanos,
                            String userAgent) {
        Request r = new Request(method, path, query, status, atNanos, userAgent);
        if (path.contains("/" + WARMUP_PREFIX)) {
            // the application's start-up warm-up (app.HotPathWarmup) asks about recordings that do not
            // exist; answered like any other request, but kept out of the log the tests count
            warmupRequests.incrementAndGet();
            warmupLines.add(method + " " + path + " " + status);
            return;
        }
        if (keepHistory) {
            requests.add(r);
        }
        probe.answered(r);
    }

    @Override
    protected void eventSent(String application, JsonObject event, long atNanos) {
        if (keepHistory) {
            sent.add(new SentEvent(application, event, atNanos));
        }
        probe.eventSent(application, event, atNanos);
    }

    @Override
    protected void eventLost(String application, String type) {
        lostEvents.add(type);
    }

    @Override
    protected void storedRecordingDeleted(StoredFile file) {
        deletedStored.put(file.name(), file);
    }

    @Override
    protected Intercept intercept(String method, String path) {
        if (path.contains("/" + WARMUP_PREFIX)) {
            return null; // a fault a test plants is meant for its calls, not for the start-up warm-up
        }
        for (Fault f : faults) {
            if (f.method().equals(method) && f.path().matcher(path).matches() && f.remaining()[0] > 0) {
                f.remaining()[0]--;
                return new Intercept(f.status(), f.body(), f.delayMs());
            }
        }
        return null;
    }
}
