package org.consentrecorder.config;

import org.consentrecorder.admin.HttpSettings;
import org.consentrecorder.ari.AriSettings;
import org.consentrecorder.app.AppConfig;
import org.consentrecorder.call.NoticeLoader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.consentrecorder.call.AriEventTranslator;
import org.consentrecorder.call.LawfulBasis;
import org.consentrecorder.call.Outcome;
import org.consentrecorder.call.RecordingSettings;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml, asterisk-config and the application's defaults must agree: the ARI user,
 * port and application name, the contexts and extensions the app continues into, the prompt files
 * it plays, the UserEvent names the feature codes and the payment IVR raise, and the variables the
 * compose file and the env file use.
 */
class DeploymentConsistencyTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path CONFIG = ROOT.resolve("asterisk-config");

    /** An Asterisk .conf file: sections of (key, value) lines; comments (;) stripped. */
    private record AsteriskConf(Map<String, List<String[]>> sections) {
        static AsteriskConf read(String name) throws IOException {
            Map<String, List<String[]>> sections = new LinkedHashMap<>();
            String current = "";
            for (String raw : Files.readAllLines(CONFIG.resolve(name), StandardCharsets.UTF_8)) {
                String line = raw.replaceAll("(?<!\\\\);.*$", "").strip();
                if (line.isEmpty()) {
                    continue;
                }
                Matcher section = Pattern.compile("^\\[([^\\]]+)\\].*").matcher(line);
                if (section.matches()) {
                    current = section.group(1);
                    sections.putIfAbsent(current, new ArrayList<>());
                    continue;
                }
                String[] kv = line.split("\\s*=>?\\s*", 2);
                sections.computeIfAbsent(current, k -> new ArrayList<>()).add(new String[] {kv[0].strip(),
                        kv.length > 1 ? kv[1].strip() : ""});
            }
            return new AsteriskConf(sections);
        }

        String value(String section, String key) {
            return sections.getOrDefault(section, List.of()).stream().filter(kv -> kv[0].equals(key))
                    .map(kv -> kv[1]).findFirst().orElse(null);
        }

        List<String> lines(String section) {
            return sections.getOrDefault(section, List.of()).stream().map(kv -> kv[0] + " => " + kv[1]).toList();
        }

        Stream<String> allLines() {
            return sections.values().stream().flatMap(List::stream).map(kv -> kv[0] + " => " + kv[1]);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> compose() throws IOException {
        return new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(String name) throws IOException {
        return (Map<String, Object>) ((Map<String, Object>) compose().get("services")).get(name);
    }

    private static Properties envExample() throws IOException {
        Properties p = new Properties();
        p.load(Files.newBufferedReader(ROOT.resolve(".env.example")));
        return p;
    }

    /** The application's configuration as the compose stack gives it (from .env.example). */
    private static AppConfig appConfigFromEnvExample() throws IOException {
        Map<String, String> env = new HashMap<>();
        envExample().forEach((k, v) -> env.put((String) k, (String) v));
        // a path inside the app's container (the asterisk-tls volume): TransportSecurityConfigTest checks it
        env.remove("CR_ARI_CA_FILE");
        return AppConfig.load(ConfigSource.of(withoutPlaceholders(env)));
    }

    private static Map<String, String> withoutPlaceholders(Map<String, String> env) {
        Map<String, String> out = new HashMap<>(env);
        out.replaceAll((k, v) -> v.startsWith("change-me") ? placeholderFor(k) : v);
        return out;
    }

    private static String placeholderFor(String key) {
        return key.equals("CR_KEYRING") ? "kek-test:1=" + java.util.Base64.getEncoder().encodeToString(new byte[32])
                : "a-strong-test-secret-" + key.length();
    }

    @Test
    void theAriUserPortAndApplicationAgree() throws Exception {
        AsteriskConf ari = AsteriskConf.read("ari.conf");
        AsteriskConf http = AsteriskConf.read("http.conf");
        assertEquals("yes", ari.value("general", "enabled"));
        assertEquals("yes", http.value("general", "enabled"));
        // the ARI user section is rendered from CR_ARI_USER, which defaults to the app's default user
        assertTrue(ari.sections().containsKey("${CR_ARI_USER}"), ari.sections().keySet().toString());
        assertEquals("user", ari.value("${CR_ARI_USER}", "type"));
        Map<String, Object> asteriskEnv = env(service("asterisk"));
        assertEquals("${CR_ARI_USER:-" + AriSettings.DEFAULT_ARI_USER + "}", asteriskEnv.get("CR_ARI_USER"));
        Properties dotenv = envExample();
        assertEquals(AriSettings.DEFAULT_ARI_USER, dotenv.getProperty("CR_ARI_USER"));
        assertEquals(AriSettings.DEFAULT_APP, dotenv.getProperty("CR_ARI_APP"));

        // the app reaches Asterisk at the compose service name, over TLS on http.conf's TLS port, not published
        URI ariUrl = URI.create(dotenv.getProperty("CR_ARI_URL"));
        assertEquals("asterisk", ariUrl.getHost());
        assertEquals("https", ariUrl.getScheme());
        String tlsPort = http.value("general", "tlsbindaddr").replaceAll(".*:", "");
        assertEquals(Integer.parseInt(tlsPort), ariUrl.getPort());
        assertTrue(((List<?>) service("asterisk").get("expose")).contains(tlsPort));
        assertFalse(String.valueOf(service("asterisk").get("ports")).contains(tlsPort),
                "ARI is reachable inside the compose network only");
        assertEquals("127.0.0.1", http.value("general", "bindaddr"), "plain HTTP only inside the container");

        // linkedid reaches the evidence through ari.conf channelvars
        assertTrue(ari.value("general", "channelvars").contains(AriEventTranslator.LINKEDID_VAR));
    }

    @Test
    void theDialplanEntersTheAppAndItsContinueTargetsExist() throws Exception {
        AsteriskConf ext = AsteriskConf.read("extensions.conf");
        String app = AriSettings.DEFAULT_APP;
        assertTrue(ext.allLines().anyMatch(l -> l.contains("Stasis(" + app + ",")), "a Stasis(" + app + ") call");
        Set<String> targets = Set.copyOf(ext.lines("consent-recorder-targets").stream()
                .filter(l -> l.startsWith("exten => ")).map(l -> l.substring("exten => ".length()).split(",")[0]).toList());
        for (Outcome o : Outcome.values()) {
            if (o == Outcome.ABANDONED || o == Outcome.WITHDRAWN) {
                continue;   // an abandoned call is gone; a withdrawal happens in the dialplan
            }
            assertTrue(targets.contains(o.wire()), "[consent-recorder-targets] has an extension for " + o.wire());
        }
        // the per-outcome example in .env.example points at a context and extension that exist
        String example = Files.readAllLines(ROOT.resolve(".env.example")).stream()
                .filter(l -> l.startsWith("#CR_CONTINUE_TARGET_GRANTED=")).findFirst().orElseThrow();
        String[] target = example.substring(example.indexOf('=') + 1).split(",");
        assertTrue(ext.sections().containsKey(target[0]));
        assertTrue(targets.contains(target[1]));
    }

    @Test
    void theDialledNumberReachesStasisFilteredToDigitsAndPlus() throws Exception {
        AsteriskConf ext = AsteriskConf.read("extensions.conf");
        List<String> stasis = ext.allLines().filter(l -> l.contains("Stasis(" + AriSettings.DEFAULT_APP)).toList();
        assertFalse(stasis.isEmpty(), "a Stasis() call");
        for (String line : stasis) {
            // every variable passed into Stasis() is filtered: a comma in it would add arguments
            assertTrue(line.contains("dialled=${FILTER(0-9+,${CR_DIALLED})}"), "dialled= is FILTERed: " + line);
            String withoutFilter = line.replace("${FILTER(0-9+,${CR_DIALLED})}", "");
            assertFalse(withoutFilter.contains("${"), "no unfiltered variable reaches Stasis(): " + line);
        }
    }

    @Test
    void featureCodesAndThePaymentIvrRaiseTheUserEventsTheAppListensFor() throws Exception {
        RecordingSettings defaults = RecordingSettings.defaults();
        AsteriskConf features = AsteriskConf.read("features.conf");
        List<String> map = features.lines("applicationmap");
        assertTrue(map.stream().anyMatch(l -> l.contains(",peer,") && l.contains("UserEvent(" + defaults.pauseUserEvent())),
                map.toString());
        assertTrue(map.stream().anyMatch(l -> l.contains(",peer,") && l.contains("UserEvent(" + defaults.resumeUserEvent())));
        AsteriskConf ext = AsteriskConf.read("extensions.conf");
        List<String> ivr = ext.lines("payment-ivr");
        int start = indexOf(ivr, "UserEvent(" + defaults.pauseUserEvent());
        int read = indexOf(ivr, "Read(");
        int end = indexOf(ivr, "UserEvent(" + defaults.resumeUserEvent());
        assertTrue(start >= 0 && end > start, ivr.toString());
        Properties dotenv = envExample();
        assertEquals(defaults.pauseUserEvent(), dotenv.getProperty("CR_PAUSE_USEREVENT"));
        assertEquals(defaults.resumeUserEvent(), dotenv.getProperty("CR_RESUME_USEREVENT"));
        assertTrue(read < 0 || read > start, "the pause comes before any card digit is read");
    }

    private static int indexOf(List<String> lines, String needle) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(needle)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void everyPromptTheAppPlaysIsShippedAs8kHzMonoWavWithItsWords() throws Exception {
        for (String language : NoticeLoader.SHIPPED_LANGUAGES) {
            for (LawfulBasis basis : LawfulBasis.values()) {
                for (String name : NoticeLoader.promptNames(basis)) {
                    Path dir = CONFIG.resolve("sounds").resolve(language).resolve(NoticeLoader.SOUND_DIR);
                    Path wav = dir.resolve(name + ".wav");
                    assertTrue(Files.exists(dir.resolve(name + ".txt")), dir.resolve(name + ".txt").toString());
                    ByteBuffer h = ByteBuffer.wrap(Files.readAllBytes(wav)).order(ByteOrder.LITTLE_ENDIAN);
                    assertEquals("RIFF", new String(h.array(), 0, 4, StandardCharsets.US_ASCII), wav.toString());
                    assertEquals(1, h.getShort(20), wav + ": PCM");
                    assertEquals(1, h.getShort(22), wav + ": mono");
                    assertEquals(8000, h.getInt(24), wav + ": 8 kHz");
                    assertEquals(16, h.getShort(34), wav + ": 16 bit");
                }
            }
        }
        // and the Asterisk image installs them where sound:consent-recorder/<name> with lang=<xx> looks
        String dockerfile = Files.readString(CONFIG.resolve("Dockerfile"));
        assertTrue(dockerfile.contains("sounds"), "the Dockerfile copies the prompts");
    }

    @Test
    void theAppServiceIsWiredAsTheAppExpects() throws Exception {
        Map<String, Object> app = service("app");
        Properties dotenv = envExample();
        assertEquals(String.valueOf(HttpSettings.DEFAULT_HTTP_PORT), dotenv.getProperty("CR_HTTP_PORT"));
        assertTrue(String.valueOf(app.get("ports")).contains("${CR_HTTP_PORT:-" + HttpSettings.DEFAULT_HTTP_PORT + "}"));
        assertTrue(String.valueOf(app.get("healthcheck")).contains("/health/ready"));
        // the app binds 127.0.0.1 unless told otherwise: in the container it must be told, or the published port is dead
        assertEquals("0.0.0.0", env(app).get("CR_HTTP_HOST"));
        assertEquals("postgresql", URI.create(dotenv.getProperty("CR_DB_URL")).getScheme());
        assertEquals("postgres", URI.create(dotenv.getProperty("CR_DB_URL")).getHost());
        assertEquals("consent_recorder", env(service("postgres")).get("POSTGRES_DB"));
        assertTrue(dotenv.getProperty("CR_DB_URL").endsWith("/" + env(service("postgres")).get("POSTGRES_DB")));
        // the key store is a volume of its own, apart from the database's
        assertTrue(String.valueOf(app.get("volumes")).contains(":/app/data"));
        assertTrue(dotenv.getProperty("CR_KEYSTORE_DIR").startsWith("/app/data/"));
        // every image is pinned
        for (String name : List.of("postgres", "asterisk", "app")) {
            Object image = service(name).get("image");
            assertNotNull(image);
            assertFalse(String.valueOf(image).endsWith(":latest"), name);
        }
        assertTrue(String.valueOf(service("postgres").get("image")).matches("postgres:\\d+\\.\\d+.*"));
        String asteriskDockerfile = Files.readString(CONFIG.resolve("Dockerfile"));
        assertTrue(Pattern.compile("(?m)^(FROM|ARG \\w+=)\\s*\\S+:\\S*\\d").matcher(asteriskDockerfile).find(),
                "Asterisk base image pinned to a dated tag");
        // and the whole .env.example is a configuration the app accepts
        AppConfig config = appConfigFromEnvExample();
        assertEquals(AriSettings.DEFAULT_APP, config.ari().endpoint().application());
    }

    @Test
    void everyVariableTheComposeFileUsesIsInTheEnvExample() throws Exception {
        String compose = Files.readString(ROOT.resolve("docker-compose.yml"));
        Properties dotenv = envExample();
        Matcher m = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)").matcher(compose);
        while (m.find()) {
            String var = m.group(1);
            if (var.equals("POSTGRES_USER") || var.equals("POSTGRES_DB")) {
                continue;   // the container's own variables, escaped as $${...} in healthchecks
            }
            boolean hasDefault = compose.contains("${" + var + ":-");
            assertTrue(hasDefault || dotenv.containsKey(var), var + " is used by docker-compose.yml but not in .env.example");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> env(Map<String, Object> service) {
        Object env = service.get("environment");
        return env instanceof Map ? (Map<String, Object>) env : Map.of();
    }
}
