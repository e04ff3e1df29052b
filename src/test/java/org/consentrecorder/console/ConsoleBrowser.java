package org.consentrecorder.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) driven through
 * WebDriver, with a fresh profile in a temporary directory that is deleted on close. Every page
 * records its Content-Security-Policy violations and uncaught errors (a script installed through
 * the DevTools protocol before any of the page's own), and the browser's console log is kept, so
 * a test can demand that there were none.
 */
final class ConsoleBrowser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Duration WAIT = Duration.ofSeconds(15);

    /** Runs in every document before its scripts: what the page's CSP refused, and uncaught errors. */
    private static final String RECORDER = """
            window.__crProblems = [];
            document.addEventListener('securitypolicyviolation', (e) => window.__crProblems.push(
                'CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber));
            window.addEventListener('error', (e) => window.__crProblems.push('error: ' + e.message));
            window.addEventListener('unhandledrejection', (e) => window.__crProblems.push('unhandled rejection: ' + e.reason));
            """;

    final ChromeDriver driver;
    final Path profile;
    final Path downloads;
    final String base;
    private final List<String> problems = new ArrayList<>();

    private ConsoleBrowser(ChromeDriver driver, Path profile, Path downloads, String base) {
        this.driver = driver;
        this.profile = profile;
        this.downloads = downloads;
        this.base = base;
    }

    static ConsoleBrowser start(String base) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            // never skipped: without the browser the console is untested, and that is a failure
            throw new IllegalStateException(CHROMIUM + " and " + CHROMEDRIVER + " are needed: "
                    + "apt-get install -y chromium chromium-driver (.ci/run does this)");
        }
        Path profile;
        try {
            profile = Files.createTempDirectory("cr-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path downloads = profile.resolve("downloads");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1280,800", "--lang=en-US", "--mute-audio");
        options.setExperimentalOption("prefs", Map.of(
                "download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logging);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                // Chromium's caches and settings outside the profile (dconf, fontconfig) go into it too
                .withEnvironment(Map.of("XDG_CACHE_HOME", profile.resolve("cache").toString(),
                        "XDG_CONFIG_HOME", profile.resolve("config").toString()))
                .build();
        ChromeDriver driver;
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            deleteTree(profile);
            throw e;
        }
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", RECORDER));
        // headless Chromium saves downloads only when told where
        driver.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow",
                "downloadPath", downloads.toString()));
        return new ConsoleBrowser(driver, profile, downloads, base);
    }

    void open(String fragment) {
        driver.get(base + "/console/" + fragment);
    }

    WebElement find(By by) {
        return until(d -> {
            List<WebElement> found = d.findElements(by);
            return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        }, "a visible " + by);
    }

    List<WebElement> all(By by) {
        return driver.findElements(by);
    }

    <T> T until(ExpectedCondition<T> condition, String what) {
        // the console replaces what it re-renders: an element read a moment ago may be gone, so look again
        return new WebDriverWait(driver, WAIT).withMessage(() -> "waiting for " + what)
                .ignoring(StaleElementReferenceException.class).until(condition);
    }

    /** Waits until the element's text contains the given text. */
    WebElement untilText(By by, String text) {
        return until(d -> {
            for (WebElement e : d.findElements(by)) {
                if (e.getText().contains(text)) {
                    return e;
                }
            }
            return null;
        }, "'" + text + "' in " + by);
    }

    /** A visible button by its text. */
    WebElement button(String text) {
        return find(By.xpath("//button[normalize-space()='" + text + "']"));
    }

    /** Waits until the console has no request out (it marks <main> aria-busy meanwhile). */
    void settled() {
        until(d -> d.findElements(By.cssSelector("main[aria-busy='true'], .loading")).isEmpty() ? true : null,
                "the console's requests to finish");
    }

    /**
     * Opens the console at a fragment, signed out: whoever was signed in in this tab signs out
     * first (then the console is back at its root, and the fragment is opened again).
     */
    void signedOut(String fragment) {
        keepProblemsOfThisPage();
        open(fragment);
        until(d -> d.findElements(By.cssSelector("input[name=username]")).isEmpty()
                && d.findElements(By.cssSelector("#who:not([hidden])")).isEmpty() ? null : true, "the console to start");
        settled();
        if (all(By.id("who")).get(0).isDisplayed()) {
            button("Sign out").click();
            untilText(By.id("main"), "You are signed out.");
            if (!driver.getCurrentUrl().equals(base + "/console/")) {
                throw new AssertionError("signing out leaves the screen, but the URL is " + driver.getCurrentUrl());
            }
            if (!fragment.isEmpty()) {
                open(fragment);
            }
        }
    }

    /** Signed out, then the first step of signing in: user name and password. */
    void enterPassword(String user, String password, String fragment) {
        signedOut(fragment);
        find(By.name("username")).sendKeys(user);
        find(By.name("password")).sendKeys(password);
        button("Sign in").click();
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    Object asyncScript(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(js, args);
    }

    /** The page's viewport in CSS pixels (a laptop 1280×800, a tablet 768×1024), whatever the window's frame. */
    void viewport(int width, int height) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height,
                "deviceScaleFactor", 1, "mobile", false));
    }

    /**
     * What went wrong in the browser since the last call: CSP violations and errors the page
     * recorded, and SEVERE or WARNING entries of the console log (a refused resource, a failed
     * request, an uncaught exception). Reading the log empties it.
     */
    List<String> drainProblems() {
        List<String> out = new ArrayList<>(problems);
        problems.clear();
        try {
            Object recorded = script("const p = window.__crProblems || []; window.__crProblems = []; return p;");
            if (recorded instanceof List<?> list) {
                list.forEach(o -> out.add(String.valueOf(o)));
            }
        } catch (RuntimeException e) {
            out.add("the page's problem list cannot be read: " + e.getMessage());
        }
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.WARNING.intValue()) {
                out.add("console " + entry.getLevel() + ": " + entry.getMessage());
            }
        }
        return out;
    }

    /** Before the page goes away (reload, new URL), keep what it recorded. */
    void keepProblemsOfThisPage() {
        problems.addAll(drainProblems());
    }

    /** A screenshot of the whole page (beyond the window) as PNG. */
    void screenshot(Path file) {
        Number width = (Number) script("return document.documentElement.clientWidth;");
        Number height = (Number) script("return Math.max(document.documentElement.scrollHeight, window.innerHeight);");
        Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of(
                "format", "png",
                "captureBeyondViewport", true,
                "clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            deleteTree(profile);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a file Chromium still writes; the next pass of the walk does not see it again
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
