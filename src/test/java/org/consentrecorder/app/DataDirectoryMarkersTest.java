package org.consentrecorder.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.consentrecorder.app.DataDirectoryMarkers.DemoDirectory;
import org.consentrecorder.app.DataDirectoryMarkers.Refused;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryMarkersTest {
    @TempDir
    Path tmp;

    @Test
    void theDemoTakesANewOrEmptyDirectoryAndMarksItAndItsKeyStore() throws Exception {
        Path fresh = tmp.resolve("new");
        assertEquals(DemoDirectory.FRESH, DataDirectoryMarkers.claimForDemo(fresh));
        assertTrue(Files.exists(fresh.resolve(DataDirectoryMarkers.DEMO)));
        assertTrue(Files.exists(fresh.resolve("keys").resolve(DataDirectoryMarkers.DEMO)));
        assertTrue(Files.readString(fresh.resolve(DataDirectoryMarkers.DEMO)).contains("Nothing here is for production"));

        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertEquals(DemoDirectory.FRESH, DataDirectoryMarkers.claimForDemo(empty));
    }

    @Test
    void theDemoReusesItsOwnDirectory() {
        Path dir = tmp.resolve("demo");
        DataDirectoryMarkers.claimForDemo(dir);
        assertEquals(DemoDirectory.REUSED, DataDirectoryMarkers.claimForDemo(dir));
    }

    @Test
    void theDemoRefusesADirectoryARealRunUsed() throws Exception {
        Path data = tmp.resolve("data");
        DataDirectoryMarkers.claimForRun(data.resolve("keys"), Optional.of(data.resolve("postgres")), Optional.empty());
        assertTrue(Files.exists(data.resolve("keys").resolve(DataDirectoryMarkers.RUN)));
        Refused e = assertThrows(Refused.class, () -> DataDirectoryMarkers.claimForDemo(data));
        assertTrue(e.getMessage().contains("a real 'run' has used it"), e.getMessage());
        assertTrue(e.getMessage().contains(data.toString()), "names the directory: " + e.getMessage());
        assertTrue(e.getMessage().contains("--data-dir"), "says what to do: " + e.getMessage());
        assertFalse(Files.exists(data.resolve(DataDirectoryMarkers.DEMO)), "nothing written");
    }

    @Test
    void theDemoRefusesANonEmptyDirectoryItDidNotMake() throws Exception {
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(other.resolve("something.txt"), "real data, maybe");
        Refused e = assertThrows(Refused.class, () -> DataDirectoryMarkers.claimForDemo(other));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        assertTrue(e.getMessage().contains(other.toString()), e.getMessage());
        assertFalse(Files.exists(other.resolve(DataDirectoryMarkers.DEMO)), "nothing written");
    }

    @Test
    void runRefusesEveryWayIntoADemoDirectory() {
        Path demo = tmp.resolve("demo");
        DataDirectoryMarkers.claimForDemo(demo);
        Path elsewhere = tmp.resolve("elsewhere");
        // its key store, its database, its keyring, or the demo directory itself as a database directory
        assertRefused(() -> DataDirectoryMarkers.claimForRun(demo.resolve("keys"), Optional.empty(), Optional.empty()), demo);
        assertRefused(() -> DataDirectoryMarkers.claimForRun(elsewhere.resolve("keys"), Optional.of(demo.resolve("postgres")),
                Optional.empty()), demo);
        assertRefused(() -> DataDirectoryMarkers.claimForRun(elsewhere.resolve("keys"), Optional.empty(),
                Optional.of(demo.resolve("demo-keyring.json"))), demo);
        assertRefused(() -> DataDirectoryMarkers.claimForRun(demo.resolve("x").resolve("keys"), Optional.of(demo),
                Optional.empty()), demo);
        assertFalse(Files.exists(elsewhere.resolve("keys").resolve(DataDirectoryMarkers.RUN)), "refused before marking");
    }

    @Test
    void runMarksItsKeyStoreOnceAndStartsAgain() throws Exception {
        Path keys = tmp.resolve("data").resolve("keys");
        DataDirectoryMarkers.claimForRun(keys, Optional.of(tmp.resolve("data").resolve("postgres")), Optional.empty());
        String first = Files.readString(keys.resolve(DataDirectoryMarkers.RUN));
        DataDirectoryMarkers.claimForRun(keys, Optional.of(tmp.resolve("data").resolve("postgres")), Optional.empty());
        assertEquals(first, Files.readString(keys.resolve(DataDirectoryMarkers.RUN)), "written at the first start only");
    }

    private static void assertRefused(org.junit.jupiter.api.function.Executable claim, Path demo) {
        Refused e = assertThrows(Refused.class, claim);
        assertTrue(e.getMessage().contains("is a demo data directory"), e.getMessage());
        assertTrue(e.getMessage().contains(demo.toString()), "names the directory: " + e.getMessage());
        assertTrue(e.getMessage().contains("CR_KEYSTORE_DIR"), "says what to do: " + e.getMessage());
    }
}
