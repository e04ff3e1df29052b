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
 * Captures what a real Asterisk does with an application's event filter ({@code PUT
 * /applications/{app}/eventFilter}, ARI since 13.26/16.3), in the line format of
 * ../shared/ari-fixtures (README "Line format"), with a {@code socket} field as in
 * application-replaced.jsonl and the request body of a PUT as {@code request_body}.
 *
 * <p>Run against the lab Asterisk (../shared/asterisk): {@code java EventFilterCapture.java >
 * src/test/resources/ari-captures/event-filter.jsonl}. A Local channel originated into the
 * application, a user event, a variable and a hang-up show which event types still arrive; then the
 * request shapes Asterisk refuses or ignores, and whether the filter outlives the WebSocket.
 */
public class EventFilterCapture {
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

    static WebSocket open(String socket) {
        String path = "/ari/events?app=" + APP + "&subscribeAll=false&api_key=";
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

    public static void main(String[] args) throws Exception {
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
        System.exit(0);
    }
}
