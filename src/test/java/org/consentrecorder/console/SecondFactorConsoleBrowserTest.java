package org.consentrecorder.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.consentrecorder.admin.Totp;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;

/**
 * The second factor in the console, in a real headless Chromium against the real application with
 * {@code CR_MFA_REQUIRED_ROLES=compliance}: a compliance officer without a second factor gets only the
 * enrolment screen; the QR code the page draws is read back (ZXing) and must carry the key shown as
 * text; the TOTP codes are computed here (RFC 6238) from that key; recovery codes are shown once and
 * work once; an admin resets the factor with a reason. Login throttling and an expired challenge are
 * said in words. The tests run in order: they follow one account through its life.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecondFactorConsoleBrowserTest {
    private static final String PASSWORD = "Console-test-password-7";
    private static final String OFFICER = "mia";
    private static final Path SHOTS = Path.of("target", "console-screenshots");

    private AppHarness h;
    private ApiCalls api;
    private ConsoleBrowser browser;
    private String adminToken;
    private final List<String> expectedRefusals = new ArrayList<>();
    private byte[] secret;
    private List<String> recoveryCodes;

    @BeforeAll
    void start() {
        h = AppHarness.start(Map.of(
                "CR_MFA_REQUIRED_ROLES", "compliance",
                // three free failures, then a wait long enough for the console to show it
                "CR_LOGIN_MAX_FAILURES", "3",
                "CR_LOGIN_DELAY", "90s"));
        String base = "http://127.0.0.1:" + h.app.httpPort();
        api = new ApiCalls(base);
        adminToken = api.login(AppHarness.ADMIN_USER, AppHarness.ADMIN_PASSWORD);
        // a data role through the API needs a second admin: made as the CLI's break-glass path makes it
        h.operator(OFFICER, PASSWORD, "compliance");
        api.createAccount(adminToken, "tom", PASSWORD, "agent");
        browser = ConsoleBrowser.start(base);
        browser.viewport(1280, 800);
    }

    @AfterEach
    void noProblemsInTheBrowser(TestInfo test) {
        browser.screenshot(SHOTS.resolve("end-of-test").resolve(test.getTestMethod().orElseThrow().getName() + ".png"));
        List<String> problems = browser.drainProblems();
        // each refusal the test provoked on purpose is in the console log once (a failed request): nothing else
        List<String> unexpected = new ArrayList<>(problems);
        for (String status : expectedRefusals) {
            unexpected.stream().filter(p -> p.contains("status of " + status)).findFirst().ifPresentOrElse(unexpected::remove,
                    () -> unexpected.add("the refusal " + status + " was not in the log"));
        }
        expectedRefusals.clear();
        assertEquals(List.of(), unexpected, "CSP violations, errors or console messages in the browser: " + problems);
    }

    @AfterAll
    void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (h != null) {
                h.close();
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private void shot(String name) {
        browser.settled();
        browser.screenshot(SHOTS.resolve(name + ".png"));
    }

    private void pageReadsWell(String where) {
        assertEquals(List.of(), PageChecks.run(browser), where + ": contrast, labels, focus order, no sideways scrolling");
    }

    private String mainText() {
        return browser.find(By.id("main")).getText();
    }

    private List<String> navItems() {
        return browser.all(By.cssSelector("#nav-list a")).stream().map(WebElement::getText).toList();
    }

    /** The code an authenticator app shows for a step (RFC 6238: HMAC-SHA-1, 6 digits, 30 s). */
    private String codeAt(long step) {
        return Totp.code(secret, step);
    }

    private static long stepNow() {
        return Totp.step(Instant.now().getEpochSecond());
    }

    /** RFC 4648 base32 without padding, as in the otpauth URI (the encoder under test is the server's). */
    static byte[] base32(String text) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int buffer = 0;
        int bits = 0;
        for (char c : text.replace("=", "").toUpperCase().toCharArray()) {
            int v = alphabet.indexOf(c);
            if (v < 0) {
                throw new IllegalArgumentException("not base32: " + c);
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >> (bits - 8)) & 0xff);
                bits -= 8;
            }
        }
        return out.toByteArray();
    }

    /** What the QR code drawn in the page says, read from a screenshot of it as a phone would. */
    private String readQrCode(WebElement svg) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(svg.getScreenshotAs(OutputType.BYTES)));
        int[] pixels = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(
                new RGBLuminanceSource(image.getWidth(), image.getHeight(), pixels)));
        return new QRCodeReader().decode(bitmap, Map.of(DecodeHintType.TRY_HARDER, Boolean.TRUE)).getText();
    }

    private static String query(URI uri, String name) {
        Matcher m = Pattern.compile("(?:^|&)" + name + "=([^&]*)").matcher(uri.getRawQuery());
        assertTrue(m.find(), name + " in " + uri);
        return m.group(1);
    }

    private JsonObject accountRow(String username) {
        return api.get("/api/v1/accounts?limit=200", adminToken).getJsonArray("items").stream()
                .map(o -> (JsonObject) o).filter(a -> username.equals(a.getString("username"))).findFirst().orElseThrow();
    }

    // ---- the officer's life ------------------------------------------------------------------------

    @Test
    @Order(1)
    void anOfficerWhoseRoleNeedsASecondFactor_seesOnlyTheEnrolment_scansTheQrCode_andGetsRecoveryCodesOnce()
            throws Exception {
        browser.enterPassword(OFFICER, PASSWORD, "");
        browser.untilText(By.tagName("h1"), "Second factor");
        browser.untilText(By.id("main"), "Your role (compliance) requires a second factor, and your account has none yet.");
        assertEquals("Second factor needed", browser.find(By.id("account-link")).getText(), "the hint in the header");
        assertEquals(List.of(), navItems(), "no screen of the role before the second factor");
        shot("mfa-enrolment-required");
        pageReadsWell("enrolment required");

        // a direct link elsewhere comes back here: the session may only enrol
        browser.open("#/privacy");
        browser.until(d -> d.getCurrentUrl().endsWith("#/account") ? true : null, "the console to go back to the enrolment");
        browser.untilText(By.id("main"), "requires a second factor");

        browser.button("Set up an authenticator app").click();
        WebElement qr = browser.find(By.cssSelector("svg.qr-code"));
        String key = browser.find(By.id("mfa-secret")).getDomProperty("value").replace(" ", "");
        URI otpauth = URI.create(readQrCode(qr));
        assertEquals("otpauth", otpauth.getScheme());
        assertEquals("totp", otpauth.getHost());
        assertEquals("/consent-recorder:" + OFFICER, otpauth.getPath());
        assertEquals(key, query(otpauth, "secret"), "the QR code carries the key shown as text");
        assertEquals("consent-recorder", query(otpauth, "issuer"));
        assertEquals("6", query(otpauth, "digits"));
        assertEquals("30", query(otpauth, "period"));
        secret = base32(key);
        assertEquals(Totp.SECRET_BYTES, secret.length);
        shot("mfa-enrol");
        pageReadsWell("enrolment");
        browser.viewport(768, 1024);
        pageReadsWell("enrolment on a tablet");
        browser.screenshot(SHOTS.resolve("768x1024").resolve("mfa-enrol.png"));
        browser.viewport(1280, 800);

        // a wrong code is said in words and changes nothing
        WebElement code = browser.find(By.cssSelector("form[aria-label='Confirm the second factor'] input[name=code]"));
        code.sendKeys(codeAt(stepNow() - 20));
        browser.button("Confirm").click();
        browser.untilText(By.cssSelector("[role=alert]"), "That is not the code the app shows now.");
        expectedRefusals.add("400");
        assertFalse(accountRow(OFFICER).getBoolean("second_factor"), "not enrolled by a wrong code");

        String now = codeAt(stepNow());
        browser.find(By.cssSelector("form[aria-label='Confirm the second factor'] input[name=code]"))
                .sendKeys(now.substring(0, 3) + " " + now.substring(3));
        browser.button("Confirm").click();
        browser.untilText(By.id("main"), "Store these codes now");
        recoveryCodes = browser.all(By.cssSelector("#recovery-codes li")).stream().map(WebElement::getText).toList();
        // the session is a full one now: the hint goes, the role's screens are there (the codes stay shown)
        browser.until(d -> "Second factor".equals(d.findElement(By.id("account-link")).getText()) ? true : null,
                "the header's hint to go");
        assertEquals(10, recoveryCodes.size(), recoveryCodes.toString());
        assertTrue(recoveryCodes.stream().allMatch(c -> c.matches("[a-z2-7]{4}(-[a-z2-7]{4}){3}")), recoveryCodes.toString());
        shot("mfa-recovery-codes");
        pageReadsWell("recovery codes");

        browser.button("Download").click();
        Path saved = browser.downloads.resolve("consent-recorder-recovery-codes-" + OFFICER + ".txt");
        h.asterisk.await("the download of the recovery codes", () -> Files.exists(saved), AppHarness.WAIT);
        String file = Files.readString(saved, StandardCharsets.UTF_8);
        recoveryCodes.forEach(c -> assertTrue(file.contains(c), c + " in the downloaded file"));

        browser.button("I have stored them").click();
        browser.untilText(By.tagName("h1"), "Calls");
        assertEquals(List.of("Calls", "Privacy", "Audit", "Retention and statistics"), navItems(), "the role's screens now");
        assertEquals("Second factor", browser.find(By.id("account-link")).getText());
        String page = browser.driver.getPageSource();
        assertFalse(recoveryCodes.stream().anyMatch(page::contains), "the recovery codes are not on the page any more");
        assertFalse(page.contains(key), "nor the key");
        assertTrue(accountRow(OFFICER).getBoolean("second_factor"), "the account list says it is enrolled");

        browser.find(By.id("account-link")).click();
        browser.untilText(By.id("main"), "Your account has a second factor");
        assertFalse(mainText().contains(recoveryCodes.get(0)), "shown once: not again on this screen");
    }

    @Test
    @Order(2)
    void theOfficerSignsInWithACode_thenWithARecoveryCode_whichWorksOnlyOnce() {
        browser.enterPassword(OFFICER, PASSWORD, "");
        browser.untilText(By.cssSelector("form[aria-label='Second factor']"), "Finish signing in before");
        assertEquals("code", browser.driver.switchTo().activeElement().getDomAttribute("name"), "the focus is on the code");
        shot("sign-in-second-factor");
        pageReadsWell("second step");

        // a code from long ago: refused in words, the same step may try again
        browser.find(By.name("code")).sendKeys(codeAt(stepNow() - 40));
        browser.button("Verify").click();
        browser.untilText(By.cssSelector("[role=alert]"), "Wrong code, or a code that was used already.");
        expectedRefusals.add("401");
        // the next step's code: newer than the one the enrolment used, and within the drift the server accepts
        browser.find(By.name("code")).sendKeys(codeAt(stepNow() + 1));
        browser.button("Verify").click();
        browser.untilText(By.tagName("h1"), "Calls");
        assertTrue(h.rows("select 1 from audit_log where action = 'auth.login' and actor_name = $1 and outcome = 'ok' "
                + "and detail like '%password+totp%'", OFFICER).size() == 1, "the sign-in with the code is audited");

        // the phone is lost: a recovery code instead
        browser.enterPassword(OFFICER, PASSWORD, "");
        browser.button("Use a recovery code instead").click();
        browser.find(By.name("recovery_code")).sendKeys(recoveryCodes.get(0));
        browser.button("Verify").click();
        browser.untilText(By.tagName("h1"), "Calls");

        // the same recovery code a second time: refused
        browser.enterPassword(OFFICER, PASSWORD, "");
        browser.button("Use a recovery code instead").click();
        browser.find(By.name("recovery_code")).sendKeys(recoveryCodes.get(0));
        browser.button("Verify").click();
        browser.untilText(By.cssSelector("[role=alert]"), "That recovery code is wrong or was used already.");
        expectedRefusals.add("401");
        shot("sign-in-recovery-code-refused");
        // another one works
        browser.find(By.name("recovery_code")).sendKeys(recoveryCodes.get(1).toUpperCase());
        browser.button("Verify").click();
        browser.untilText(By.tagName("h1"), "Calls");
    }

    @Test
    @Order(3)
    void anExpiredSignInStep_sendsTheOfficerBackToThePassword_inWords() {
        browser.enterPassword(OFFICER, PASSWORD, "");
        browser.untilText(By.cssSelector("form[aria-label='Second factor']"), "Finish signing in before");
        // five minutes pass (the challenge's lifetime): moved into the past rather than waited for
        assertEquals(1, h.rows("update login_challenge set expires_at = now() - interval '1 second' "
                + "where account_id = (select id from operator_account where username = $1) and used_at is null "
                + "and expires_at > now() returning 1", OFFICER).size());
        browser.find(By.name("code")).sendKeys(codeAt(stepNow() + 1));
        browser.button("Verify").click();
        browser.untilText(By.cssSelector("[role=alert]"), "This sign-in expired or had too many wrong codes. "
                + "Sign in again with your password.");
        expectedRefusals.add("401");
        assertTrue(browser.find(By.name("password")).isDisplayed(), "back at the password");
        assertEquals("password", browser.driver.switchTo().activeElement().getDomAttribute("name"));
    }

    @Test
    @Order(4)
    void throttledSignIns_sayHowLongToWait() {
        for (int i = 0; i < 3; i++) {
            assertEquals(401, api.send("POST", "/api/v1/auth/login", null,
                    new JsonObject().put("username", "tom").put("password", "not the password " + i), Map.of()).statusCode());
        }
        browser.enterPassword("tom", PASSWORD, "");
        WebElement alert = browser.untilText(By.cssSelector("[role=alert]"), "Too many failed sign-ins");
        assertTrue(alert.getText().matches("(?s).*Try again in \\d+ s\\..*"), alert.getText());
        expectedRefusals.add("429");
        shot("sign-in-throttled");
    }

    @Test
    @Order(5)
    void anAdminResetsTheOfficersSecondFactor_withAReason_andTheNextSignInEnrolsAgain() {
        String officerSession = api.json("POST", "/api/v1/auth/login/mfa", null, new JsonObject()
                .put("challenge", api.json("POST", "/api/v1/auth/login", null, new JsonObject().put("username", OFFICER)
                        .put("password", PASSWORD), 200).getString("challenge"))
                .put("recovery_code", recoveryCodes.get(2)), 200).getString("token");
        assertEquals(200, api.status("/api/v1/calls", officerSession));

        browser.enterPassword(AppHarness.ADMIN_USER, AppHarness.ADMIN_PASSWORD, "#/admin/accounts");
        browser.untilText(By.tagName("h1"), "Admin");
        WebElement row = browser.untilText(By.cssSelector("tbody tr"), OFFICER);
        assertTrue(row.getText().contains("enrolled"), row.getText());
        browser.find(By.cssSelector("input[aria-label='Reason to reset the second factor of " + OFFICER + "']"))
                .sendKeys("phone lost, ticket 99");
        shot("admin-mfa-reset");
        browser.find(By.cssSelector("button[aria-label='Reset the second factor of " + OFFICER + "']")).click();
        browser.untilText(By.cssSelector(".message-region"), OFFICER + ": second factor removed and sessions ended.");
        browser.settled();
        assertTrue(browser.all(By.cssSelector("input[aria-label='Reason to reset the second factor of " + OFFICER + "']"))
                .isEmpty(), "nothing left to reset");
        shot("admin-mfa-reset-done");
        pageReadsWell("admin accounts");

        assertFalse(accountRow(OFFICER).getBoolean("second_factor"));
        assertEquals(401, api.status("/api/v1/calls", officerSession), "the officer's sessions ended");
        assertEquals(1, h.rows("select 1 from audit_log a join audit_text t on t.seq = a.seq where a.action = 'accounts.mfa_reset' "
                + "and t.body::jsonb ->> 'reason' = $1 "
                + "and actor_name = $2", "phone lost, ticket 99", AppHarness.ADMIN_USER).size(), "the reason is audited");

        browser.enterPassword(OFFICER, PASSWORD, "");
        browser.untilText(By.id("main"), "Your role (compliance) requires a second factor, and your account has none yet.");
    }
}
