package org.consentrecorder.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.consentrecorder.config.ConfigProblem;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.ConfigSource;
import org.junit.jupiter.api.Test;

/** {@code CR_RECORDING_CHANNELS}: mono by default; a bad value names the key and the problem. */
class RecordingChannelsSettingTest {

    private static ConfigReader read(Map<String, String> env) {
        ConfigReader r = new ConfigReader(ConfigSource.of(env));
        CallSettingsLoader.load(r);
        return r;
    }

    private static List<ConfigProblem> problems(Map<String, String> env) {
        return read(env).problems();
    }

    @Test
    void givenNothing_thenCallsAreRecordedInMono() {
        ConfigReader r = new ConfigReader(ConfigSource.of(Map.of()));
        CallSettings s = CallSettingsLoader.load(r);
        assertTrue(r.problems().isEmpty(), r.problems().toString());
        assertEquals(RecordingChannels.MONO, s.recording().channels());
        assertEquals(List.of(Leg.IN), s.recording().channels().legs());
    }

    @Test
    void givenAnUnknownValue_thenTheKeyAndTheChoicesAreNamed() {
        List<ConfigProblem> p = problems(Map.of("CR_RECORDING_CHANNELS", "quad"));
        assertEquals(1, p.size(), p.toString());
        assertEquals("CR_RECORDING_CHANNELS", p.get(0).key());
        assertTrue(p.get(0).problem().contains("'quad' is not one of mono, stereo"), p.get(0).problem());
    }

    @Test
    void givenStereo_thenBothLegsAreRecorded() {
        ConfigReader r = read(Map.of("CR_RECORDING_CHANNELS", "stereo"));
        assertTrue(r.problems().isEmpty(), r.problems().toString());
        CallSettings s = CallSettingsLoader.load(new ConfigReader(ConfigSource.of(Map.of("CR_RECORDING_CHANNELS", "stereo"))));
        assertEquals(List.of(Leg.IN, Leg.OUT), s.recording().channels().legs());
        assertEquals("in", s.recording().spyOf(Leg.IN));
        assertEquals("out", s.recording().spyOf(Leg.OUT));
    }

    @Test
    void givenStereoWithAFormatTheArchiveCannotInterleave_thenTheFormatIsNamed() {
        List<ConfigProblem> p = problems(Map.of("CR_RECORDING_CHANNELS", "stereo", "CR_RECORDING_FORMAT", "gsm"));
        assertEquals(List.of("CR_RECORDING_CHANNELS"), p.stream().map(ConfigProblem::key).toList());
        assertTrue(p.get(0).problem().contains("wav or wav16") && p.get(0).problem().contains("'gsm'"),
                p.get(0).problem());
        assertTrue(problems(Map.of("CR_RECORDING_CHANNELS", "stereo", "CR_RECORDING_FORMAT", "wav16")).isEmpty());
    }

    @Test
    void givenStereoWithASnoopDirection_thenTheDirectionIsNamedAsNotApplying() {
        List<ConfigProblem> p = problems(Map.of("CR_RECORDING_CHANNELS", "STEREO", "CR_SNOOP_SPY", "in"));
        assertTrue(p.stream().anyMatch(x -> x.key().equals("CR_SNOOP_SPY") && x.problem().contains("does not apply")),
                p.toString());
    }
}
