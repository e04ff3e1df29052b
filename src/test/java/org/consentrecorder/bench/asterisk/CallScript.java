package org.consentrecorder.bench.asterisk;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One caller's part, the same for every subject: call, (press 1 when asked), wait for the
 * recording, then two payment segments — one announced by a dialplan UserEvent, one by the
 * caller's {@code *7} — each with a tone played right after the trigger and stopped before the
 * resume. The two tones have different frequencies, outside the DTMF set, so the leak of each
 * trigger is counted apart in the finished recording.
 */
final class CallScript {
    static final int USER_EVENT_TONE_HZ = 1500;
    static final int DTMF_TONE_HZ = 2200;

    /** One measured pause. latencyMs < 0 means the pause was never seen. */
    record Sample(String trigger, double latencyMs, double leakMs, String error) {
    }

    private final CallerSimulator callers;
    private final AsteriskBenchmark.Subject subject;
    private final AsteriskBenchmark.Options options;
    private int sequence;

    CallScript(CallerSimulator callers, AsteriskBenchmark.Subject subject, AsteriskBenchmark.Options options) {
        this.callers = callers;
        this.subject = subject;
        this.options = options;
    }

    /** n calls, started evenly over rampMs, all measured. */
    List<Sample> run(String label, int n, int rampMs) throws Exception {
        ExecutorService pool = AsteriskBenchmark.threads(n);
        try {
            List<Callable<List<Sample>>> tasks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long delay = n <= 1 ? 0 : (long) rampMs * i / n;
                String id = "bench-" + label + "-" + (++sequence) + "-" + System.nanoTime() % 100000;
                tasks.add(() -> {
                    Thread.sleep(delay);
                    return oneCall(id);
                });
            }
            List<Sample> out = new ArrayList<>();
            if (rampMs == 0 && n > 1) {
                // "one call at a time": sequential, each after the previous ended
                for (Callable<List<Sample>> t : tasks) {
                    out.addAll(t.call());
                }
            } else {
                AsteriskBenchmark.all(pool, tasks).forEach(out::addAll);
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A call recording while the subject is killed and restarted; the first pause after the take-over. */
    List<Sample> afterRestart() throws Exception {
        String id = "bench-restart-" + System.nanoTime() % 100000;
        CallerSimulator.Call c = callers.place(id, "+15550100999");
        String rec = untilRecording(c);
        Thread.sleep(500);
        subject.crashAndRestart();
        Thread.sleep(300);
        // the product pauses a recording it takes over running (a trigger raised while nobody listened is lost, as
        // in an outage) until an explicit resume: resume it, so that the figure is again a trigger's
        if (callers.awaitState(rec, "paused", 200) >= 0) {
            c.userEvent("PaymentEnd");
            if (callers.awaitState(rec, "recording", 3000) < 0) {
                throw new IllegalStateException("the recording taken over did not resume on PaymentEnd");
            }
        }
        List<Sample> out = new ArrayList<>();
        out.add(pauseByUserEvent(c, rec, "tone-" + id + "-ue"));
        finish(c);
        byte[] audio = audio(rec);
        out.set(0, withLeak(out.get(0), audio, USER_EVENT_TONE_HZ));
        return out;
    }

    /**
     * n real SIP calls from SIPp, one at a time: the DTMF trigger arrives as RFC 4733 events through
     * chan_pjsip. The pause is polled from the callee's 7 as for the other DTMF figures.
     */
    List<Sample> sipCalls(SipCaller sip, int n) throws Exception {
        List<Sample> out = new ArrayList<>();
        ExecutorService pool = AsteriskBenchmark.threads(1);
        try {
            for (int i = 0; i < n; i++) {
                java.util.concurrent.Future<?> running = pool.submit(() -> {
                    sip.call("+1555020" + String.format("%04d", (int) (System.nanoTime() % 10000)));
                    return null;
                });
                out.add(oneSipCall());
                try {
                    running.get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    out.add(new Sample("dtmf (SIP)", -1, -1, "SIPp: " + e.getCause().getMessage()));
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private Sample oneSipCall() throws Exception {
        CallerSimulator.Call c = callers.nextSipCall(10_000);
        if (c == null) {
            return new Sample("dtmf (SIP)", -1, -1, "no PJSIP/sipp channel within 10 s");
        }
        String rec;
        try {
            rec = c.recording.get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return new Sample("dtmf (SIP)", -1, -1, "no recording within 20 s");
        }
        long t0;
        try {
            t0 = c.digit("7").get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return new Sample("dtmf (SIP)", -1, -1, "the caller's 7 was not reported within 10 s");
        }
        long paused = callers.awaitState(rec, "paused", 3000);
        // the recording is not fetched: there is no tone after the trigger to count (see SipCaller),
        // but it is drained so the subject's archive does not keep a backlog for the next situation
        Thread.sleep(5000);
        audio(rec);
        return paused < 0 ? new Sample("dtmf (SIP)", -1, -1, "never paused")
                : new Sample("dtmf (SIP)", Math.max(0, (paused - t0) / 1e6), -1, null);
    }

    private List<Sample> oneCall(String id) throws Exception {
        CallerSimulator.Call c = callers.place(id, "+1555010" + String.format("%04d", (int) (System.nanoTime() % 10000)));
        String rec;
        try {
            rec = untilRecording(c);
        } catch (RuntimeException | java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            // one call that never got going is an error of that call, not the end of the run
            c.hangup();
            return List.of(new Sample("user event", -1, -1, "no recording: " + e.getMessage()));
        }
        Thread.sleep(500);
        Sample ue = pauseByUserEvent(c, rec, "tone-" + id + "-ue");
        Thread.sleep(4500); // DTMF bursts: keep the next digits more than the burst window apart
        Sample dtmf = pauseByDtmf(c, rec, "tone-" + id + "-dtmf");
        finish(c);
        byte[] audio = audio(rec);
        return List.of(withLeak(ue, audio, USER_EVENT_TONE_HZ), withLeak(dtmf, audio, DTMF_TONE_HZ));
    }

    private String untilRecording(CallerSimulator.Call c) throws Exception {
        c.answered.get(15, TimeUnit.SECONDS);
        if (subject.asksForConsent()) {
            Thread.sleep(300);
            c.dtmf("1");
        }
        return c.recording.get(20, TimeUnit.SECONDS);
    }

    private Sample pauseByUserEvent(CallerSimulator.Call c, String rec, String tone) throws Exception {
        c.userEvent("PaymentStart");
        long t0 = System.nanoTime();
        c.playTone(tone, USER_EVENT_TONE_HZ + "");
        long paused = callers.awaitState(rec, "paused", 3000);
        Thread.sleep(700);
        c.stopPlayback(tone);
        Thread.sleep(200);
        c.userEvent("PaymentEnd");
        callers.awaitState(rec, "recording", 3000);
        return paused < 0 ? new Sample("user event", -1, -1, "never paused")
                : new Sample("user event", (paused - t0) / 1e6, -1, null);
    }

    private Sample pauseByDtmf(CallerSimulator.Call c, String rec, String tone) throws Exception {
        c.dtmf("*7");
        long t0;
        try {
            t0 = c.digit("7").get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // no trigger seen, so no figure: counted as an error of this call, the run goes on
            c.dtmf("*8");
            return new Sample("dtmf", -1, -1, "the caller's 7 was not reported within 10 s");
        }
        c.playTone(tone, DTMF_TONE_HZ + "");
        long paused = callers.awaitState(rec, "paused", 3000);
        Thread.sleep(700);
        c.stopPlayback(tone);
        Thread.sleep(200);
        c.digitSeen.remove("8");
        c.dtmf("*8");
        callers.awaitState(rec, "recording", 3000);
        return paused < 0 ? new Sample("dtmf", -1, -1, "never paused")
                : new Sample("dtmf", Math.max(0, (paused - t0) / 1e6), -1, null);
    }

    private void finish(CallerSimulator.Call c) throws Exception {
        Thread.sleep(500);
        c.hangup();
        c.ended.get(10, TimeUnit.SECONDS);
    }

    /** The finished recording, or null (with the reason printed) when it could not be had. */
    private byte[] audio(String rec) {
        try {
            return subject.recordingAudio(rec);
        } catch (Exception e) {
            System.err.println("bench: recording " + rec + ": " + e.getMessage());
            return null;
        }
    }

    private static Sample withLeak(Sample s, byte[] audio, int toneHz) {
        if (audio == null) {
            return new Sample(s.trigger(), s.latencyMs(), -1, s.error() != null ? s.error() : "recording audio unavailable");
        }
        return new Sample(s.trigger(), s.latencyMs(), ToneMeter.toneMillis(audio, toneHz), s.error());
    }
}
