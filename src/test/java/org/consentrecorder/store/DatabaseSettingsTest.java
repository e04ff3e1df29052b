package org.consentrecorder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.consentrecorder.config.ConfigException;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.ConfigSource;
import org.junit.jupiter.api.Test;

/** The owner's login (CR_DB_OWNER_*) is for an external database, and is another role than the service's. */
class DatabaseSettingsTest {
    private static DatabaseSettings load(Map<String, String> env) {
        ConfigReader r = new ConfigReader(ConfigSource.of(env));
        DatabaseSettings settings = DatabaseSettings.load(r);
        r.throwIfProblems();
        return settings;
    }

    private static String problem(Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> load(env)).getMessage();
    }

    @Test
    void anExternalDatabaseTakesTheServicesAndTheOwnersLogin() throws Exception {
        DatabaseSettings s = load(Map.of("CR_DB_URL", "postgresql://db:5432/cr", "CR_DB_USER", "cr_app",
                "CR_DB_PASSWORD", "app-secret-1", "CR_DB_OWNER_USER", "cr_owner", "CR_DB_OWNER_PASSWORD", "owner-secret-1"));
        assertEquals("cr_owner", s.ownerUser().orElseThrow());
        assertEquals("owner-secret-1", s.ownerPassword().reveal());
        // an external server is not contacted by start(): only the two logins are made
        try (DatabaseServer server = DatabaseServer.start(s)) {
            assertTrue(server.separateOwner());
            assertEquals("cr_app", server.user());
            assertEquals("app-secret-1", server.password());
            assertEquals("cr_owner", server.ownerUser());
            assertEquals("owner-secret-1", server.ownerPassword());
            assertEquals(server.connectOptions().getHost(), server.ownerConnectOptions().getHost());
            assertEquals("cr", server.ownerConnectOptions().getDatabase());
        }
        try (DatabaseServer oneLogin = DatabaseServer.start(load(Map.of("CR_DB_URL", "postgresql://db:5432/cr")))) {
            assertTrue(!oneLogin.separateOwner(), "without an owner the service's login migrates");
        }
    }

    @Test
    void badCombinationsAreNamed() {
        assertTrue(problem(Map.of("CR_DB_OWNER_USER", "cr_owner")).contains("CR_DB_OWNER_USER"),
                "the embedded database makes its own roles");
        assertTrue(problem(Map.of("CR_DB_URL", "postgresql://db:5432/cr", "CR_DB_OWNER_PASSWORD", "x"))
                .contains("CR_DB_OWNER_USER"));
        assertTrue(problem(Map.of("CR_DB_URL", "postgresql://db:5432/cr", "CR_DB_USER", "same",
                "CR_DB_OWNER_USER", "same", "CR_DB_OWNER_PASSWORD", "x")).contains("must be another role"));
    }

    @Test
    void ownerPasswordsNeverShowInTheProblems() {
        String message = problem(Map.of("CR_DB_OWNER_USER", "cr_owner", "CR_DB_OWNER_PASSWORD", "owner-secret-77"));
        assertTrue(!message.contains("owner-secret-77"), message);
    }
}
