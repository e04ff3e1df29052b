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

    /**
     * One measured pause. latencyMs < 0 means the pause was never seen. triggeredAt and seenAt are
     * wall-clock instants (the same clock the subject stamps its own steps with, one machine), and
     * steps is where the time went, when the subject could say (see {@link #withSteps}). call is the
     * callee's channel and wire the same pause as the loopback saw it ({@link WireTimeline}), when known; waits the
     * threads' run-queue waits in its window, for a pause taken alone ({@link ThreadWaits}).
     */
    record Sample(String trigger, double latencyMs, double leakMs, String error, String recording,
                  java.time.Instant triggeredAt, Steps steps, String call, WireTimeline.Wire wire, ThreadWaits.Window waits) {
        Sample(String trigger, double latencyMs, double leakMs, String error) {
            this(trigger, latencyMs, leakMs, error, null, null, null);
        }

        Sample(String trigger, double latencyMs, double leakMs, String error, String recording,
               java.time.Instant triggeredAt, Steps steps) {
            this(trigger, latencyMs, leakMs, error, recording, triggeredAt, steps, null, null, null);
        }

        Sample withLeak(double leak, String why) {
            return new Sample(trigger, latencyMs, leak, error != null ? error : why, recording, triggeredAt, steps, call, wire, waits);
        }

        Sample withSteps(Steps split) {
            return new Sample(trigger, latencyMs, leakMs, error, recording, triggeredAt, split, call, wire, waits);
        }

        /** callee: the callee's channel id, which the wire witness finds the trigger by. */
        Sample onCall(String callee) {
            return new Sample(trigger, latencyMs, leakMs, error, recording, triggeredAt, steps, callee, wire, waits);
        }

        Sample withWire(WireTimeline.Wire seen) {
            return new Sample(trigger, latencyMs, leakMs, error, recording, triggeredAt, steps, call, seen, waits);
        }

        /** The run-queue waits of the subject's and Asterisk's threads from just before the trigger until the pause was seen. */
        Sample withWaits(ThreadWaits.Window window) {
            return new Sample(trigger, latencyMs, leakMs, error, recording, triggeredAt, steps, call, wire, window);
        }
    }

    /**
     * The pause's latency split at the subject's own two stamps: the trigger until the subject acted
     * on it (Asterisk raising the event, the WebSocket, decoding and dispatch), its request until
     * Asterisk's answer reached it (Asterisk's HTTP server, and the subject's event loop getting to
     * the answer), and that answer until the benchmark's poll read {@code paused} (the poll's period
     * and its own request). The first can be slightly negative for a DTMF trigger: the benchmark's
     * caller and the subject receive the same digit on two sockets.
     */
    record Steps(double toHandledMs, double toAnsweredMs, double toSeenMs) {
    }

    /** One pause as the subject stamped it: when it handled the trigger, when Asterisk's 2xx reached it. */
    record PauseStamps(String trigger, java.time.Instant handled, java.time.Instant answered) {
    }

    private final CallerSimulator callers;
    private final AsteriskBenchmark.Subject subject;
    private final AsteriskBenchmark.Options options;
    private final long asteriskPid = MachineProfile.asteriskPid();
    private int sequence;

    CallScript(CallerSimulator callers, AsteriskBenchmark.Subject subject, AsteriskBenchmark.Options options) {
        this.callers = callers;
        this.subject = subject;
        this.options = options;
    }

    /** The subject's and Asterisk's threads at the start of a pause's window. */
    private record Before(long atNanos, ThreadWaits subject, ThreadWaits asterisk) {
    }

    /** The subject's and Asterisk's threads now, for a pause taken alone; null for one among concurrent calls. */
    private Before waitsBefore(boolean alone) {
        return alone ? new Before(System.nanoTime(), ThreadWaits.of(subject.pid()), ThreadWaits.of(asteriskPid)) : null;
    }

    private Sample withWaitsSince(Sample s, Before before) {
        if (before == null) {
            return s;
        }
        ThreadWaits.Longest subjectThreads = ThreadWaits.of(subject.pid()).since(before.subject());
        ThreadWaits.Longest asteriskThreads = ThreadWaits.of(asteriskPid).since(before.asterisk());
        return s.withWaits(new ThreadWaits.Window(subjectThreads, asteriskThreads, (System.nanoTime() - before.atNanos()) / 1e6));
    }

    /**
     * n calls, started evenly over rampMs, all measured. The recordings are fetched and their leak
     * counted once every call of the situation has ended: fetching them while other calls run loaded
     * the product's event loops (decrypting, serving) and Asterisk's HTTP server (the reference's
     * files) during the very pauses being measured, differently for each subject (up to run 7).
     */
    List<Sample> run(String label, int n, int rampMs) throws Exception {
        ExecutorService pool = AsteriskBenchmark.threads(n);
        try {
            List<Callable<List<Sample>>> tasks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long delay = n <= 1 ? 0 : (long) rampMs * i / n;
                String id = "bench-" + label + "-" + (++sequence) + "-" + System.nanoTime() % 100000;
                boolean alone = rampMs == 0 || n <= 1;
                tasks.add(() -> {
                    Thread.sleep(delay);
                    return oneCall(id, alone);
                });
            }
            List<Sample> measured = new ArrayList<>();
            if (rampMs == 0 && n > 1) {
                // "one call at a time": sequential, each after the previous ended
                for (Callable<List<Sample>> t : tasks) {
                    measured.addAll(pool.submit(t).get());
                }
            } else {
                AsteriskBenchmark.all(pool, tasks).forEach(measured::addAll);
            }
            List<Sample> out = new ArrayList<>();
            java.util.Map<String, byte[]> audio = new java.util.HashMap<>();
            for (Sample s : measured) {
                if (s.recording() == null) {
                    out.add(s);
                    continue;
                }
                byte[] wav = audio.computeIfAbsent(s.recording(), this::audio);
                out.add(withLeak(s, wav, s.trigger().equals("dtmf") ? DTMF_TONE_HZ : USER_EVENT_TONE_HZ));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A call recording while the subject is killed and restarted; the first pause after the take-over. */
    List<Sample> afterRestart() throws Exception {
        return InstrumentPriority.onInstrumentThread(this::restartAndPause);
    }

    private List<Sample> restartAndPause() throws Exception {
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
        out.add(pauseByUserEvent(c, rec, "tone-" + id + "-ue", true));
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
                out.add(InstrumentPriority.onInstrumentThread(this::oneSipCall));
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
        Sample s = paused < 0 ? new Sample("dtmf (SIP)", -1, -1, "never paused")
                : new Sample("dtmf (SIP)", Math.max(0, (paused - t0) / 1e6), -1, null, rec, wallOf(t0), null);
        return withSteps(s.onCall(c.callee));
    }

    /** alone: no other call of the situation runs (one at a time), so the threads' waits are read around its pauses. */
    private List<Sample> oneCall(String id, boolean alone) throws Exception {
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
        Sample ue = pauseByUserEvent(c, rec, "tone-" + id + "-ue", alone);
        Thread.sleep(4500); // DTMF bursts: keep the next digits more than the burst window apart
        Sample dtmf = pauseByDtmf(c, rec, "tone-" + id + "-dtmf", alone);
        finish(c);
        // the leak is counted by run(), once the situation's calls have all ended
        return List.of(ue, dtmf);
    }

    private String untilRecording(CallerSimulator.Call c) throws Exception {
        c.answered.get(15, TimeUnit.SECONDS);
        if (subject.asksForConsent()) {
            Thread.sleep(300);
            c.dtmf("1");
        }
        return c.recording.get(20, TimeUnit.SECONDS);
    }

    private Sample pauseByUserEvent(CallerSimulator.Call c, String rec, String tone, boolean alone) throws Exception {
        Before before = waitsBefore(alone);
        c.userEvent("PaymentStart");
        long t0 = System.nanoTime();
        java.time.Instant t0Wall = java.time.Instant.now();
        var playing = c.startTone(tone, USER_EVENT_TONE_HZ + "");
        long paused = callers.awaitState(rec, "paused", 3000);
        Sample measured = paused < 0 ? new Sample("user event", -1, -1, "never paused", rec, t0Wall, null)
                : withWaitsSince(new Sample("user event", (paused - t0) / 1e6, -1, null, rec, t0Wall, null), before);
        playing.join();
        Thread.sleep(700);
        c.stopPlayback(tone);
        Thread.sleep(200);
        c.userEvent("PaymentEnd");
        callers.awaitState(rec, "recording", 3000);
        return measured.onCall(c.callee);
    }

    private Sample pauseByDtmf(CallerSimulator.Call c, String rec, String tone, boolean alone) throws Exception {
        c.digitSeen.remove("*");
        c.dtmf("*7");
        Before before = null;
        if (alone) {
            // from the * on: the 7 that triggers follows it by its 100 ms and the 100 ms between
            try {
                c.digit("*").get(10, TimeUnit.SECONDS);
                before = waitsBefore(true);
            } catch (java.util.concurrent.TimeoutException e) {
                // no window then; the 7's own wait below says what became of the digits
            }
        }
        long t0;
        try {
            t0 = c.digit("7").get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // no trigger seen, so no figure: counted as an error of this call, the run goes on
            c.dtmf("*8");
            return new Sample("dtmf", -1, -1, "the caller's 7 was not reported within 10 s");
        }
        var playing = c.startTone(tone, DTMF_TONE_HZ + "");
        long paused = callers.awaitState(rec, "paused", 3000);
        Sample measured = paused < 0 ? new Sample("dtmf", -1, -1, "never paused", rec, wallOf(t0), null)
                : withWaitsSince(new Sample("dtmf", Math.max(0, (paused - t0) / 1e6), -1, null, rec, wallOf(t0), null), before);
        playing.join();
        Thread.sleep(700);
        c.stopPlayback(tone);
        Thread.sleep(200);
        c.digitSeen.remove("8");
        c.dtmf("*8");
        callers.awaitState(rec, "recording", 3000);
        return measured.onCall(c.callee);
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

    private Sample withLeak(Sample s, byte[] audio, int toneHz) {
        Sample stepped = withSteps(s);
        if (audio == null) {
            return stepped.withLeak(-1, "recording audio unavailable");
        }
        return stepped.withLeak(ToneMeter.toneMillis(audio, toneHz), null);
    }

    /**
     * The sample with its latency split at the subject's stamps: the subject's pause of this trigger
     * kind handled closest after the trigger (within 100 ms before it, for the DTMF race above).
     */
    private Sample withSteps(Sample s) {
        if (s.recording() == null || s.triggeredAt() == null || s.latencyMs() < 0) {
            return s;
        }
        List<PauseStamps> stamps;
        try {
            stamps = subject.pauseStamps(s.recording());
        } catch (Exception e) {
            System.err.println("bench: the subject's stamps of " + s.recording() + " could not be read: " + e.getMessage());
            return s;
        }
        String kind = s.trigger().startsWith("dtmf") ? "dtmf" : "user event";
        java.time.Instant from = s.triggeredAt().minusMillis(100);
        PauseStamps best = null;
        for (PauseStamps p : stamps) {
            if (p.trigger().equals(kind) && p.handled() != null && p.answered() != null && !p.handled().isBefore(from)
                    && (best == null || p.handled().isBefore(best.handled()))) {
                best = p;
            }
        }
        if (best == null) {
            return s;
        }
        double handled = micros(s.triggeredAt(), best.handled()) / 1e3;
        double answered = micros(best.handled(), best.answered()) / 1e3;
        Steps steps = new Steps(handled, answered, s.latencyMs() - handled - answered);
        return s.withSteps(steps);
    }

    private static long micros(java.time.Instant from, java.time.Instant to) {
        return java.time.Duration.between(from, to).toNanos() / 1000;
    }

    /** A System.nanoTime() reading as a wall-clock instant (the offset is read now; both clocks run together). */
    private static java.time.Instant wallOf(long nanoTime) {
        long ago = System.nanoTime() - nanoTime;
        return java.time.Instant.now().minusNanos(ago);
    }
}
