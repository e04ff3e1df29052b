package org.consentrecorder.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.consentrecorder.ari.AriConnection;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: wired as the application wires a server (its calls on the context that reads its event socket), a
 * payment trigger is decided, and its pause sent, while the event socket's frame is still being handled: no hand-over
 * to another thread between the frame and the pause request. On two shared cores that hand-over was the largest step
 * between them (bench/results/asterisk-2026-11-28-exp-one-loop.md).
 */
class TriggerOnTheSocketsThreadTest {
    private static final Duration WAIT = AppHarness.WAIT;
    private ShellHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void aPaymentTriggerIsDecidedAndItsPauseSentWhileItsFrameIsBeingHandled() {
        List<String> decided = new CopyOnWriteArrayList<>();
        h = ShellHarness.start(settings -> {
            CallCore real = new CallCore(settings);
            return (state, event, now) -> {
                if (event instanceof CallEvent.UserEvent u && u.name().equals("PaymentStart")) {
                    decided.add(insideTheFrame() ? "inside the frame" : "after a hand-over");
                }
                return real.next(state, event, now);
            };
        }, ShellCommands.standard());
        String ch = h.asterisk.placeCall("+15551230911");
        h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/.*/play").size() >= 2, WAIT);
        h.asterisk.pressDtmf(ch, '1');
        h.asterisk.await("the call in the dialplan", () -> h.asterisk.location(ch).startsWith("dialplan:"), WAIT);

        h.asterisk.userEvent(ch, "PaymentStart");

        h.asterisk.awaitRequest("POST", "/ari/recordings/live/.*/pause", WAIT);
        assertEquals(List.of("inside the frame"), decided);
        int status = h.asterisk.requests("POST", "/ari/recordings/live/.*/pause").get(0).status();
        assertTrue(status / 100 == 2, "Asterisk accepted the pause: " + status);
    }

    /** True when the event socket's frame handler is on this thread's stack. */
    private static boolean insideTheFrame() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(
                f -> f.getClassName().equals(AriConnection.class.getName()) && f.getMethodName().equals("onFrame")));
    }
}
