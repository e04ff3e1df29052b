import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletionStage;

/**
 * Captures what a real Asterisk does in the scenarios the shared fixtures (../shared/ari-fixtures) do not
 * cover, in their line format (README "Line format"), with a {@code socket} field naming which WebSocket saw a
 * line and a PUT's or POST's body as {@code request_body}. One file, so that it runs as a single-file program;
 * the scenario is its argument, and its output goes to {@code src/test/resources/ari-captures/<scenario>.jsonl}:
 * <pre>
 *   java AriCaptures.java application-replaced > src/test/resources/ari-captures/application-replaced.jsonl
 * </pre>
 * Run against the lab Asterisk (../shared/asterisk); {@code -Dari=} and {@code -Dcredentials=} point it elsewhere.
 * <ul>
 *   <li>{@code application-replaced}: a second client registers an application that already has a consumer.
 *       No call is needed: a user event sent to the application shows which socket still receives events.
 *   <li>{@code event-filter}: an application's event filter ({@code PUT /applications/{app}/eventFilter}, ARI since
 *       13.26/16.3). A Local channel originated into the application, a user event, a variable and a hang-up show
 *       which event types still arrive; then the request shapes Asterisk refuses or ignores, and whether the filter
 *       outlives the WebSocket.
 *   <li>{@code event-rehearsal}: user events with no source ({@code POST /events/user/{name}?application=…}) to an
 *       application that only a WebSocket of the capture's own registered: the answer, the frame, a body's
 *       variables, and what happens once that socket closes. Taken to rehearse events through Asterisk before
 *       subscribing (2026-11-28; tried and not kept, README Performance); the double follows it.
 * </ul>
 */
public class AriCaptures {
    static final String BASE = System.getProperty("ari", "http://127.0.0.1:8088");
    static final String CREDENTIALS = System.getProperty("credentials", "ari:ari-secret");
    static final String APP = "consent-recorder";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final long T0 = System.nanoTime();
    static int seq;

