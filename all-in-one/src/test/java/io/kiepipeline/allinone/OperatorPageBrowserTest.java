package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiepipeline.emulators.KieEmulator.Rule;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator page (/admin) in a real browser (headless Chromium from Debian's packages), with the admin token: a
 * job the timer cannot move on shows as stuck, a dead letter shows with its reason and is replayed from the page, and
 * the live figures, KIE accounts and recent failures are there. Screenshot: target/operator-screenshots.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorPageBrowserTest extends PipelineTest {
    private static final Path SHOTS = Path.of("target/operator-screenshots");
    private static final String MODEL = "nano-banana-pro";

    private ChromeDriver browser;
    private WebDriverWait wait;

    @BeforeAll
    void startTheBrowser() throws IOException {
        browser = Chromium.start("1300,1600");
        wait = new WebDriverWait(browser, PATIENCE, Duration.ofMillis(200));
        wait.ignoring(StaleElementReferenceException.class);
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    void stopTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void showsAStuckJobAndADeadLetterWhichItReplays() throws Exception {
        // a job the timer cannot read (as after a bug), an hour past its deadline: it stays open
        long owner = aUserWithBalance(5_000);
        String prompt = aPrompt("a fox that takes its time");
        kie.addRule(Rule.forPrompt(prompt).taking(120_000));
        String stuck = request(owner, MODEL, prompt);
        awaitStatus(stuck, "RUNNING");
        String input = (String) db.rows("select input from orchestrator.job where job_id = ?::uuid", stuck).getFirst()
                .get("input");
        db.update("update orchestrator.job set input = 'not json', deadline_at = now() - interval '1 hour'"
                + " where job_id = ?::uuid", stuck);
        // a refused job: a recent failure
        String refused = request(aNewUser(), MODEL, aPrompt("a fox without money"));
        awaitStatus(refused, "REJECTED");
        // a dead letter: a top-up the ledger cannot store (like a bug) until the operator removes the cause
        long payer = aNewUser();
        String reference = "operator-blocked-" + payer;
        try (AutoCloseable blocked = db.blockDeposit(payer, reference)) {
            assertThat(api.deposit(payer, 4_200, reference).status()).isEqualTo(202);
            await().atMost(PATIENCE).until(() -> api.get("/api/v1/admin/dead-letters/ledger.commands",
                    TestPipeline.ADMIN_TOKEN).body().toString().contains("\"key\":\"" + payer + "\""));

            signIn(TestPipeline.ADMIN_TOKEN);

            WebElement stuckRow = wait.until(d -> first(d, "#stuck-jobs tr[data-job-id='" + stuck + "']"));
            assertThat(stuckRow.getText()).contains("past its deadline").contains(MODEL).contains("RUNNING");
            wait.until(d -> first(d, "#recent-failures tr[data-job-id='" + refused + "']"));
            wait.until(d -> first(d, "#models tr[data-model='" + MODEL + "']"));
            assertThat(browser.findElement(By.id("totals")).getText()).contains("Requests").contains("Revenue");
            wait.until(d -> first(d, "#kie-keys tr[data-key]"));
            WebElement letters = wait.until(d -> first(d, "#dead-letters tr[data-topic='ledger.commands']"));
            assertThat(Long.parseLong(letters.findElement(By.cssSelector(".pending")).getText())).isPositive();
            Chromium.shot(browser, SHOTS, "operator-page");

            letters.findElement(By.cssSelector("button.show")).click();
            WebElement letter = wait.until(d -> d.findElements(By.cssSelector("#letters tbody tr")).stream()
                    .filter(r -> r.getText().contains(Long.toString(payer))).findFirst().orElse(null));
            assertThat(letter.getText()).contains("ledger.deposit-requested.v1").contains("blocked by the test");
        }

        // the cause removed, the operator replays the topic's letters from the page: the top-up lands, once
        WebElement replay = wait.until(d -> first(d, "#dead-letters tr[data-topic='ledger.commands'] button.replay"));
        replay.click();
        wait.until(d -> first(d, "#dead-letters tr[data-topic='ledger.commands'] button.replay").getText()
                .startsWith("Confirm")).booleanValue();
        first(browser, "#dead-letters tr[data-topic='ledger.commands'] button.replay").click();
        wait.until(d -> d.findElement(By.id("action")).getText().startsWith("Replayed "));
        await().atMost(PATIENCE).until(() -> available(payer) == 4_200);
        assertThat(db.count("select count(*) from ledger.deposit where reference = ?", reference)).isEqualTo(1);

        // the job readable again: the timer ends it, and it leaves the stuck list
        db.update("update orchestrator.job set input = ? where job_id = ?::uuid", input, stuck);
        awaitStatus(stuck, "FAILED");
        await().atMost(PATIENCE).until(() -> held(owner) == 0);
        wait.until(d -> d.findElements(By.cssSelector("#stuck-jobs tr[data-job-id='" + stuck + "']")).isEmpty());
    }

    @Test
    void showsNothingWithoutTheAdminTokenAndForgetsARefusedOne() {
        signIn("not-the-admin-token");

        WebElement error = wait.until(d -> first(d, "#sign-in-error"));
        assertThat(error.getText()).contains("refused");
        assertThat(browser.findElement(By.id("board")).isDisplayed()).isFalse();
        assertThat(browser.executeScript("return sessionStorage.length")).isEqualTo(0L);
    }

    @Test
    void itsDataAsksForTheAdminTokenAndThePageRunsOnlyItsOwnScript() throws Exception {
        assertThat(api.get("/api/v1/admin/overview", null).status()).isEqualTo(401);
        assertThat(api.get("/api/v1/admin/overview", TestPipeline.API_TOKEN).status()).isEqualTo(401);
        assertThat(api.get("/api/v1/admin/dead-letters/ledger.commands", TestPipeline.API_TOKEN).status())
                .isEqualTo(401);
        assertThat(api.postRaw("/api/v1/admin/dead-letters/ledger.commands/replay", null, null, "").status())
                .isEqualTo(401);
        assertThat(api.get("/api/v1/admin/dead-letters/no.such-topic", TestPipeline.ADMIN_TOKEN).status())
                .isEqualTo(404);
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> traversal = http.send(HttpRequest.newBuilder(URI.create(pipeline.gatewayUrl()
                        + "/api/v1/admin/dead-letters/..%2Fetc/replay")).header("Authorization", "Bearer "
                        + TestPipeline.ADMIN_TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(traversal.statusCode()).isIn(400, 404);
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(
                URI.create(pipeline.gatewayUrl() + "/admin")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
                .contains("script-src 'self'").contains("frame-ancestors 'none'");
        assertThat(page.body()).doesNotContain(TestPipeline.ADMIN_TOKEN).doesNotContain("<script>");
        assertThat(api.get("/admin/other.js", null).status()).isEqualTo(404);
    }

    private void signIn(String token) {
        browser.get(pipeline.gatewayUrl() + "/admin");
        browser.executeScript("sessionStorage.clear()");
        browser.navigate().refresh();
        WebElement field = wait.until(d -> first(d, "#token"));
        field.sendKeys(token);
        browser.findElement(By.cssSelector("#token-form button")).click();
    }

    private static WebElement first(org.openqa.selenium.WebDriver d, String css) {
        return d.findElements(By.cssSelector(css)).stream().filter(WebElement::isDisplayed).findFirst().orElse(null);
    }

}
