package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's files as shipped: everything under {@code src/main/resources/console} is loaded and
 * typed, and the rules the Content-Security-Policy enforces in the browser also hold in the source
 * (so a breach is found here, not only by the browser test that happens to reach it): no markup from
 * strings, no eval, no inline script or style, nothing from another origin, no persistent storage.
 */
class ConsoleFilesTest {
    private static final Path SOURCE = Path.of("src", "main", "resources", "console");

    private record Rule(Pattern pattern, String why) {
    }

    private static final List<Rule> SCRIPT_RULES = List.of(
            new Rule(Pattern.compile("\\.(innerHTML|outerHTML)\\s*=|insertAdjacentHTML|document\\.write|DOMParser"),
                    "markup from strings (data must be rendered as text)"),
            new Rule(Pattern.compile("\\beval\\s*\\(|new\\s+Function\\s*\\(|set(Timeout|Interval)\\s*\\(\\s*['\"`]"),
                    "code from strings"),
            new Rule(Pattern.compile("\\b(localStorage|indexedDB)\\s*[.\\[]|document\\.cookie"),
                    "persistent storage (the token lives in memory and sessionStorage only)"),
            new Rule(Pattern.compile("setAttribute\\(\\s*['\"](style|on[a-z]+)['\"]"), "inline style or handler"));

    private static final List<Rule> MARKUP_RULES = List.of(
            new Rule(Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>"), "inline script"),
            new Rule(Pattern.compile("\\sstyle\\s*=|<style"), "inline style"),
            new Rule(Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE), "inline event handler"));

    private static final Pattern URL = Pattern.compile("(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}[^\\s'\"`)]*", Pattern.CASE_INSENSITIVE);

    private static List<Path> files() throws IOException {
        try (Stream<Path> walk = Files.walk(SOURCE)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void everyFileIsServedWithItsType_andIndexIsThere() throws IOException {
        ConsoleFiles loaded = ConsoleFiles.load("console");
        assertEquals(files().size(), loaded.size(), "every file under " + SOURCE + " is loaded");
        assertEquals("text/html; charset=utf-8", loaded.get("index.html").orElseThrow().contentType());
        assertEquals("text/javascript; charset=utf-8", loaded.get("js/app.js").orElseThrow().contentType());
        assertEquals("text/css; charset=utf-8", loaded.get("css/console.css").orElseThrow().contentType());
        assertTrue(loaded.get("../admin/openapi.json").isEmpty());
        assertTrue(loaded.get("js/").isEmpty());
    }

    @Test
    void fromAJar_asInThePackagedApplication(@TempDir Path dir) throws IOException {
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String[] entry : new String[][] {{"console/index.html", "<!doctype html><title>c</title>"},
                    {"console/js/app.js", "export const x = 1;"}, {"other/openapi.json", "{}"}}) {
                out.putNextEntry(new JarEntry(entry[0]));
                out.write(entry[1].getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            ConsoleFiles files = ConsoleFiles.load(loader, "console");
            assertEquals(2, files.size());
            assertEquals("export const x = 1;",
                    new String(files.get("js/app.js").orElseThrow().body(), StandardCharsets.UTF_8));
            assertTrue(files.get("index.html").orElseThrow().etag().matches("\"[0-9a-f]{32}\""));
            // a second load while the first one's jar file system is closed again works the same
            assertEquals(2, ConsoleFiles.load(loader, "console").size());
        }
    }

    @Test
    void aFileOfUnknownTypeStopsTheStart_ratherThanBeingServedWithAGuessedType() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ConsoleFiles.load("console-unknown-type"));
        assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());
    }

    @Test
    void theSourcesKeepTheRulesThePolicyEnforces() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path file : files()) {
            String name = SOURCE.relativize(file).toString();
            if (name.endsWith(".png")) {
                continue;
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            List<Rule> rules = name.endsWith(".js") ? SCRIPT_RULES : name.endsWith(".html") ? MARKUP_RULES : List.of();
            for (Rule rule : rules) {
                Matcher m = rule.pattern().matcher(text);
                while (m.find()) {
                    problems.add(name + ": " + rule.why() + ": " + m.group());
                }
            }
            // a vendored library keeps its licence header, whose links are comments (never fetched)
            Matcher url = URL.matcher(name.startsWith("vendor") ? text.replaceAll("(?m)^\\s*//.*$", "") : text);
            while (url.find()) {
                if (!url.group().startsWith("http://www.w3.org/2000/svg")) {
                    problems.add(name + ": a URL of another origin: " + url.group());
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    /** The vendored libraries, byte for byte as published (npm tarball), with their SHA-256. */
    private static final Map<String, String> VENDORED = Map.of(
            // qrcode-generator 2.0.4 (MIT, Kazuhiko Arase): package/dist/qrcode.mjs of the npm tarball
            "vendor/qrcode-generator-2.0.4/qrcode.js", "ea91d7118a5395289170da848b7c6758b996163bfbccf312591ab65a4911b7c0");

    @Test
    void vendoredLibrariesAreThePinnedReleases_withTheirLicenceHeader() throws Exception {
        List<String> found = new ArrayList<>();
        for (Path file : files()) {
            String name = SOURCE.relativize(file).toString().replace(java.io.File.separatorChar, '/');
            if (name.startsWith("vendor/")) {
                found.add(name);
                String expected = VENDORED.get(name);
                assertTrue(expected != null, name + " is vendored but not pinned here");
                assertEquals(expected, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(Files.readAllBytes(file))), name + " differs from the published release");
                assertTrue(Files.readString(file).contains("Licensed under the MIT license"), name + " keeps its licence");
            }
        }
        assertEquals(VENDORED.keySet().stream().sorted().toList(), found.stream().sorted().toList());
    }

    @Test
    void theRulesFindWhatTheyAreFor() {
        assertTrue(SCRIPT_RULES.get(0).pattern().matcher("el.innerHTML = data").find());
        assertTrue(SCRIPT_RULES.get(1).pattern().matcher("setTimeout('go()', 5)").find());
        assertTrue(SCRIPT_RULES.get(2).pattern().matcher("localStorage.setItem('t', token)").find());
        assertTrue(MARKUP_RULES.get(0).pattern().matcher("<script>alert(1)</script>").find());
        assertTrue(MARKUP_RULES.get(1).pattern().matcher("<p style=\"color:red\">").find());
        assertTrue(URL.matcher("import x from 'https://cdn.example.com/lib.js'").find());
        assertTrue(URL.matcher("url(//fonts.example.org/a.woff2)").find());
    }
}