    static synchronized void line(String json) {
        System.out.println("{\"seq\":" + seq++ + ",\"t_ms\":" + String.format("%.1f", (System.nanoTime() - T0) / 1e6) + "," + json + "}");
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** An event WebSocket for the product's application. */
    static WebSocket open(String socket) {
        return open(socket, APP);
    }

    static WebSocket open(String socket, String app) {
        String path = "/ari/events?app=" + app + "&subscribeAll=false&api_key=";
        WebSocket ws = HTTP.newWebSocketBuilder().buildAsync(URI.create(BASE.replaceFirst("^http", "ws") + path
                + URLEncoder.encode(CREDENTIALS, StandardCharsets.UTF_8)), new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    line("\"kind\":\"ws_event\",\"socket\":" + quote(socket) + ",\"event\":" + text);
                    text.setLength(0);
                }
                w.request(1);
                return null;
            }

            public CompletionStage<?> onPong(WebSocket w, ByteBuffer message) {
                line("\"kind\":\"ws_pong\",\"socket\":" + quote(socket));
                w.request(1);
                return null;
            }

            public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                line("\"kind\":\"ws_close\",\"socket\":" + quote(socket) + ",\"code\":" + code);
                return null;
            }
        }).join();
        line("\"kind\":\"ws_open\",\"socket\":" + quote(socket) + ",\"url\":" + quote(path + "ari:***"));
        return ws;
    }

    static String rest(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(BASE + "/ari" + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(CREDENTIALS.getBytes(StandardCharsets.UTF_8)));
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        String shown = r.body().isEmpty() ? "null" : r.body().trim().startsWith("{") || r.body().trim().startsWith("[") ? r.body() : quote(r.body());
        line("\"kind\":\"rest\",\"method\":" + quote(method) + ",\"path\":" + quote("/ari" + path)
                + (body == null ? "" : ",\"request_body\":" + body) + ",\"status\":" + r.statusCode() + ",\"body\":" + shown);
        return r.body();
    }

    static void note(String text) {
        line("\"kind\":\"note\",\"text\":" + quote(text));
    }

    static final String ALLOWED = "{\"allowed\":[{\"type\":\"StasisStart\"},{\"type\":\"StasisEnd\"},"
            + "{\"type\":\"ChannelUserevent\"},{\"type\":\"ChannelDestroyed\"},{\"type\":\"ApplicationReplaced\"}]}";

    /** Originates a Local channel into the application, sends it a user event, sets a variable, hangs it up. */
    static void call(String id) throws Exception {
        rest("POST", "/channels?endpoint=Local/s@after-consent&app=" + APP + "&appArgs=capture&channelId=" + id, null);
        Thread.sleep(500);
        rest("POST", "/events/user/CaptureProbe?application=" + APP + "&source=channel:" + id, null);
        Thread.sleep(200);
        rest("POST", "/channels/" + id + "/variable?variable=CAPTURE_VAR&value=1", null);
        Thread.sleep(200);
        rest("DELETE", "/channels/" + id, null);
        Thread.sleep(500);
    }

    static void eventFilter() throws Exception {
        note("scenario: event-filter. Socket 'first' registers the application; an allowed list of five types is put; "
                + "a Local channel is originated into the application, sent a user event, given a variable and hung up; "
                + "then request shapes Asterisk refuses or ignores; 'first' closes, 'second' registers the application "
                + "again and the same call is made; finally an empty body clears the filter");
        WebSocket first = open("first");
        Thread.sleep(300);
        rest("PUT", "/applications/" + APP + "/eventFilter", ALLOWED);
        rest("GET", "/applications/" + APP, null);
        call("capture-filter-1");
        note("ari4java 0.18's ApplicationsFilterPutRequest sends its body parameter wrapped in an object named after it");
        rest("PUT", "/applications/" + APP + "/eventFilter", "{\"filter\":{\"allowed\":[{\"type\":\"StasisStart\"}]}}");
        rest("PUT", "/applications/" + APP + "/eventFilter", "{\"allowed\":[{\"name\":\"StasisStart\"}]}");
        rest("PUT", "/applications/" + APP + "/eventFilter", "{\"allowed\":\"StasisStart\"}");
        rest("PUT", "/applications/no-such-capture-app/eventFilter", ALLOWED);
        rest("GET", "/applications/" + APP, null);
        first.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        Thread.sleep(500);
        rest("GET", "/applications/" + APP, null);
        WebSocket second = open("second");
        Thread.sleep(300);
        rest("GET", "/applications/" + APP, null);
        call("capture-filter-2");
        rest("PUT", "/applications/" + APP + "/eventFilter", "{}");
        rest("GET", "/applications/" + APP, null);
        second.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        Thread.sleep(300);
    }

    static void applicationReplaced() throws Exception {
        line("\"kind\":\"note\",\"text\":\"scenario: application-replaced. Socket 'first' registers the application; socket 'second' "
                + "registers the same application; 'first' is pinged; a user event goes to the application; 'second' closes; "
                + "another user event goes to the application\"");
        WebSocket first = open("first");
        Thread.sleep(300);
        WebSocket second = open("second");
        Thread.sleep(500);
        first.sendPing(ByteBuffer.wrap(new byte[] {1}));
        Thread.sleep(300);
        line("\"kind\":\"note\",\"text\":\"socket 'first' still open: input " + !first.isInputClosed() + ", output " + !first.isOutputClosed() + "\"");
        rest("POST", "/events/user/CaptureProbe?application=" + APP, null);
        Thread.sleep(500);
        second.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        Thread.sleep(500);
        rest("POST", "/events/user/CaptureProbeAfter?application=" + APP, null);
        Thread.sleep(500);
        line("\"kind\":\"note\",\"text\":\"end; socket 'first' still open: input " + !first.isInputClosed() + "\"");
        first.abort();
    }

    static void eventRehearsal() throws Exception {
        String app = "consent-recorder-warmup-capture";
        note("scenario: event-rehearsal. Socket 'rehearsal' registers an application of its own; user events "
                + "without a source are posted to it, one with a JSON body of variables; an application nobody "
                + "registered is refused; the socket closes and the application is gone");
        WebSocket ws = open("rehearsal", app);
        Thread.sleep(300);
        rest("GET", "/applications/" + app, null);
        for (int i = 0; i < 3; i++) {
            rest("POST", "/events/user/CrWarmup?application=" + app, null);
            Thread.sleep(100);
        }
        rest("POST", "/events/user/CrWarmup?application=" + app, "{\"variables\":{\"round\":\"1\"}}");
        Thread.sleep(100);
        rest("POST", "/events/user/CrWarmup?application=no-such-capture-app", null);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        Thread.sleep(500);
        rest("GET", "/applications/" + app, null);
        rest("POST", "/events/user/CrWarmup?application=" + app, null);
    }

    public static void main(String[] args) throws Exception {
        String scenario = args.length == 1 ? args[0] : "";
        switch (scenario) {
            case "application-replaced" -> applicationReplaced();
            case "event-filter" -> eventFilter();
            case "event-rehearsal" -> eventRehearsal();
            default -> {
                System.err.println("usage: java AriCaptures.java application-replaced|event-filter|event-rehearsal");
                System.exit(2);
            }
        }
        System.exit(0);
    }
}
