package org.consentrecorder.ari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.consentrecorder.config.ConfigException;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.ConfigSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CR_ARI_SERVERS and its per-server credentials, and CR_ARI_URL as the shorthand for one server. */
class AriServersConfigTest {

    private static AriSettings load(Map<String, String> env) {
        ConfigReader r = new ConfigReader(ConfigSource.of(env));
        AriSettings settings = AriSettings.load(r);
        r.throwIfProblems();
        return settings;
    }

    private static ConfigException invalid(Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> load(env));
    }

    private static boolean names(ConfigException e, String key) {
        return e.problems().stream().anyMatch(p -> p.key().equals(key));
    }

    @Test
    void givenTheShorthand_thenOneServerNamedDefault_orAsCrAriServerNameSays() {
        AriSettings one = load(Map.of("CR_ARI_URL", "http://pbx.internal:8088/ari", "CR_ARI_PASSWORD", "pw"));
        assertEquals(1, one.servers().size());
        assertEquals("default", one.servers().get(0).name());
        assertEquals("pbx.internal", one.servers().get(0).endpoint().host());

        AriSettings named = load(Map.of("CR_ARI_PASSWORD", "pw", "CR_ARI_SERVER_NAME", "pbx-1.site"));
        assertEquals("pbx-1.site", named.servers().get(0).name());
    }

    @Test
    void givenTwoServers_thenEachHasItsOwnUrlAndCredentials(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("pbx2.password");
        Files.writeString(secret, "from-a-file\n");
        Map<String, String> env = new HashMap<>();
        env.put("CR_ARI_SERVERS", " pbx1=http://10.0.0.1:8088 , pbx2=https://asterisk2.internal:8089/ari ");
        env.put("CR_ARI_SERVER_PBX1_USER", "recorder1");
        env.put("CR_ARI_SERVER_PBX1_PASSWORD", "first-secret");
        env.put("CR_ARI_SERVER_PBX2_PASSWORD_FILE", secret.toString());
        env.put("CR_ARI_APP", "recorder");
        AriSettings a = load(env);
        assertEquals(List.of("pbx1", "pbx2"), a.servers().stream().map(AriServer::name).toList());
        AriEndpoint first = a.servers().get(0).endpoint();
        assertEquals("10.0.0.1", first.host());
        assertEquals(8088, first.port());
        assertEquals("recorder1", first.user());
        assertEquals("first-secret", first.password().reveal());
        AriEndpoint second = a.servers().get(1).endpoint();
        assertTrue(second.tls());
        assertEquals("/ari", second.ariPath());
        assertEquals(AriSettings.DEFAULT_ARI_USER, second.user());
        assertEquals("from-a-file", second.password().reveal(), "the file's trailing line break is not the password");
        assertEquals("recorder", first.application());
        assertEquals("recorder", second.application(), "every Asterisk runs the same Stasis application");
        assertFalse(a.toString().contains("first-secret") || a.toString().contains("from-a-file"), a.toString());
    }

    @Test
    void givenBothTheListAndTheShorthand_thenTheProblemNamesTheKeys() {
        ConfigException e = invalid(Map.of("CR_ARI_SERVERS", "pbx1=http://10.0.0.1:8088",
                "CR_ARI_SERVER_PBX1_PASSWORD", "pw", "CR_ARI_URL", "http://10.0.0.9:8088", "CR_ARI_PASSWORD", "x"));
        assertTrue(names(e, "CR_ARI_SERVERS"), e.getMessage());
        assertTrue(e.getMessage().contains("CR_ARI_URL") && e.getMessage().contains("CR_ARI_PASSWORD"), e.getMessage());
    }

    @Test
    void givenDuplicateNamesOrUrls_thenBothAreRefused() {
        ConfigException names = invalid(Map.of("CR_ARI_SERVERS", "pbx1=http://10.0.0.1:8088,pbx1=http://10.0.0.2:8088",
                "CR_ARI_SERVER_PBX1_PASSWORD", "pw"));
        assertTrue(names.getMessage().contains("'pbx1' is given twice"), names.getMessage());

        // the same place written two ways: the default port and a trailing /ari
        ConfigException urls = invalid(Map.of("CR_ARI_SERVERS", "a=http://10.0.0.1/ari,b=HTTP://10.0.0.1:80",
                "CR_ARI_SERVER_A_PASSWORD", "pw", "CR_ARI_SERVER_B_PASSWORD", "pw"));
        assertTrue(urls.getMessage().contains("'a' and 'b' have the same URL"), urls.getMessage());
    }

    @Test
    void givenBadNamesOrUrls_thenEachIsNamed_andNoPasswordIsEchoed() {
        ConfigException e = invalid(Map.of("CR_ARI_SERVERS",
                "PBX=http://10.0.0.1:8088,1pbx=http://10.0.0.2:8088,=http://10.0.0.3:8088,ok=ftp://u:leaked-pw@10.0.0.4,"
                        + "nohost=http://:8088",
                "CR_ARI_SERVER_OK_PASSWORD", "pw", "CR_ARI_SERVER_NOHOST_PASSWORD", "pw"));
        String m = e.getMessage();
        assertTrue(m.contains("'PBX' must be 1-32"), m);
        assertTrue(m.contains("'1pbx' must be 1-32"), m);
        assertTrue(m.contains("has no name"), m);
        assertTrue(m.contains("server 'ok' must start with http"), m);
        assertTrue(m.contains("server 'nohost' has no host name"), m);
        assertFalse(m.contains("leaked-pw"), m);
    }

    @Test
    void givenAMissingPassword_orAKeyForNoServer_thenTheKeyIsNamed() {
        ConfigException e = invalid(Map.of("CR_ARI_SERVERS", "pbx1=http://10.0.0.1:8088,pbx2=http://10.0.0.2:8088",
                "CR_ARI_SERVER_PBX1_PASSWORD", "pw", "CR_ARI_SERVER_PBX3_PASSWORD", "typo"));
        assertTrue(names(e, "CR_ARI_SERVER_PBX2_PASSWORD"), e.getMessage());
        assertTrue(names(e, "CR_ARI_SERVER_PBX3_PASSWORD"), e.getMessage());
        assertFalse(e.getMessage().contains("typo"), e.getMessage());
    }

    @Test
    void givenCredentialsInAListedUrl_thenTheyAreUsed_andKeysWin() {
        AriSettings a = load(Map.of("CR_ARI_SERVERS", "pbx1=http://alice:url-pw@10.0.0.1:8088",
                "CR_ARI_SERVER_PBX1_USER", "bob"));
        assertEquals("bob", a.servers().get(0).endpoint().user());
        assertEquals("url-pw", a.servers().get(0).endpoint().password().reveal());
        assertFalse(a.servers().get(0).endpoint().base().toString().contains("url-pw"), "no credentials in the base URL");
    }

    @Test
    void givenAnEmptyList_orTooManyServers_thenRefused() {
        assertTrue(invalid(Map.of("CR_ARI_SERVERS", " , ")).getMessage().contains("names no server"));
        StringBuilder many = new StringBuilder();
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i <= AriSettings.MAX_SERVERS; i++) {
            many.append(i == 0 ? "" : ",").append("p").append(i).append("=http://10.0.1.").append(i).append(":8088");
            env.put("CR_ARI_SERVER_P" + i + "_PASSWORD", "pw");
        }
        env.put("CR_ARI_SERVERS", many.toString());
        assertTrue(invalid(env).getMessage().contains("at most " + AriSettings.MAX_SERVERS));
    }
}
