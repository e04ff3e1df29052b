package org.consentrecorder.admin;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The operator console at {@code /console}: static files from the jar on the API's own port (and
 * TLS). The console is a client of the documented {@code /api/v1} and nothing else, so this route
 * only serves files; authentication and permissions stay with the API.
 *
 * <p>Every answer under {@code /console} carries a strict Content-Security-Policy: scripts, styles
 * and connections only from this origin, no inline script or style, no eval, Trusted Types required
 * (so assigning a string to {@code innerHTML} throws in the browser), audio only from this origin (the
 * player streams from the playback ticket's URL, see {@code PlaybackTickets}), no framing, no form submission anywhere
 * (forms are handled by script; without it a sign-in form must not send the password in a URL).
 */
public final class ConsoleRoutes {
    public static final String PATH = "/console";
    public static final String CONTENT_SECURITY_POLICY = String.join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "media-src 'self'",
            "connect-src 'self'",
            "font-src 'none'",
            "object-src 'none'",
            "worker-src 'none'",
            "manifest-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
            "require-trusted-types-for 'script'",
            "trusted-types 'none'");

    private final ConsoleFiles files;

    private ConsoleRoutes(ConsoleFiles files) {
        this.files = files;
    }

    /** Serves the console's files (read from the classpath directory {@code console}) under {@link #PATH}. */
    public static void mount(Router router) {
        ConsoleRoutes console = new ConsoleRoutes(ConsoleFiles.load("console"));
        router.routeWithRegex("^" + PATH + "(/.*)?$").handler(console::serve);
    }

    private void serve(RoutingContext ctx) {
        HttpServerResponse res = ctx.response();
        res.putHeader("content-security-policy", CONTENT_SECURITY_POLICY)
                .putHeader("x-frame-options", "DENY")
                .putHeader("referrer-policy", "no-referrer")
                .putHeader("x-content-type-options", "nosniff")
                .putHeader("cross-origin-opener-policy", "same-origin")
                .putHeader("cross-origin-resource-policy", "same-origin")
                .putHeader("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()")
                // revalidated on every load (cheap: an ETag), so a new release is picked up at once
                .putHeader("cache-control", "no-cache");
        HttpMethod method = ctx.request().method();
        if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
            res.setStatusCode(405).putHeader("allow", "GET, HEAD").putHeader("content-type", "text/plain; charset=utf-8")
                    .end("method not allowed\n");
            return;
        }
        String path = ctx.normalizedPath();
        if (path.equals(PATH)) {
            // the files refer to each other relative to /console/
            res.setStatusCode(301).putHeader("location", PATH + "/").end();
            return;
        }
        String relative = path.substring(PATH.length() + 1);
        ConsoleFiles.File file = files.get(relative.isEmpty() ? "index.html" : relative).orElse(null);
        if (file == null) {
            res.setStatusCode(404).putHeader("content-type", "text/plain; charset=utf-8").end("not found\n");
            return;
        }
        res.putHeader("etag", file.etag());
        if (file.etag().equals(ctx.request().getHeader("if-none-match"))) {
            res.setStatusCode(304).end();
            return;
        }
        res.putHeader("content-type", file.contentType()).putHeader("content-length", String.valueOf(file.body().length));
        if (method == HttpMethod.HEAD) {
            res.end();
        } else {
            res.end(io.vertx.core.buffer.Buffer.buffer(file.body()));
        }
    }
}
