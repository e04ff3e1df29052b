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
 * Captures what a real Asterisk does when a second client registers an ARI application that already
 * has a consumer, in the line format of ../shared/ari-fixtures (README "Line format"), with one more
 * field, {@code socket}, naming which of the two WebSockets saw a line.
 *
 * <p>Run against the lab Asterisk (../shared/asterisk): {@code java ApplicationReplacedCapture.java >
 * src/test/resources/ari-captures/application-replaced.jsonl}. No call is needed: a user event sent
 * to the application shows which socket still receives events.
 */
public class ApplicationReplacedCapture {
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

    static void rest(String method, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(BASE + "/ari" + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(CREDENTIALS.getBytes(StandardCharsets.UTF_8)))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        line("\"kind\":\"rest\",\"method\":" + quote(method) + ",\"path\":" + quote("/ari" + path) + ",\"status\":" + r.statusCode()
                + ",\"body\":" + (r.body().isEmpty() ? "null" : r.body()));
    }

    public static void main(String[] args) throws Exception {
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
        rest("POST", "/events/user/CaptureProbe?application=" + APP);
        Thread.sleep(500);
        second.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        Thread.sleep(500);
        rest("POST", "/events/user/CaptureProbeAfter?application=" + APP);
        Thread.sleep(500);
        line("\"kind\":\"note\",\"text\":\"end; socket 'first' still open: input " + !first.isInputClosed() + "\"");
        first.abort();
        System.exit(0);
    }
}
