package io.kiepipeline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The sandbox chat in a real browser: headless Chromium and its driver from Debian's packages ({@code .ci/run}
 * installs them), driven as a person would use the page. Without them the test is skipped, unless
 * {@code REQUIRE_BROWSER_TESTS=true} (CI sets it), where their absence fails it. Screenshots go to
 * {@code target/sandbox-screenshots} (docs/bot.md shows them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SandboxBrowserTest extends PipelineTest {
    private static final Path SHOTS = Path.of("target/sandbox-screenshots");
    private static final Pattern BALANCE_AFTER = Pattern.compile("Balance after: ([0-9.,\\s]+ RUB)");

    private ChromeDriver browser;
    private WebDriverWait wait;

    @BeforeAll
    void startTheBrowser() throws IOException {
        browser = Chromium.start("900,1200");
        wait = new WebDriverWait(browser, PATIENCE, Duration.ofMillis(200));
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    void stopTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aNewcomerMakesAFreeImageFromTheBrowser() throws IOException {
        openAsANewUser();

        type("/start");
        click("s:FREE:0");
        click("m:google/nano-banana");
        shot("1-card");
        click("g:google/nano-banana");
        awaitText("send it as a message");
        type("a red fox in the snow, watercolor");
        clickIfOffered("d:google/nano-banana");
        click("ok:");

        WebElement image = wait.until(d -> visible(d.findElements(By.cssSelector(".msg.bot img.media.photo"))));
        wait.until(d -> (Boolean) ((JavascriptExecutor) d).executeScript(
                "return arguments[0].complete && arguments[0].naturalWidth > 0", image));
        shot("2-free-image");
    }

    @Test
    void aStarsTopUpPaysForAVideoWithOptionsAndTheBalanceShowsTheCharge() throws IOException {
        openAsANewUser();
        type("/start");
        awaitText("Balance");

        type("/topup");
        click("ts:100");
        wait.until(d -> visible(d.findElements(By.cssSelector(".pay")))).click();
        awaitText("Payment received");
        shot("3-topup");

        type("/generate wan/2-6-text-to-video a fox running through fresh snow");
        click("t:wan/2-6-text-to-video");
        // the settings, one by one: the first choice each time, until the price is shown
        for (int i = 0; i < 8; i++) {
            wait.until(d -> !d.findElements(By.cssSelector("button[data-cb^='c:'],button[data-cb^='ok:']")).isEmpty());
            if (!browser.findElements(button("ok:")).isEmpty()) {
                break;
            }
            String question = lastKeyboardText();
            firstOfLastKeyboard("c:").click();
            // the bot rewrites the question in place with the next one (the page shows it within 700 ms)
            wait.ignoring(StaleElementReferenceException.class).until(d -> !d.findElements(button("ok:")).isEmpty()
                    || !lastKeyboardText().equals(question));
        }
        WebElement confirm = wait.until(d -> visible(d.findElements(button("ok:"))));
        String confirmation = confirm.findElement(By.xpath("ancestor::div[contains(@class,'msg')]")).getText();
        Matcher after = BALANCE_AFTER.matcher(confirmation);
        assertThat(after.find()).as("the confirmation shows the balance after: %s", confirmation).isTrue();
        shot("4-confirmation");
        confirm.click();

        WebElement video = wait.until(d -> visible(d.findElements(By.cssSelector(".msg.bot video.media"))));
        assertThat(video.getDomProperty("src")).startsWith("http");
        // its caption ends with the balance after the charge, as the confirmation promised
        assertThat(video.findElement(By.xpath("ancestor::div[contains(@class,'msg')]")).getText())
                .contains("Balance: " + after.group(1).strip());
        awaitText("done.");
        type("/balance");
        awaitText("💰 Balance: " + after.group(1).strip());
        shot("5-video-and-balance");
    }

    private void openAsANewUser() {
        browser.get(pipeline.gatewayUrl() + "/sandbox");
        wait.until(d -> d.findElement(By.id("text")));
        browser.findElement(By.id("new-user")).click();
    }

    private void type(String text) {
        WebElement input = browser.findElement(By.id("text"));
        input.sendKeys(text);
        input.sendKeys(Keys.ENTER);
    }

    private static By button(String prefix) {
        return By.cssSelector("button[data-cb^='" + prefix + "']");
    }

    /** Clicks the newest button whose callback data starts with {@code prefix}, once the bot shows it. */
    private void click(String prefix) {
        wait.ignoring(StaleElementReferenceException.class).until(d -> {
            List<WebElement> found = d.findElements(button(prefix));
            if (found.isEmpty()) {
                return false;
            }
            found.getLast().click();
            return true;
        });
    }

    private void clickIfOffered(String prefix) {
        wait.until(d -> !d.findElements(button(prefix)).isEmpty() || !d.findElements(button("ok:")).isEmpty());
        if (!browser.findElements(button(prefix)).isEmpty()) {
            click(prefix);
        }
    }

    private WebElement firstOfLastKeyboard(String prefix) {
        List<WebElement> keyboards = browser.findElements(By.cssSelector(".msg.bot .keyboard"));
        return wait.until(d -> keyboards.getLast().findElements(button(prefix)).stream().findFirst().orElse(null));
    }

    private void awaitText(String text) {
        wait.until(d -> d.findElements(By.cssSelector(".msg.bot")).stream().anyMatch(m -> {
            try {
                return m.getText().contains(text);
            } catch (StaleElementReferenceException e) {
                return false;
            }
        }));
    }

    private String lastKeyboardText() {
        List<WebElement> keyboards = browser.findElements(By.xpath(
                "//div[contains(@class,'msg') and contains(@class,'bot')][.//div[contains(@class,'keyboard')]]"));
        return keyboards.isEmpty() ? "" : keyboards.getLast().getText();
    }

    private static WebElement visible(List<WebElement> found) {
        return found.stream().filter(WebElement::isDisplayed).reduce((a, b) -> b).orElse(null);
    }

    private void shot(String name) throws IOException {
        Chromium.shot(browser, SHOTS, name);
    }
}
