package org.consentrecorder.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.consentrecorder.testing.CapturedLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A caller ID is whatever the far end sent. One with NUL, CR/LF, ten kilobytes and an escape
 * sequence, a dialled number with a NUL and a user event with a forged log line in its name still
 * get the whole consent dialogue, an outcome, evidence and an archived recording; what is stored is
 * bounded and cleaned, and no log line carries a raw CR, LF or NUL.
 */
class HostileCallerIdTest {
    private static final String FORGED = "\r\n2026-11-27T00:00:00.000Z INFO  [main] forged - all is well";
    private static final String NUMBER = "+15551230777\u0000" + FORGED;
    private static final String NAME = "\u001b[31mMallory\u0000" + FORGED + "\uD83D\uDE00" + "X".repeat(10_000);
    private AppHarness h;
    private CapturedLogs logs;

    @BeforeEach
    void captureLogs() {
        logs = CapturedLogs.everything(Level.DEBUG);
    }

    @AfterEach
    void stop() {
        logs.close();
        if (h != null) {
            h.close();
        }
    }

    @Test
    void aHostileCallerIdNeverBreaksTheCall_andIsStoredAndLoggedClean() {
        h = AppHarness.start(Map.of());
        String ch = h.asterisk.placeCall(FakeAsterisk.USER, NUMBER, NAME, "100\u0000" + FORGED, "en");
        h.asterisk.await("the notice and the choice", () -> h.asterisk.requests("POST", "/ari/channels/" + ch + "/play")
                .size() == 2, AppHarness.WAIT);
        h.asterisk.pressDtmf(ch, '1');
        Map<String, Object> call = h.awaitRows("select * from call where channel_id = $1 and recording_state = 'recording'",
                ch).get(0);
        UUID callId = (UUID) call.get("id");
        h.asterisk.userEvent(ch, "PaymentStart" + FORGED + "\u0000" + "Y".repeat(5000));
        h.asterisk.userEvent(ch, "PaymentStart");
        h.awaitRows("select 1 from recording_timeline where call_id = $1 and change = 'paused'", callId);
        h.asterisk.userEvent(ch, "PaymentEnd");
        h.awaitRows("select 1 from recording_timeline where call_id = $1 and change = 'resumed'", callId);
        h.asterisk.callerHangsUp(ch);
        h.awaitRows("select 1 from call where id = $1 and ended_at is not null and outcome = 'granted'", callId);
        h.awaitRows("select 1 from recording where call_id = $1 and state = 'archived'", callId);

        Map<String, Object> evidence = h.rows("select * from consent_decision where call_id = $1", callId).get(0);
        assertEquals("granted", evidence.get("outcome"));
        String number = (String) evidence.get("caller_number");
        String name = (String) evidence.get("caller_name");
        String dialled = (String) evidence.get("dialled_number");
        assertTrue(number.startsWith("+15551230777\uFFFD\uFFFD\uFFFD2026-11-27"), number);
        assertTrue(name.startsWith("\uFFFD[31mMallory\uFFFD\uFFFD\uFFFD2026"), name);
        assertTrue(name.contains("\uD83D\uDE00"), "a valid pair is kept: " + name);
        assertEquals(AriEventTranslator.MAX_CALLER_NAME, name.length());
        assertTrue(number.length() <= AriEventTranslator.MAX_CALLER_NUMBER);
        assertTrue(dialled.startsWith("100\uFFFD"), dialled);
        for (String stored : List.of(number, name, dialled)) {
            assertFalse(stored.chars().anyMatch(c -> c < 0x20), "no control character stored: " + stored);
        }

        List<ILoggingEvent> logged = logs.events();
        assertFalse(logged.isEmpty());
        for (ILoggingEvent e : logged) {
            String line = e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage());
            assertFalse(line.contains("\n2026-11-27T00:00:00.000Z INFO"), "a forged log line: " + line);
            if (e.getLoggerName().startsWith("org.consentrecorder")) {
                assertFalse(line.contains("\n") || line.contains("\r") || line.contains("\u0000"),
                        "a raw CR, LF or NUL in a log line: " + line);
            }
            assertFalse(line.contains("XXXXXXXXXX") || line.contains("Mallory"), "the caller's name in a log line: " + line);
        }
    }
}
