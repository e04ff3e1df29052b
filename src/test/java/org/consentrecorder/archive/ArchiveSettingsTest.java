package org.consentrecorder.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.consentrecorder.audio.Codec;
import org.consentrecorder.audio.CodecSettings;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.ConfigSource;
import org.junit.jupiter.api.Test;

/** CR_ARCHIVE_QUARANTINE_GRACE (how long audio of no known call waits for a decision) and CR_ARCHIVE_CODEC. */
class ArchiveSettingsTest {

    private static ConfigReader reader(Map<String, String> env) {
        return new ConfigReader(ConfigSource.of(env));
    }

    @Test
    void theQuarantineGraceIsThirtyDaysUnlessSetAndZeroMeansNever() {
        ConfigReader none = reader(Map.of());
        assertEquals(Duration.ofDays(30), ArchiveSettings.load(none).quarantineGrace());
        assertTrue(none.problems().isEmpty());
        ConfigReader zero = reader(Map.of("CR_ARCHIVE_QUARANTINE_GRACE", "0"));
        assertEquals(Duration.ZERO, ArchiveSettings.load(zero).quarantineGrace());
        assertTrue(zero.problems().isEmpty());
        assertEquals(Duration.ofDays(90), ArchiveSettings.load(reader(Map.of("CR_ARCHIVE_QUARANTINE_GRACE", "90d")))
                .quarantineGrace());
    }

    @Test
    void aGraceThatIsNotADurationIsAProblemNamedByItsKey() {
        for (String bad : new String[] {"soon", "-1d", "4000d"}) {
            ConfigReader r = reader(Map.of("CR_ARCHIVE_QUARANTINE_GRACE", bad));
            ArchiveSettings.load(r);
            assertEquals(1, r.problems().size(), bad);
            assertTrue(r.problems().get(0).toString().contains("CR_ARCHIVE_QUARANTINE_GRACE"), r.problems().toString());
        }
    }

    @Test
    void theGraceIsReportedAsItIsWritten() {
        assertEquals("30d", RecordingQuarantine.describe(Duration.ofDays(30)));
        assertEquals("36h", RecordingQuarantine.describe(Duration.ofHours(36)));
        assertEquals("90m", RecordingQuarantine.describe(Duration.ofMinutes(90)));
        assertEquals("45s", RecordingQuarantine.describe(Duration.ofSeconds(45)));
        assertEquals("1500ms", RecordingQuarantine.describe(Duration.ofMillis(1500)));
        assertEquals("0ms", RecordingQuarantine.describe(Duration.ZERO));
    }

    @Test
    void theCodecIsOpusAtSixteenKilobitsUnlessSet() {
        ConfigReader none = reader(Map.of());
        CodecSettings codec = ArchiveSettings.load(none).codec();
        assertEquals(Codec.OPUS, codec.codec());
        assertEquals(16000, codec.opusBitratePerChannel());
        assertTrue(none.problems().isEmpty());
        assertEquals(Codec.ALAW, ArchiveSettings.load(reader(Map.of("CR_ARCHIVE_CODEC", "alaw"))).codec().codec());
        assertEquals(Codec.WAV, ArchiveSettings.load(reader(Map.of("CR_ARCHIVE_CODEC", "WAV"))).codec().codec());
    }

    @Test
    void aCodecThatIsNotOneOfTheThreeIsAProblemNamedByItsKey() {
        for (String bad : new String[] {"mp3", "flac", "opus16"}) {
            ConfigReader r = reader(Map.of("CR_ARCHIVE_CODEC", bad));
            ArchiveSettings.load(r);
            assertEquals(1, r.problems().size(), bad);
            String problem = r.problems().get(0).toString();
            assertTrue(problem.contains("CR_ARCHIVE_CODEC") && problem.contains("opus, alaw, wav"), problem);
        }
    }
}
