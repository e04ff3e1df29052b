package org.consentrecorder.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.ari.FakeAsterisk.Request;
import org.consentrecorder.testing.CapturedLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shell fails closed: when the core throws, or returns a command the shell has no handler
 * for, the recording is stopped and the snoop channel hung up (Asterisk, here the ARI double, sees
 * both requests), the failure is logged once with the call id and never with the caller's number,
 * and the call is let go.
 */
class CallSessionFailClosedTest {
    private static final Duration WAIT = AppHarness.WAIT;
    private static final String CALLER = "+15551230901";
    private ShellHarness h;
    private CapturedLogs logs;

    @BeforeEach
    void captureLogs() {
        logs = CapturedLogs.everything();
    }

    @AfterEach
    void stop() {
        logs.close();
        if (h != null) {
            h.close();
        }
    }

    @Test
    void everyCommandTheCoreCanReturnHasAHandler() {
        Set<Class<?>> permitted = Arrays.stream(CallCommand.class.getPermittedSubclasses()).collect(Collectors.toSet());
        assertEquals(permitted, ShellCommands.standard().known());
        assertFalse(ShellCommands.standard().without(CallCommand.AppendTimeline.class).known()
                .contains(CallCommand.AppendTimeline.class));
    }

    @Test
    void givenACoreThatThrowsWhileRecording_thenTheRecordingIsStoppedAndTheSnoopHungUp() {
        h = ShellHarness.start(settings -> {
            CallCore real = new CallCore(settings);
            return (state, event, now) -> {
                if (event instanceof CallEvent.UserEvent u && u.name().equals("CoreFault")) {
                    // the message quotes the caller: the log must not
                    throw new IllegalStateException("broken state for caller " + CALLER);
                }
                return real.next(state, event, now);
            };
        }, ShellCommands.standard());
        String ch = h.asterisk.placeCall(CALLER);
        h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/.*/play").size() >= 2, WAIT);
        h.asterisk.pressDtmf(ch, '1');
        h.asterisk.await("the call in the dialplan", () -> h.asterisk.location(ch).startsWith("dialplan:"), WAIT);
        String name = recordingName();
        UUID callId = UUID.fromString(name.substring(3));
        assertTrue(h.asterisk.liveRecordings().contains(name));

        h.asterisk.userEvent(ch, "CoreFault");

        assertStoppedAndReleased(name, callId);
        // the call is no longer ours: a payment trigger now reaches nobody, and nothing is sent for it
        int pauses = h.asterisk.requests("POST", "/ari/recordings/live/.*/pause").size();
        h.asterisk.userEvent(ch, "PaymentStart");
        h.asterisk.await("the event delivered", () -> h.asterisk.sentEvents().stream()
                .filter(e -> e.type().equals("ChannelUserevent")).count() >= 2, WAIT);
        assertEquals(pauses, h.asterisk.requests("POST", "/ari/recordings/live/.*/pause").size());
        assertLoggedOnce(callId, IllegalStateException.class.getName());
    }

    @Test
    void givenACommandTheShellDoesNotKnow_thenTheRecordingIsStoppedAndTheSnoopHungUp() {
        // the core returns AppendTimeline (the recording's first row) the moment Asterisk accepted
        // the record request: this shell has no handler for it
        h = ShellHarness.start(CallCore::new, ShellCommands.standard().without(CallCommand.AppendTimeline.class));
        String ch = h.asterisk.placeCall(CALLER);
        h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/.*/play").size() >= 2, WAIT);
        h.asterisk.pressDtmf(ch, '1');
        h.asterisk.awaitRequest("POST", "/ari/channels/.*/record", WAIT);
        String name = recordingName();
        UUID callId = UUID.fromString(name.substring(3));

        assertStoppedAndReleased(name, callId);
        assertLoggedOnce(callId, "AppendTimeline");
    }

    private String recordingName() {
        Request record = h.asterisk.requests("POST", "/ari/channels/.*/record").get(0);
        return record.param("name");
    }

    private void assertStoppedAndReleased(String name, UUID callId) {
        String snoop = name + "-snoop";
        h.asterisk.awaitRequest("POST", "/ari/recordings/live/" + name + "/stop", WAIT);
        h.asterisk.awaitRequest("DELETE", "/ari/channels/" + snoop, WAIT);
        h.asterisk.await("the recording ended", () -> !h.asterisk.liveRecordings().contains(name), WAIT);
        assertFalse(h.asterisk.channelIds().contains(snoop), "the snoop channel is gone");
        h.asterisk.await("the call released", () -> h.registry.liveCount() == 0, WAIT);
        h.awaitRows("select 1 from call where id = $1 and ended_at is not null and phase = 'failed_closed'", callId);
    }

    private void assertLoggedOnce(UUID callId, String cause) {
        List<ILoggingEvent> logged = logs.events();
        List<String> failClosed = logged.stream()
                .filter(e -> e.getLevel() == Level.ERROR && e.getFormattedMessage().contains("failing closed"))
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(1, failClosed.size(), failClosed.toString());
        assertTrue(failClosed.get(0).contains(callId.toString()), failClosed.get(0));
        assertTrue(failClosed.get(0).contains(cause), failClosed.get(0));
        for (ILoggingEvent e : logged) {
            String line = e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage());
            assertFalse(line.contains(CALLER.substring(1)), "the caller's number in a log line: " + line);
        }
    }
}
