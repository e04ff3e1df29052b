package org.consentrecorder.ari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.loway.oss.ari4java.AriVersion;
import ch.loway.oss.ari4java.tools.ARIException;
import org.junit.jupiter.api.Test;

class AriBindingSelectorTest {

    @Test
    void knownVersionsMapExactlyWithoutWarning() {
        assertEquals(AriVersion.ARI_8_0_0, AriBindingSelector.select("8.0.0").binding());
        assertEquals(AriVersion.ARI_9_0_0, AriBindingSelector.select("9.0.0").binding());
        AriBindingSelector.Choice c = AriBindingSelector.select("10.0.0");
        assertEquals(AriVersion.ARI_10_0_0, c.binding());
        assertTrue(c.warning().isEmpty());
    }

    @Test
    void asterisk23GetsTheNewestBindingAndAWarning() {
        // ari4java's own detection refuses: this is what the selector exists for
        assertThrows(ARIException.class, () -> AriVersion.fromVersionString("11.0.0"));
        AriBindingSelector.Choice c = AriBindingSelector.select("11.0.0");
        assertEquals(AriVersion.ARI_10_0_0, c.binding());
        assertTrue(c.warning().orElseThrow().contains("11.0.0"));
    }

    @Test
    void anUnknownVersionBetweenKnownOnesGetsTheClosestOlder() {
        AriBindingSelector.Choice c = AriBindingSelector.select("9.2.1");
        assertEquals(AriVersion.ARI_9_0_0, c.binding());
        assertTrue(c.warning().isPresent());
    }

    @Test
    void tooOldOrGarbageIsRefusedWithAClearMessage() {
        IllegalStateException old = assertThrows(IllegalStateException.class, () -> AriBindingSelector.select("7.0.1"));
        assertTrue(old.getMessage().contains("Asterisk 20"));
        assertThrows(IllegalArgumentException.class, () -> AriBindingSelector.select("ten"));
        assertThrows(IllegalArgumentException.class, () -> AriBindingSelector.select(null));
    }
}
