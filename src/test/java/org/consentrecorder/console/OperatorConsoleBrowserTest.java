package org.consentrecorder.console;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.consentrecorder.admin.ConsoleRoutes;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The operator console in a real headless Chromium against the real application (ARI double, real
 * PostgreSQL, the encrypted archive): each role's work done through the console, checked where it
 * lands (the audit trail, the double's requests, the database). After every test the browser must
 * have reported no Content-Security-Policy violation, no uncaught error and no console error.
 * Screenshots of every screen go to target/console-screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorConsoleBrowserTest {
    private static final String PASSWORD = "Console-test-password-7";
    private static final String RECORDED = "+15551230001";
    private static final String DECLINING = "+15551230002";
    private static final String TO_ERASE = "+15551230003";
    private static final String LIVE = "+15551230004";
    private static final String RESTRICTED = "+15551230005";
    private static final String WAV_PLAYED = "+15551230006";
    private static final String RESTRICTED_EXPORT = "+15551230007";
    private static final Path SHOTS = Path.of("target", "console-screenshots");

    private long startedNanos;
    private String base;
    private AppHarness h;
    private ApiCalls api;
    private ConsoleBrowser browser;
    private String adminToken;
    private ConsoleFixtures.Recorded recorded;
    private ConsoleFixtures.Recorded toErase;
    private ConsoleFixtures.Recorded toRestrict;
    private UUID declinedCall;
    private ConsoleFixtures.Recorded wavCall;
    private final List<String> requested = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Every request as the server answered it: path and query, its Range header, whether it had a bearer, the status. */
    private final List<Seen> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

    private record Seen(String uri, String range, boolean bearer, int status) {
    }

    @BeforeAll
    void start() throws Exception {
        startedNanos = System.nanoTime();
        h = AppHarness.start(Map.of());
        base = "http://127.0.0.1:" + h.app.httpPort();
        api = new ApiCalls(base);
        adminToken = api.login(AppHarness.ADMIN_USER, AppHarness.ADMIN_PASSWORD);
        // as the command line makes them: the API would need a second admin and a first password change
        h.operator("sue", PASSWORD, "supervisor");
        h.operator("carl", PASSWORD, "compliance");
        h.operator("ada", PASSWORD, "agent");
        h.rows("update operator_account set endpoints = array['PJSIP/agent-ada'] where username = 'ada'");
        h.operator("otto", PASSWORD, "auditor");
        // every URL the browser asks for, as the server saw it: no caller number may be among them
        h.app.router().route().order(-1000).handler(ctx -> {
            requested.add(ctx.request().uri());
            String uri = ctx.request().uri();
            String range = ctx.request().getHeader("range");
            boolean bearer = ctx.request().getHeader("authorization") != null;
            ctx.addHeadersEndHandler(v -> seen.add(new Seen(uri, range, bearer, ctx.response().getStatusCode())));
            ctx.next();
        });
        System.out.printf("application started after %.1f s%n", (System.nanoTime() - startedNanos) / 1e9);
        ConsoleFixtures fixtures = new ConsoleFixtures(h);
        fixtures.pastCalls();
        recorded = fixtures.archivedCallWithAPause(RECORDED);
        toErase = fixtures.archivedCallWithAPause(TO_ERASE);
        declinedCall = fixtures.declinedCall(DECLINING);
        toRestrict = fixtures.archivedCall(RESTRICTED);
        wavCall = fixtures.archivedCall(WAV_PLAYED, 3000);
        System.out.printf("fixtures ready after %.1f s%n", (System.nanoTime() - startedNanos) / 1e9);
        browser = ConsoleBrowser.start(base);
        browser.viewport(1280, 800);
        System.out.printf("browser ready after %.1f s%n", (System.nanoTime() - startedNanos) / 1e9);
    }

    @AfterEach
    void noProblemsInTheBrowser(TestInfo test) {
        // what the browser showed at the end of each test, for whoever reads a failure
        browser.screenshot(SHOTS.resolve("end-of-test").resolve(test.getTestMethod().orElseThrow().getName() + ".png"));
        List<String> problems = browser.drainProblems();
        assertEquals(List.of(), problems, "CSP violations, errors or console messages in the browser");
    }

    @AfterAll
    void stop() {
        try {
            if (browser != null) {
                browser.close();
                assertFalse(Files.exists(browser.profile), "the browser profile is deleted");
            }
        } finally {
            if (h != null) {
                h.close();
            }
            System.out.printf("console browser tests: %.1f s wall time (application, fixtures and browser included)%n",
                    (System.nanoTime() - startedNanos) / 1e9);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** Opens the console at a fragment, signed out: whoever was signed in in this tab signs out first. */
    private void signedOut(String fragment) {
        browser.signedOut(fragment);
    }

    /** Opens the console at a fragment and signs in there. */
    private void signIn(String user, String password, String fragment) {
        browser.enterPassword(user, password, fragment);
        browser.find(By.id("who"));
    }

    private void signIn(String user) {
        signIn(user, PASSWORD, "");
    }

    private WebElement button(String text) {
        return browser.button(text);
    }

    private WebElement buttonLabelled(String label) {
        return browser.find(By.cssSelector("button[aria-label='" + label + "']"));
    }

    /** Waits until the console has no request out (it marks <main> aria-busy meanwhile). */
    private void settled() {
        browser.settled();
    }

    private void shotSettled(String name) {
        settled();
        shot(name);
    }

    private String mainText() {
        return browser.find(By.id("main")).getText();
    }

    private List<String> navItems() {
        List<String> out = new ArrayList<>();
        browser.all(By.cssSelector("#nav-list a")).forEach(a -> out.add(a.getText()));
        return out;
    }

    private void shot(String name) {
        browser.screenshot(SHOTS.resolve(name + ".png"));
    }

    private Path awaitDownload(String fileName) {
        Path file = browser.downloads.resolve(fileName);
        h.asterisk.await("the download of " + fileName, () -> Files.exists(file)
                && !Files.exists(browser.downloads.resolve(fileName + ".crdownload")), AppHarness.WAIT);
        return file;
    }

    // ---- the console's files ---------------------------------------------------------------------

    @Test
    void theConsoleIsServedFromTheJar_withAStrictPolicyOnEveryAnswer() {
        HttpResponse<byte[]> redirect = api.send("GET", "/console", null, null, Map.of());
        assertEquals(301, redirect.statusCode());
        assertEquals("/console/", redirect.headers().firstValue("location").orElseThrow());

        HttpResponse<byte[]> index = api.send("GET", "/console/", null, null, Map.of());
        assertEquals(200, index.statusCode());
        assertEquals("text/html; charset=utf-8", index.headers().firstValue("content-type").orElseThrow());
        String csp = index.headers().firstValue("content-security-policy").orElseThrow();
        assertEquals(ConsoleRoutes.CONTENT_SECURITY_POLICY, csp);
        for (String directive : List.of("default-src 'self'", "script-src 'self'", "style-src 'self'",
                "frame-ancestors 'none'", "object-src 'none'", "require-trusted-types-for 'script'")) {
            assertTrue(csp.contains(directive), directive);
        }
        assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval"), csp);
        assertEquals("no-referrer", index.headers().firstValue("referrer-policy").orElseThrow());
        assertEquals("nosniff", index.headers().firstValue("x-content-type-options").orElseThrow());
        assertEquals("DENY", index.headers().firstValue("x-frame-options").orElseThrow());
        assertTrue(index.headers().firstValue("set-cookie").isEmpty(), "no cookies");

        HttpResponse<byte[]> script = api.send("GET", "/console/js/app.js", null, null, Map.of());
        assertEquals(200, script.statusCode());
        assertEquals("text/javascript; charset=utf-8", script.headers().firstValue("content-type").orElseThrow());
        assertEquals(csp, script.headers().firstValue("content-security-policy").orElseThrow());
        String etag = script.headers().firstValue("etag").orElseThrow();
        assertEquals(304, api.send("GET", "/console/js/app.js", null, null, Map.of("if-none-match", etag)).statusCode());

        HttpResponse<byte[]> missing = api.send("GET", "/console/js/nothing-here.js", null, null, Map.of());
        assertEquals(404, missing.statusCode());
        assertEquals(csp, missing.headers().firstValue("content-security-policy").orElseThrow());
        assertEquals(404, api.send("GET", "/console/../pom.xml", null, null, Map.of()).statusCode());
        assertEquals(404, api.send("GET", "/console/%2e%2e/%2e%2e/etc/passwd", null, null, Map.of()).statusCode());
        HttpResponse<byte[]> post = api.send("POST", "/console/", null, new JsonObject(), Map.of());
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("allow").orElseThrow());
    }

    // ---- supervisor --------------------------------------------------------------------------------

    @Test
    void aSupervisorFindsACall_readsItsEvidence_andPlaysTheRecordingAfterGivingAReason() throws Exception {
        requested.clear();
        signIn("sue");
        assertEquals(List.of("Calls", "Live calls", "Retention and statistics"), navItems());
        browser.untilText(By.tagName("h1"), "Calls");
        browser.find(By.name("caller")).sendKeys("+1 555 123 0001");
        button("Search").click();
        browser.until(d -> d.findElements(By.cssSelector("a.call-link")).size() == 1 ? true : null, "one call found");
        shotSettled("calls");
        browser.find(By.cssSelector("a.call-link")).click();

        browser.untilText(By.tagName("h1"), "Call of");
        browser.untilText(By.id("main"), "What the caller heard");
        String page = mainText();
        assertTrue(page.contains("The caller allowed the recording."), page);
        assertTrue(page.contains("press 1"), "the words the caller heard: " + page);
        assertTrue(page.contains("Consent (GDPR Art. 6(1)(a))"), page);
        assertTrue(page.contains("Key pressed\n1"), page);
        assertTrue(page.contains("Paused: audio withheld"), page);
        assertTrue(page.contains("Resumed"), page);
        assertTrue(page.contains("payment pause (dialplan event"), page);
        assertEquals(1, browser.all(By.cssSelector("svg.time-bar rect.bar-cut")).size(), "the withheld place on the bar");

        // the reason comes first: without one nothing is fetched
        button("Play").click();
        assertEquals(Boolean.TRUE, browser.script("return !document.querySelector('form.reason-form input').validity.valid;"));
        assertTrue(api.get("/api/v1/audit?action=recordings.play&target=" + recorded.recordingId(), tokenOf("carl"))
                .getJsonArray("items").isEmpty(), "nothing played yet");

        browser.script("const a = document.querySelector('audio.player'); window.__events = [];"
                + "['playing', 'seeked'].forEach((t) => a.addEventListener(t, () => window.__events.push(t)));");
        String reason = "ticket 4711: caller disputes the contract";
        browser.find(By.name("reason")).sendKeys(reason);
        button("Play").click();
        browser.until(d -> browser.script("return window.__events.includes('playing');").equals(Boolean.TRUE) ? true : null,
                "the audio element playing");
        browser.untilText(By.cssSelector(".message-region"), "Playing.");
        shot("call-playing");
        // the browser streams from the ticket's URL (a capability URL), not from a copy in memory
        String src = (String) browser.script("return document.querySelector('audio.player').src;");
        assertTrue(src.startsWith(base + "/api/v1/recordings/" + recorded.recordingId() + "/audio?ticket=crp_"), src);
        assertTrue(seen.stream().anyMatch(r -> r.uri().startsWith("/api/v1/recordings/" + recorded.recordingId()
                + "/audio?ticket=") && !r.bearer() && r.status() == 206), "streamed by the ticket alone: " + seen);

        // seeking: to the place where audio was withheld
        browser.find(By.xpath("//button[starts-with(normalize-space(), 'Go to')]")).click();
        browser.until(d -> browser.script("return window.__events.some((e) => e.startsWith('seeked'));").equals(Boolean.TRUE) ? true : null,
                "a seek");

        JsonArray plays = api.get("/api/v1/audit?action=recordings.play&target=" + recorded.recordingId(),
                tokenOf("carl")).getJsonArray("items");
        assertEquals(1, plays.size(), plays.encodePrettily());
        assertEquals(reason, plays.getJsonObject(0).getString("reason"));
        assertEquals("sue", plays.getJsonObject(0).getString("actor_name"));
        assertEquals("allowed", plays.getJsonObject(0).getString("outcome"));
        assertEquals("stored", plays.getJsonObject(0).getJsonObject("detail").getString("format"),
                "Chromium plays Ogg Opus: the player asked for the stored file, not a decoded WAV");

        // a download is audited with its own reason, and is the archived file (Ogg Opus, the default) byte for byte
        WebElement downloadReason = browser.all(By.name("reason")).get(browser.all(By.name("reason")).size() - 1);
        downloadReason.sendKeys("quality review 12");
        button("Download").click();
        Path file = awaitDownload(recorded.recordingId() + ".opus");
        long stored = ((Number) h.rows("select plaintext_bytes from recording where id = $1", recorded.recordingId())
                .get(0).get("plaintext_bytes")).longValue();
        assertArrayEquals(org.consentrecorder.testing.Streams.readAll(h.app.archive().open(recorded.recordingId(), 0,
                stored)), Files.readAllBytes(file));
        assertTrue(api.get("/api/v1/audit?action=recordings.play&target=" + recorded.recordingId(), tokenOf("carl"))
                .getJsonArray("items").stream().anyMatch(o -> "quality review 12".equals(((JsonObject) o).getString("reason"))));

        // the next person at this screen does not see the caller number sue searched for
        button("Sign out").click();
        browser.find(By.name("username")).sendKeys("carl");
        browser.find(By.name("password")).sendKeys(PASSWORD);
        button("Sign in").click();
        browser.untilText(By.tagName("h1"), "Calls");
        assertEquals("", browser.find(By.name("caller")).getDomProperty("value"), "the last search is forgotten");

        // the search went in a POST body and the playback reason too: neither is in any URL asked for
        assertTrue(requested.stream().anyMatch(u -> u.startsWith("/api/v1/calls/search")), requested.toString());
        assertTrue(requested.stream().anyMatch(u -> u.contains("/audio?ticket=crp_")), requested.toString());
        for (String uri : requested) {
            String decoded = java.net.URLDecoder.decode(uri, java.nio.charset.StandardCharsets.UTF_8);
            assertFalse(decoded.replaceAll("[^0-9]", "").contains("5551230001"), "a caller number in " + uri);
            assertFalse(decoded.contains("caller="), uri);
            assertFalse(decoded.contains("reason=") || decoded.contains("4711") || decoded.contains("quality review"),
                    "a playback reason in " + uri);
        }
    }

    private String tokenOf(String user) {
        return api.login(user, PASSWORD);
    }

    @Test
    void aBrowserWithoutOggOpus_streamsTheDecodedWavFromTheTicketUrl_withRangeRequests_andSeeks() {
        signIn("sue", PASSWORD, "#/calls/" + wavCall.callId());
        browser.untilText(By.id("main"), "What the caller heard");
        settled();
        // as Safari, which plays no Ogg Opus: the console asks for a WAV decoded on the fly (format=wav)
        browser.script("HTMLMediaElement.prototype.canPlayType = function (type) { "
                + "return /ogg|opus/.test(type) ? '' : 'maybe'; };");
        browser.script("const a = document.querySelector('audio.player'); window.__events = [];"
                + "['loadedmetadata', 'playing', 'seeked'].forEach((t) => a.addEventListener(t, "
                + "() => window.__events.push(t)));");
        String reason = "ticket 4790: the end of the call is disputed";
        browser.find(By.name("reason")).sendKeys(reason);
        button("Play").click();
        browser.until(d -> browser.script("return window.__events.includes('playing');").equals(Boolean.TRUE)
                ? true : null, "the audio element playing");
        String audioPath = "/api/v1/recordings/" + wavCall.recordingId() + "/audio?ticket=crp_";
        String src = (String) browser.script("return document.querySelector('audio.player').src;");
        assertTrue(src.startsWith(base + audioPath), src);
        // the WAV's header gives its length, so the browser knows the duration and seeks anywhere in it
        assertEquals(Boolean.TRUE, browser.script("return Number.isFinite(document.querySelector('audio.player').duration);"));
        browser.script("const a = document.querySelector('audio.player'); a.currentTime = a.duration - 0.5;");
        browser.until(d -> browser.script("return window.__events.includes('seeked');").equals(Boolean.TRUE)
                ? true : null, "the seek near the end");
        shotSettled("call-streaming-wav");

        // every request of the element: a Range request by the ticket alone, answered 206 (Chrome asks for
        // "bytes=0-" first and, for a recording this short, gets all of it; later offsets: PlaybackCapabilityUrlTest)
        List<Seen> audio = seen.stream().filter(r -> r.uri().startsWith(audioPath)).toList();
        assertFalse(audio.isEmpty(), seen.toString());
        assertTrue(audio.stream().allMatch(r -> r.uri().equals(audio.get(0).uri())), "one ticket: " + audio);
        assertTrue(audio.stream().allMatch(r -> r.range() != null && r.range().startsWith("bytes=") && r.status() == 206
                && !r.bearer()), "range requests by the ticket alone, answered 206: " + audio);
        JsonArray plays = api.get("/api/v1/audit?action=recordings.play&target=" + wavCall.recordingId(),
                tokenOf("carl")).getJsonArray("items");
        assertEquals(1, plays.size(), "the reason once, however many range requests: " + plays.encodePrettily());
        assertEquals(reason, plays.getJsonObject(0).getString("reason"));
        assertEquals("sue", plays.getJsonObject(0).getString("actor_name"));
        assertEquals("wav", plays.getJsonObject(0).getJsonObject("detail").getString("format"));
        browser.script("document.querySelector('audio.player').pause();");
    }

    @Test
    void aSupervisorHasNoAuditScreen_andADirectLinkToItSaysNotAllowed() {
        signIn("sue", PASSWORD, "#/audit");
        assertFalse(navItems().contains("Audit"));
        browser.untilText(By.tagName("h1"), "Not allowed");
        assertTrue(mainText().contains("Your role (supervisor) may not use the Audit screen."), mainText());
        shotSettled("not-allowed");
        for (String[] screen : new String[][] {{"#/privacy", "Privacy"}, {"#/admin", "Admin"}}) {
            browser.open(screen[0]);
            browser.untilText(By.id("main"), "may not use the " + screen[1] + " screen");
        }
        browser.open("#/nowhere");
        browser.untilText(By.tagName("h1"), "No such screen");
    }

    // ---- agent -------------------------------------------------------------------------------------

    @Test
    void anAgentPausesALiveCallFromTheConsole_andAsteriskReceivesThePause() {
        Map<String, Object> call = new ConsoleFixtures(h).recordingCall(LIVE);
        String callId = call.get("id").toString();
        // ada answered it (the dialplan's Dial() to her phone): only then is it hers to control
        h.asterisk.agentAnswers((String) call.get("channel_id"), "PJSIP/agent-ada-00000001");
        String adaToken = tokenOf("ada");
        h.asterisk.await("the call to be ada's", () -> !api.get("/api/v1/live-calls", adaToken).getJsonArray("items")
                .isEmpty(), AppHarness.WAIT);
        String name = (String) call.get("recording_name");
        String shortId = callId.substring(0, 8);
        try {
            signIn("ada");
            assertEquals(List.of("Live calls"), navItems());
            browser.untilText(By.tagName("h1"), "Live calls");
            WebElement row = browser.find(By.cssSelector("tr[data-call-id='" + callId + "']"));
            assertTrue(row.getText().contains("Recording"), row.getText());
            browser.find(By.name("reason")).sendKeys("card payment");
            buttonLabelled("Pause the recording of call " + shortId).click();
            browser.untilText(By.cssSelector("tr[data-call-id='" + callId + "'] td.result"), "Paused: the recording is paused.");
            assertEquals(1, h.asterisk.requests("POST", "/ari/recordings/live/" + name + "/pause").size(),
                    "the double received the pause");
            browser.untilText(By.cssSelector("tr[data-call-id='" + callId + "'] td.state"), "Paused");
            shotSettled("live-calls");
            assertTrue(h.rows("select 1 from audit_log a join audit_text t on t.seq = a.seq where a.action = "
                    + "'live_calls.pause' and a.target_id = $1 and t.body::jsonb ->> 'reason' = 'card payment' "
                    + "and a.outcome = 'paused'", callId).size() == 1, "the result is audited");

            buttonLabelled("Resume the recording of call " + shortId).click();
            browser.untilText(By.cssSelector("tr[data-call-id='" + callId + "'] td.result"), "Resumed: the call is recorded again.");
            assertEquals(1, h.asterisk.requests("DELETE", "/ari/recordings/live/" + name + "/pause").size(),
                    "the double received the resume");

            buttonLabelled("Stop and discard the recording of call " + shortId).click();
            button("Stop and discard").click();
            browser.untilText(By.cssSelector("tr[data-call-id='" + callId + "'] td.result"), "Stopped: the recording was discarded.");
            h.asterisk.awaitRequest("DELETE", "/ari/recordings/live/" + name, AppHarness.WAIT);
        } finally {
            h.asterisk.callerHangsUp((String) call.get("channel_id"));
        }
        browser.until(d -> d.findElements(By.cssSelector("tr[data-call-id='" + callId + "']")).isEmpty() ? true : null,
                "the ended call to leave the list by itself");
    }

    // ---- compliance --------------------------------------------------------------------------------

    @Test
    void complianceRunsAnErasure_andSeesItVerified() {
        signIn("carl");
        assertEquals(List.of("Calls", "Privacy", "Audit", "Retention and statistics"), navItems());
        browser.find(By.linkText("Privacy")).click();
        browser.untilText(By.tagName("h1"), "Privacy");
        new org.openqa.selenium.support.ui.Select(browser.find(By.cssSelector("form[aria-label='Register a request'] select")))
                .selectByValue("erasure");
        browser.find(By.cssSelector("form[aria-label='Register a request'] input[name=caller]")).sendKeys(TO_ERASE);
        browser.find(By.cssSelector("form[aria-label='Register a request'] input[name=note]")).sendKeys("ticket 815");
        button("Register").click();
        browser.untilText(By.cssSelector(".message-region"), "Registered: erasure request");
        button("Run erasure…").click();
        button("Erase everything about this caller").click();
        browser.untilText(By.id("main"), "Erasure completed.");
        browser.untilText(By.cssSelector(".verification"), "Verified: nothing decryptable or identifying about this caller is left.");
        shotSettled("privacy-erasure");

        JsonObject request = api.get("/api/v1/privacy/requests?kind=erasure", tokenOf("carl")).getJsonArray("items")
                .getJsonObject(0);
        assertEquals("completed", request.getString("status"));
        assertTrue(request.getJsonObject("verification").getBoolean("clean"));
        assertEquals(0L, h.rows("select count(*) as n from recording_chunk where recording_id = $1", toErase.recordingId())
                .get(0).get("n"), "the recording's ciphertext is gone");
        assertFalse(mainText().contains(TO_ERASE), "the number is not shown any more once erased");
    }

    @Test
    void complianceHandlesAccessRequests_legalHolds_andTheConsentRegistry() throws Exception {
        signIn("carl", PASSWORD, "#/privacy/requests");
        browser.untilText(By.tagName("h1"), "Privacy");
        browser.find(By.cssSelector("form[aria-label='Register a request'] input[name=caller]")).sendKeys(RECORDED);
        // received two months ago: already overdue
        browser.script("document.querySelector(\"form[aria-label='Register a request'] input[name=received_at]\").value = arguments[0];",
                java.time.LocalDateTime.now().minusMonths(2).withNano(0).toString());
        button("Register").click();
        browser.untilText(By.cssSelector(".message-region"), "Registered: access request");
        browser.untilText(By.cssSelector("tr.is-overdue"), "Overdue");
        shotSettled("privacy-requests");
        browser.find(By.xpath("//tr[contains(@class, 'is-overdue')]//button[normalize-space()='Download export']")).click();
        browser.untilText(By.cssSelector(".message-region"), "Export saved as");
        String saved = browser.find(By.cssSelector(".message-region")).getText().replaceAll(".*saved as (\\S+) .*", "$1");
        byte[] zip = Files.readAllBytes(awaitDownload(saved));
        assertEquals('P', zip[0]);
        assertEquals('K', zip[1]);

        browser.find(By.linkText("Legal holds")).click();
        browser.untilText(By.tagName("h2"), "Place a legal hold");
        browser.find(By.name("target")).sendKeys(declinedCall.toString());
        browser.find(By.cssSelector("form[aria-label='Place a legal hold'] input[name=reason]")).sendKeys("case 2026-17");
        button("Place hold").click();
        browser.untilText(By.cssSelector(".message-region"), "Legal hold placed.");
        browser.untilText(By.tagName("table"), "case 2026-17");
        shotSettled("privacy-holds");
        WebElement why = browser.find(By.cssSelector("input[aria-label='Reason to release the hold \"case 2026-17\"']"));
        why.sendKeys("case closed");
        button("Release").click();
        browser.untilText(By.cssSelector(".message-region"), "Legal hold released.");
        assertEquals(1, h.rows("select 1 from legal_hold where call_id = $1 and released_at is not null "
                + "and release_reason = 'case closed'", declinedCall).size());

        requested.clear();
        browser.find(By.linkText("Consent registry")).click();
        browser.find(By.name("caller")).sendKeys(DECLINING);
        button("Look up").click();
        browser.untilText(By.id("main"), "Consent of " + DECLINING);
        browser.untilText(By.tagName("table"), "decision: Declined");
        browser.find(By.name("note")).sendKeys("asked by letter");
        button("Withdraw consent").click();
        browser.untilText(By.cssSelector(".message-region"), "Withdrawn: from their next call " + DECLINING + " is not recorded.");
        browser.untilText(By.id("main"), "Do not record: this caller is not recorded");
        shotSettled("privacy-consent");
        // the lookup sent the number in POST bodies: no URL the console asked for carries it
        assertTrue(requested.stream().anyMatch(u -> u.startsWith("/api/v1/consent/search")), requested.toString());
        assertTrue(requested.stream().anyMatch(u -> u.startsWith("/api/v1/consent/history/search")), requested.toString());
        for (String uri : requested) {
            String decoded = java.net.URLDecoder.decode(uri, java.nio.charset.StandardCharsets.UTF_8);
            assertFalse(decoded.replaceAll("[^0-9]", "").contains(DECLINING.substring(1)), "a caller number in " + uri);
            assertFalse(decoded.contains("caller="), uri);
        }
        JsonObject status = api.json("POST", "/api/v1/consent/search", tokenOf("carl"),
                new JsonObject().put("caller", DECLINING), 200);
        assertTrue(status.getBoolean("do_not_record"));
    }

    @Test
    void complianceExportsARestrictedCallersData_onlyForLegalClaimsWithAReason_andASupervisorIsNotOffered()
            throws Exception {
        String carl = tokenOf("carl");
        String restriction = api.json("POST", "/api/v1/restrictions", carl, new JsonObject().put("caller", RESTRICTED_EXPORT)
                .put("reason", "objection pending, letter of 9 June"), 201).getString("id");
        try {
            JsonObject request = api.json("POST", "/api/v1/privacy/requests", carl, new JsonObject().put("kind", "access")
                    .put("caller", RESTRICTED_EXPORT), 201);
            String id = request.getString("id");
            assertTrue(request.getBoolean("restricted"), request.encode());
            String label = "access request " + id.substring(0, 8);
            requested.clear();

            signIn("carl", PASSWORD, "#/privacy/requests");
            browser.untilText(By.tagName("h1"), "Privacy");
            WebElement offer = buttonLabelled("Export the " + label + " for legal claims");
            WebElement row = offer.findElement(By.xpath("./ancestor::tr"));
            assertEquals("Restricted", row.findElement(By.cssSelector(".badge-restricted")).getText());
            assertTrue(row.findElements(By.xpath(".//button[normalize-space()='Download export']")).isEmpty(),
                    "no plain export for a restricted caller");
            offer.click();
            browser.untilText(By.tagName("h2"), "Export for legal claims");
            String claim = "claim 2026-77: the caller sues over the contract";
            browser.find(By.cssSelector("form[aria-label='Export for legal claims'] input[name=reason]")).sendKeys(claim);
            button("Export for legal claims").click();
            assertEquals(Boolean.TRUE, browser.script("return !document.getElementById('legal-claims-export').validity.valid;"),
                    "without the legal-claims choice nothing is exported");
            assertTrue(api.get("/api/v1/audit?action=privacy_requests.export&target=" + id, carl).getJsonArray("items")
                    .isEmpty(), "nothing asked for yet");
            shotSettled("privacy-export-legal-claims");
            browser.find(By.id("legal-claims-export")).click();
            button("Export for legal claims").click();
            browser.untilText(By.cssSelector(".message-region"), "for legal claims; the request is completed");
            byte[] zip = Files.readAllBytes(awaitDownload("subject-export-" + id + ".zip"));
            assertEquals('P', zip[0]);
            assertEquals('K', zip[1]);
            JsonObject allowed = api.get("/api/v1/audit?action=privacy_requests.export&target=" + id, carl)
                    .getJsonArray("items").stream().map(o -> (JsonObject) o)
                    .filter(o -> "allowed".equals(o.getString("outcome"))).findFirst().orElseThrow();
            assertEquals("carl", allowed.getString("actor_name"));
            assertEquals(claim, allowed.getString("reason"));
            assertEquals("legal_claims", allowed.getJsonObject("detail").getString("purpose"));
            // the purpose and the claim went in the body, never in a URL
            assertTrue(requested.stream().noneMatch(u -> u.contains("purpose=") || u.contains("2026-77")), requested.toString());

            // a supervisor has no privacy screen, and the API refuses the export to that role
            signIn("sue", PASSWORD, "#/privacy/requests");
            assertFalse(navItems().contains("Privacy"));
            browser.untilText(By.id("main"), "may not use the Privacy screen");
            JsonObject refused = api.json("POST", "/api/v1/privacy/requests/" + id + "/export", tokenOf("sue"),
                    new JsonObject().put("purpose", "legal_claims").put("reason", "claim 2026-77"), 403);
            assertEquals("forbidden", refused.getString("error"));
        } finally {
            api.json("POST", "/api/v1/restrictions/" + restriction + "/lift", carl,
                    new JsonObject().put("reason", "objection decided"), 200);
        }
    }

    @Test
    void complianceRestrictsACall_theListsMarkIt_aSupervisorCannotPlayIt_andComplianceUsesItForLegalClaims() {
        // what other tests placed and lifted before this one
        Map<String, Integer> auditedBefore = new java.util.HashMap<>();
        String before = tokenOf("carl");
        for (String action : List.of("restrictions.place", "restrictions.lift")) {
            auditedBefore.put(action, api.get("/api/v1/audit?action=" + action + "&outcome=ok", before)
                    .getJsonArray("items").size());
        }
        // placed through the console (Art. 18): on one call, with a reason
        signIn("carl", PASSWORD, "#/privacy/restrictions");
        browser.untilText(By.tagName("h2"), "Restrict processing");
        browser.find(By.cssSelector("form[aria-label='Place a restriction'] input[name=target]"))
                .sendKeys(toRestrict.callId().toString());
        browser.find(By.cssSelector("form[aria-label='Place a restriction'] input[name=reason]"))
                .sendKeys("caller contests the accuracy, ticket 5150");
        button("Place restriction").click();
        browser.untilText(By.cssSelector(".message-region"), "Restriction placed.");
        browser.untilText(By.tagName("table"), "caller contests the accuracy, ticket 5150");
        shotSettled("privacy-restrictions");
        assertTrue(browser.find(By.id("restriction-scope-call")).isSelected(), "the form is back to one call");
        assertEquals("Call id", browser.find(By.cssSelector("label[for=restriction-target]")).getText());
        assertEquals(1, h.rows("select 1 from restriction where call_id = $1 and lifted_at is null "
                + "and placed_by like '%carl%'", toRestrict.callId()).size());

        // the calls list marks it in words (not colour alone), before anyone opens it
        signIn("sue");
        browser.find(By.name("caller")).sendKeys(RESTRICTED);
        button("Search").click();
        browser.until(d -> d.findElements(By.cssSelector("a.call-link")).size() == 1 ? true : null, "one call found");
        WebElement row = browser.find(By.cssSelector("tr.is-restricted"));
        assertEquals("Restricted", row.findElement(By.cssSelector(".badge-restricted")).getText());
        assertTrue(browser.find(By.tagName("thead")).getText().contains("Restriction"));
        shotSettled("calls-restricted");

        // the supervisor is not offered the recording, and reads why
        browser.find(By.cssSelector("a.call-link")).click();
        browser.untilText(By.id("main"), "Processing of this recording is restricted (GDPR Art. 18)");
        assertTrue(mainText().contains("except by compliance for the establishment or defence of legal claims"), mainText());
        assertTrue(browser.all(By.cssSelector("form.reason-form")).isEmpty(), "no play or download form");
        shotSettled("call-restricted-supervisor");
        // the server agrees: its 403 'restricted' is what the console says
        String sue = tokenOf("sue");
        JsonObject refused = api.json("POST", "/api/v1/recordings/" + toRestrict.recordingId() + "/playback", sue,
                new JsonObject().put("reason", "just curious").put("purpose", "legal_claims"), 403);
        assertEquals("restricted", refused.getString("error"));

        // compliance plays it for legal claims: the choice is required, the purpose and the reason are audited
        signIn("carl", PASSWORD, "#/calls/" + toRestrict.callId());
        browser.untilText(By.id("main"), "As compliance you may play or export it only for the establishment");
        String claim = "claim 2026-31: the caller sues over the contract";
        browser.find(By.cssSelector("form[aria-label='Play the recording for legal claims'] input[name=reason]"))
                .sendKeys(claim);
        button("Play for legal claims").click();
        assertEquals(Boolean.TRUE, browser.script("return !document.getElementById('legal-claims-play').validity.valid;"),
                "without the legal-claims choice nothing is fetched");
        browser.find(By.id("legal-claims-play")).click();
        button("Play for legal claims").click();
        browser.until(d -> browser.script("return document.querySelector('audio.player').src.includes("
                + "'/api/v1/recordings/" + toRestrict.recordingId() + "/audio?ticket=crp_');")
                .equals(Boolean.TRUE) ? true : null, "the player streaming the recording");
        shotSettled("call-restricted-legal-claims");
        JsonArray plays = api.get("/api/v1/audit?action=recordings.play&target=" + toRestrict.recordingId(),
                tokenOf("carl")).getJsonArray("items");
        JsonObject used = plays.stream().map(o -> (JsonObject) o).filter(o -> "allowed".equals(o.getString("outcome")))
                .findFirst().orElseThrow(() -> new AssertionError(plays.encodePrettily()));
        assertEquals("carl", used.getString("actor_name"));
        assertEquals(claim, used.getString("reason"));
        assertEquals("legal_claims", used.getJsonObject("detail").getString("purpose"));
        assertTrue(plays.stream().map(o -> (JsonObject) o).noneMatch(o -> "allowed".equals(o.getString("outcome"))
                && "sue".equals(o.getString("actor_name"))), "sue played nothing: " + plays.encodePrettily());

        // lifted through the console, with a reason; the list no longer marks the call
        browser.open("#/privacy/restrictions");
        browser.find(By.cssSelector("input[aria-label='Reason to lift the restriction \"caller contests the accuracy, "
                + "ticket 5150\"']")).sendKeys("accuracy verified with the caller");
        button("Lift").click();
        browser.untilText(By.cssSelector(".message-region"), "Restriction lifted.");
        assertEquals(1, h.rows("select 1 from restriction where call_id = $1 and lifted_at is not null "
                + "and lift_reason = 'accuracy verified with the caller'", toRestrict.callId()).size());
        String token = tokenOf("carl");
        assertFalse(api.get("/api/v1/calls/" + toRestrict.callId(), token).getBoolean("restricted"));

        // on everything about a caller: the consent registry marks the caller, and the call is covered
        browser.find(By.id("restriction-scope-caller")).click();
        browser.untilText(By.cssSelector("label[for=restriction-target]"), "Caller number");
        browser.find(By.cssSelector("form[aria-label='Place a restriction'] input[name=target]")).sendKeys(RESTRICTED);
        browser.find(By.cssSelector("form[aria-label='Place a restriction'] input[name=reason]"))
                .sendKeys("objection pending, letter of 3 May");
        button("Place restriction").click();
        browser.untilText(By.cssSelector(".message-region"), "Restriction placed.");
        assertTrue(api.get("/api/v1/calls/" + toRestrict.callId(), token).getBoolean("restricted"));
        browser.find(By.linkText("Consent registry")).click();
        browser.find(By.name("caller")).sendKeys(RESTRICTED);
        button("Look up").click();
        browser.untilText(By.id("main"), "Processing of this caller's data is restricted");
        assertEquals("Restricted", browser.find(By.cssSelector(".card .badge-restricted")).getText());
        browser.find(By.linkText("Restrictions")).click();
        browser.find(By.cssSelector("input[aria-label='Reason to lift the restriction \"objection pending, letter of "
                + "3 May\"']")).sendKeys("objection decided");
        button("Lift").click();
        browser.untilText(By.cssSelector(".message-region"), "Restriction lifted.");
        assertFalse(api.get("/api/v1/calls/" + toRestrict.callId(), token).getBoolean("restricted"));
        for (String action : List.of("restrictions.place", "restrictions.lift")) {
            assertEquals(auditedBefore.get(action) + 2, api.get("/api/v1/audit?action=" + action + "&outcome=ok", token)
                    .getJsonArray("items").size(), action);
        }
    }

    // ---- auditor -----------------------------------------------------------------------------------

    @Test
    void anAuditorVerifiesTheAuditChain_andFiltersTheTrail() {
        signIn("otto");
        assertEquals(List.of("Audit", "Retention and statistics"), navItems());
        browser.untilText(By.tagName("h1"), "Audit");
        button("Verify the chain").click();
        browser.untilText(By.id("main"), "Intact: all");
        String hash = browser.find(By.id("audit-head-hash")).getDomProperty("value");
        String headText = browser.find(By.cssSelector("dl.facts")).getText();
        long headSeq = Long.parseLong(headText.replaceAll("(?s).*Head sequence\\n(\\d+).*", "$1"));
        List<Map<String, Object>> head = h.rows("select hash from audit_log where seq = $1", headSeq);
        assertEquals(1, head.size());
        assertEquals(api.get("/api/v1/audit?limit=1&cursor=" + (headSeq + 1), tokenOf("otto"))
                .getJsonArray("items").getJsonObject(0).getString("hash"), hash, "the head's hash as the API gives it");
        assertNotNull(hash);

        browser.find(By.name("action")).sendKeys("auth.login");
        browser.find(By.name("actor")).sendKeys("otto");
        button("Filter").click();
        browser.until(d -> {
            List<WebElement> rows = d.findElements(By.cssSelector(".results table tbody tr, .table-wrap table tbody tr"));
            return !rows.isEmpty() && rows.stream().allMatch(r -> r.getText().contains("auth.login")) ? true : null;
        }, "only logins in the trail");
        shotSettled("audit");
    }

    // ---- admin -------------------------------------------------------------------------------------

    @Test
    void anAdminManagesAccountsAndTokens_andRunsRetention() {
        signIn(AppHarness.ADMIN_USER, AppHarness.ADMIN_PASSWORD, "");
        assertEquals(List.of("Retention and statistics", "Admin"), navItems());
        browser.find(By.linkText("Admin")).click();
        browser.untilText(By.tagName("h1"), "Admin");
        browser.find(By.name("username")).sendKeys("nina");
        browser.find(By.name("password")).sendKeys("Nina-first-password-1");
        new org.openqa.selenium.support.ui.Select(browser.find(By.cssSelector("form[aria-label='Create an account'] select")))
                .selectByValue("agent");
        button("Create").click();
        browser.untilText(By.cssSelector(".message-region"), "Account nina created with role agent.");
        settled();
        // a supervisor reads callers' data: one admin asks, a second approves (separated duties)
        h.operator("second-admin", PASSWORD, "admin");
        new org.openqa.selenium.support.ui.Select(browser.find(By.cssSelector("select[aria-label='Role of nina']")))
                .selectByValue("supervisor");
        buttonLabelled("Change the role of nina").click();
        browser.untilText(By.cssSelector(".message-region"), "nina: a second admin must approve this change.");
        assertEquals("agent", h.rows("select role from operator_account where username = 'nina'").get(0).get("role"));
        String second = api.login("second-admin", PASSWORD);
        String request = api.get("/api/v1/approvals", second).getJsonArray("items").getJsonObject(0).getString("id");
        api.json("POST", "/api/v1/approvals/" + request + "/approve", second, new JsonObject(), 200);
        assertEquals("supervisor", h.rows("select role from operator_account where username = 'nina'").get(0).get("role"));
        settled();
        buttonLabelled("Disable nina").click();
        buttonLabelled("Press again to disable: Disable nina").click();
        browser.untilText(By.cssSelector(".message-region"), "nina: disabled.");
        assertEquals(Boolean.TRUE, h.rows("select disabled from operator_account where username = 'nina'").get(0).get("disabled"));
        shotSettled("admin-accounts");

        browser.find(By.linkText("API tokens")).click();
        browser.find(By.name("name")).sendKeys("payment-ivr");
        button("Create token").click();
        String secret = browser.find(By.id("new-token-secret")).getDomProperty("value");
        assertEquals(200, api.status("/api/v1/live-calls", secret), "the token shown works");
        shot("admin-token-secret");
        button("I have stored it").click();
        browser.until(d -> d.findElements(By.id("new-token-secret")).isEmpty() ? true : null, "the secret to go");
        assertFalse(browser.driver.getPageSource().contains(secret), "the secret is not on the page any more");
        buttonLabelled("Revoke the token payment-ivr").click();
        buttonLabelled("Press again to revoke: Revoke the token payment-ivr").click();
        browser.untilText(By.cssSelector(".message-region"), "Token payment-ivr revoked");
        assertEquals(401, api.status("/api/v1/live-calls", secret), "the revoked token no longer works");
        shotSettled("admin-tokens");

        browser.find(By.linkText("Retention and statistics")).click();
        browser.untilText(By.id("main"), "Recordings kept");
        button("Run retention now").click();
        browser.untilText(By.cssSelector(".message-region"), "Run completed");
        browser.untilText(By.tagName("table"), "completed");
        // the days before today are counted now: the chart is drawn from them
        button("Show").click();
        browser.until(d -> d.findElements(By.cssSelector("svg.chart rect.o-granted")).size() >= 5 ? true : null,
                "bars of granted calls");
        assertTrue(browser.find(By.cssSelector(".chart-legend")).getText().contains("Granted"));
        shotSettled("retention");
    }

    // ---- session -----------------------------------------------------------------------------------

    @Test
    void theSessionShowsWhenItEnds_warnsBeforeAnIdleSignOut_andEndsOnTheServerToo() {
        signIn("sue");
        browser.untilText(By.id("session-expiry"), "(in 15 min)");
        String token = (String) browser.script("return JSON.parse(sessionStorage.getItem('cr.console.session')).token;");
        assertEquals(Boolean.TRUE, browser.script("return localStorage.length === 0 && document.cookie === '';"),
                "nothing in localStorage, no cookie");
        assertEquals(200, api.status("/api/v1/auth/me", token));

        // the last input moved into the past (the console's clock keeps ticking): the warning, then the sign-out
        browser.asyncScript("const done = arguments[arguments.length - 1];"
                + "import('/console/js/session.js').then((m) => { m.touch(Date.now() - 9.5 * 60 * 1000); done(); });");
        browser.untilText(By.id("idle-warning"), "you will be signed out unless you stay.");
        browser.untilText(By.id("idle-warning"), "Signing out in");
        assertTrue(browser.find(By.id("stay-signed-in")).isDisplayed());
        shot("idle-warning");
        browser.asyncScript("const done = arguments[arguments.length - 1];"
                + "import('/console/js/session.js').then((m) => { m.touch(Date.now() - 10 * 60 * 1000 - 1000); done(); });");
        browser.untilText(By.id("main"), "You were signed out after 10 minutes without activity.");
        assertEquals(Boolean.TRUE, browser.script("return sessionStorage.getItem('cr.console.session') === null;"));
        h.asterisk.await("the token revoked on the server", () -> api.status("/api/v1/auth/me", token) == 401, AppHarness.WAIT);

        signIn("sue");
        browser.asyncScript("const done = arguments[arguments.length - 1];"
                + "import('/console/js/session.js').then((m) => { m.tick(m.get().expiresAt + 1); done(); });");
        browser.untilText(By.id("main"), "Your session ended at");

        signIn("sue");
        button("Sign out").click();
        browser.untilText(By.id("main"), "You are signed out.");
        assertFalse(browser.all(By.id("nav")).get(0).isDisplayed(), "no navigation when signed out");
        assertTrue(navItems().isEmpty());
    }

    @Test
    void signingIn_worksWithTheKeyboardAlone_andAWrongPasswordIsSaidInWords() {
        signedOut("");
        WebElement user = browser.find(By.name("username"));
        assertEquals(user, browser.driver.switchTo().activeElement(), "the user name has the focus");
        shot("sign-in");
        user.sendKeys("carl", Keys.TAB);
        assertEquals("password", browser.driver.switchTo().activeElement().getDomAttribute("name"));
        browser.driver.switchTo().activeElement().sendKeys("not the password", Keys.ENTER);
        browser.untilText(By.cssSelector("[role=alert]"), "Wrong user name or password.");
        assertEquals("password", browser.driver.switchTo().activeElement().getDomAttribute("name"));
        List<String> problems = browser.drainProblems();
        assertTrue(problems.size() == 1 && problems.get(0).contains("401"),
                "only the refused login is in the console log: " + problems);

        browser.driver.switchTo().activeElement().sendKeys(PASSWORD, Keys.ENTER);
        browser.untilText(By.tagName("h1"), "Calls");
        assertEquals("h1", browser.driver.switchTo().activeElement().getTagName(), "the focus moves to the screen's heading");
        browser.driver.switchTo().activeElement().sendKeys(Keys.TAB);
        assertEquals("caller", browser.driver.switchTo().activeElement().getDomAttribute("name"),
                "from the heading the next stop is the screen's first field");
    }

    // ---- every screen, two sizes ---------------------------------------------------------------------

    @Test
    void everyScreenFitsALaptopAndATablet_withReadableContrastAndLabelledControls() {
        record Screen(String user, String password, String fragment, String name, String ready) {
        }
        List<Screen> screens = List.of(
                new Screen("carl", PASSWORD, "#/calls", "calls", "Page 1"),
                new Screen("carl", PASSWORD, "#/calls/" + recorded.callId(), "call", "What the caller heard"),
                new Screen("carl", PASSWORD, "#/privacy/requests", "privacy-requests", "Requests"),
                new Screen("carl", PASSWORD, "#/privacy/holds", "privacy-holds", "Legal holds"),
                new Screen("carl", PASSWORD, "#/privacy/restrictions", "privacy-restrictions", "Restrictions"),
                new Screen("carl", PASSWORD, "#/privacy/consent", "privacy-consent", "Look up"),
                new Screen("carl", PASSWORD, "#/audit", "audit", "Page 1"),
                new Screen("carl", PASSWORD, "#/retention", "retention-compliance", "Daily calls by consent outcome"),
                new Screen("ada", PASSWORD, "#/live", "live", "Live calls"),
                new Screen("sue", PASSWORD, "#/retention", "statistics-supervisor", "Daily calls by consent outcome"),
                new Screen("sue", PASSWORD, "#/account", "second-factor", "Set up an authenticator app"),
                new Screen(AppHarness.ADMIN_USER, AppHarness.ADMIN_PASSWORD, "#/admin/accounts", "admin-accounts", "root-admin"),
                new Screen(AppHarness.ADMIN_USER, AppHarness.ADMIN_PASSWORD, "#/admin/tokens", "admin-tokens", "Tokens"),
                new Screen("otto", PASSWORD, "#/calls", "not-allowed", "Not allowed"));
        List<String> problems = new ArrayList<>();
        for (int[] size : new int[][] {{1280, 800}, {768, 1024}}) {
            browser.viewport(size[0], size[1]);
            String dir = size[0] + "x" + size[1];
            String lastUser = null;
            for (Screen s : screens) {
                if (!s.user().equals(lastUser)) {
                    signIn(s.user(), s.password(), s.fragment());
                    lastUser = s.user();
                } else {
                    browser.open(s.fragment());
                }
                browser.untilText(By.id("main"), s.ready());
                settled();
                for (String p : PageChecks.run(browser)) {
                    problems.add(dir + " " + s.name() + ": " + p);
                }
                browser.screenshot(SHOTS.resolve(dir).resolve(s.name() + ".png"));
            }
            signedOut("");
            problems.addAll(PageChecks.run(browser).stream().map(p -> dir + " sign-in: " + p).toList());
            browser.screenshot(SHOTS.resolve(dir).resolve("sign-in.png"));
        }
        browser.viewport(1280, 800);
        assertEquals(List.of(), problems);
    }

    // ---- the checks themselves can fail --------------------------------------------------------------

    @Test
    void theBrowserChecksCatchAViolation_anErrorAndAnUnreadableControl() {
        signIn("sue");
        browser.untilText(By.tagName("h1"), "Calls");
        browser.script("const i = document.createElement('img'); i.src = 'https://cdn.example.invalid/x.png';"
                + "document.body.append(i);"
                + "const p = document.createElement('p'); p.setAttribute('style', 'color: red'); document.body.append(p);"
                + "setTimeout(() => { throw new Error('planted'); }, 0);");
        browser.until(d -> browser.script("return (window.__crProblems || []).length >= 3;").equals(Boolean.TRUE) ? true : null,
                "the planted problems to be recorded");
        List<String> problems = browser.drainProblems();
        assertTrue(problems.stream().anyMatch(p -> p.contains("CSP violation: img-src")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("CSP violation: style-src")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("planted")), problems.toString());
        assertEquals(List.of(), browser.drainProblems(), "drained");

        browser.script("const x = document.createElement('input'); x.name = 'planted-field'; document.querySelector('main').append(x);"
                + "const q = document.createElement('p'); q.textContent = 'faint'; q.style.color = '#bbbbbb';"
                + "document.querySelector('main').append(q);");
        List<String> page = PageChecks.run(browser);
        assertTrue(page.stream().anyMatch(p -> p.contains("no label for input name=planted-field")), page.toString());
        assertTrue(page.stream().anyMatch(p -> p.contains("contrast") && p.contains("faint")), page.toString());
        browser.driver.navigate().refresh();
    }
}
