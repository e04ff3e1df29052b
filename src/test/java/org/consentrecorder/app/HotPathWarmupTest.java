package org.consentrecorder.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.consentrecorder.ari.AriBindingSelector;
import org.consentrecorder.ari.AriEventDecoder;
import org.consentrecorder.call.AriEventTranslator;
import org.consentrecorder.call.CallSettings;
import org.consentrecorder.call.CallSettingsLoader;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.ConfigSource;
import org.junit.jupiter.api.Test;

class HotPathWarmupTest {
    private static final CallSettings SETTINGS = CallSettingsLoader.load(new ConfigReader(ConfigSource.of(Map.of())));

    /** The binding a real Asterisk 22 (ARI 10) gets. */
    private static AriEventDecoder newestBinding() {
        return new AriEventDecoder(AriBindingSelector.select("10.0.0").binding());
    }

    @Test
    void everyEventTypeTheTranslatorActsOnIsDecodedAndRouted() {
        HotPathWarmup.Exercise ex = HotPathWarmup.exercise(newestBinding(), SETTINGS, 1);
        assertEquals(AriEventTranslator.HANDLED_TYPES, ex.decodedTypes(), "a canned event for every handled type");
        assertEquals(AriEventTranslator.HANDLED_TYPES, ex.routedTypes(),
                "every canned event reaches a call (none is ignored, so the routing code runs too)");
        assertEquals(AriEventTranslator.HANDLED_TYPES.size(), HotPathWarmup.cannedEvents().size()
                        - 1 /* the snoop's own StasisStart */,
                "one frame per type, plus the snoop channel's StasisStart");
    }

    @Test
    void theCoreRunsAWholeRecordedCallWithAPauseAndAResumeToItsEnd() {
        HotPathWarmup.Exercise ex = HotPathWarmup.exercise(newestBinding(), SETTINGS, 1);
        assertTrue(ex.commands().containsAll(Set.of("Answer", "Play", "RecordDecision", "CreateSnoop",
                "StartRecording", "PauseRecording", "ResumeRecording", "ArchiveRecording", "Finished")),
                "commands issued: " + ex.commands());
        assertTrue(ex.callEnded(), "the throwaway call ended");
    }

    @Test
    void leavesNoStateBehind_aSecondRunSeesExactlyWhatTheFirstSaw() {
        AriEventDecoder decoder = newestBinding();
        HotPathWarmup.Exercise first = HotPathWarmup.exercise(decoder, SETTINGS, 3);
        HotPathWarmup.Exercise again = HotPathWarmup.exercise(decoder, SETTINGS, 1);
        assertEquals(first, again);
    }
}
