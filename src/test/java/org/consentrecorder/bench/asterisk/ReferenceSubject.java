package org.consentrecorder.bench.asterisk;

import java.util.Map;

/** The minimal reference app, in the benchmark's JVM; its recordings stay on Asterisk until fetched. */
final class ReferenceSubject implements AsteriskBenchmark.Subject {
    private final AsteriskBenchmark.Options o;
    private RawAri ari;
    private ReferencePauseApp app;

    ReferenceSubject(AsteriskBenchmark.Options o) {
        this.o = o;
    }

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public void start() {
        ari = new RawAri(o.ari, o.user, o.password);
        app = new ReferencePauseApp(ari, "consent-recorder", o.continueTarget);
        app.start();
    }

    @Override
    public boolean asksForConsent() {
        return false;
    }

    @Override
    public byte[] recordingAudio(String name) throws Exception {
        // the stored file exists while Asterisk still writes it, and serving a growing file sends more bytes than its
        // Content-Length said, which breaks the next response on that connection (seen in run 7 with 60 calls): fetch
        // only once the live recording is gone, as the product does on RecordingFinished
        for (int i = 0; i < 100 && ari.call("GET", "/recordings/live/" + name, Map.of()).ok(); i++) {
            Thread.sleep(100);
        }
        for (int i = 0; i < 100; i++) {
            RawAri.Response r = ari.call("GET", "/recordings/stored/" + name + "/file", Map.of());
            if (r.ok()) {
                ari.call("DELETE", "/recordings/stored/" + name, Map.of());
                return r.bytes();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("stored recording " + name + " did not appear");
    }

    @Override
    public java.util.List<CallScript.PauseStamps> pauseStamps(String name) {
        return app.pauseStamps(name);
    }

    /** A new WebSocket and HTTP client; the benchmark's JVM itself stays warm (the reference has no process of its own). */
    @Override
    public void restart() {
        app.close();
        start();
    }

    @Override
    public void stop() {
        app.close();
    }
}
