package io.latentflow.e2e;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium on a fresh profile, driven through chromedriver (Debian's chromium and chromium-driver at
 * their paths, or -Dlatentflow.chromium and -Dlatentflow.chromedriver); {@link #close()} quits both.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final String CHROMIUM = System.getProperty("latentflow.chromium", "/usr/bin/chromium");
    private static final String CHROMEDRIVER = System.getProperty("latentflow.chromedriver", "/usr/bin/chromedriver");

    final WebDriver browser;
    private final ChromeDriverService driverService;

    private HeadlessChromium(WebDriver browser, ChromeDriverService driverService) {
        this.browser = browser;
        this.driverService = driverService;
    }

    static HeadlessChromium start() throws Exception {
        Path profile = Files.createTempDirectory("chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage",
                "--window-size=1280,1500", "--user-data-dir=" + profile);
        ChromeDriverService driverService = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        return new HeadlessChromium(new ChromeDriver(driverService, options), driverService);
    }

    /**
     * A wait of up to {@code timeout} that reports, when it times out, the page's element {@code statusId} and its
     * error line.
     */
    WebDriverWait waitReporting(Duration timeout, String statusId) {
        WebDriverWait wait = new WebDriverWait(browser, timeout);
        wait.withMessage(() -> "page status '" + browser.findElement(By.id(statusId)).getText() + "', error '"
                + browser.findElement(By.id("error")).getText() + "'");
        return wait;
    }

    /** Opens the orchestrator's web page at {@code hash} with the local client's key; returns once it has loaded. */
    void openWebPage(RunningSystem system, String hash, WebDriverWait wait) {
        browser.get(system.orchestratorUrl() + "/" + hash);
        browser.findElement(By.id("api-key")).sendKeys(system.apiKey(), Keys.TAB);
        awaitLoaded(wait);
    }

    /** Waits until the page says it has loaded its data (body data-ready), after a load or a reload. */
    void awaitLoaded(WebDriverWait wait) {
        wait.until(driver -> "true".equals(driver.findElement(By.tagName("body")).getAttribute("data-ready")));
    }

    /** Whether an img element has loaded a picture. */
    boolean imageLoaded(WebElement image) {
        return Boolean.TRUE.equals(((JavascriptExecutor) browser).executeScript(
                "return arguments[0].complete && arguments[0].naturalWidth > 0", image));
    }

    /** Saves a screenshot of the page (for people to look at; nothing is compared). */
    void screenshot(Path file) throws Exception {
        Files.write(file, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    @Override
    public void close() {
        try {
            browser.quit();
        } finally {
            driverService.stop();
        }
    }
}
