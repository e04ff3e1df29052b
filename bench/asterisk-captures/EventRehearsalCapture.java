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
 * Captures what a real Asterisk does with user events addressed to an application of their own that has
 * no channel ({@code POST /events/user/{name}?application=…} with no {@code source}): the answer, the frame on
 * the application's socket, a body's variables in it, and what happens once that socket closes. Taken to
 * rehearse events through Asterisk before subscribing (2026-11-28; tried, and not kept: README Performance);
 * the double follows it. Line format of ../shared/ari-fixtures
 * (README "Line format"), with a {@code socket} field as in application-replaced.jsonl.
 *
 * <p>Run against the lab Asterisk (../shared/asterisk): {@code java EventRehearsalCapture.java >
 * src/test/resources/ari-captures/event-rehearsal.jsonl}.
 */
public class EventRehearsalCapture {
    static final String BASE = System.getProperty("ari", "http://127.0.0.1:8088");
    static final String CREDENTIALS = System.getProperty("credentials", "ari:ari-secret");
    static final String APP = "consent-recorder-warmup-capture";
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

    public static void main(String[] args) throws Exception {
        note("scenario: event-rehearsal. Socket 'rehearsal' registers an application of its own; user events "
                + "without a source are posted to it, one with a JSON body of variables; an application nobody "
                + "registered is refused; the socket closes and the application is gone");
        WebSocket ws = open("rehearsal");
        Thread.sleep(300);
        rest("GET", "/applications/" + APP, null);
        for (int i = 0; i < 3; i++) {
            rest("POST", "/events/user/CrWarmup?application=" + APP, null);
            Thread.sleep(100);
        }
        rest("POST", "/events/user/CrWarmup?application=" + APP, "{\"variables\":{\"round\":\"1\"}}");
        Thread.sleep(100);
        rest("POST", "/events/user/CrWarmup?application=no-such-capture-app", null);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        Thread.sleep(500);
        rest("GET", "/applications/" + APP, null);
        rest("POST", "/events/user/CrWarmup?application=" + APP, null);
        System.exit(0);
    }
}
