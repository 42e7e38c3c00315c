package io.kiepipeline.allinone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium and its driver from Debian's packages ({@code .ci/run} installs them), for the pages' browser
 * tests. Without them a test is skipped, unless {@code REQUIRE_BROWSER_TESTS=true} (CI sets it), where their absence
 * fails it.
 */
final class Chromium {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private Chromium() {
    }

    static ChromeDriver start(String windowSize) throws IOException {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && "true".equals(System.getenv("REQUIRE_BROWSER_TESTS"))) {
            throw new IllegalStateException("REQUIRE_BROWSER_TESTS is set but Debian's chromium and chromium-driver"
                    + " are not installed (apt-get install chromium chromium-driver)");
        }
        Assumptions.assumeTrue(present, "Debian's chromium and chromium-driver are not installed;"
                + " .ci/run installs them");
        Path profile = Files.createTempDirectory("pipeline-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // this machine's network is closed: Chromium must not try to reach Google at start
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=" + windowSize, "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /** A screenshot of the page as it is now, to {@code dir/name.png}. */
    static void shot(ChromeDriver browser, Path dir, String name) throws IOException {
        java.io.File png = browser.getScreenshotAs(org.openqa.selenium.OutputType.FILE);
        Files.copy(png.toPath(), dir.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
