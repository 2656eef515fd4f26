package lab.grpclb;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}), driven by Selenium, for tests
 * that look at a page the way a reader does. Tests are skipped, saying why, when either is missing.
 */
public final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  private final ChromeDriver driver;

  private Browser(int width, int height, String... arguments) {
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=" + width + "," + height)
        .addArguments(arguments);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build();
    driver = new ChromeDriver(service, options);
    driver.manage().window().setSize(new Dimension(width, height));
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  /** A browser with a window of this size, or the test is skipped when Chromium or its driver is not installed. */
  public static Browser open(int width, int height) {
    return open(width, height, new String[0]);
  }

  /** The same, with more Chromium command-line switches (say, {@code --host-resolver-rules}). */
  public static Browser open(int width, int height, String... arguments) {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
        "SKIPPED: no headless Chromium here (apt-get install chromium chromium-driver); .ci/run installs them");
    return new Browser(width, height, arguments);
  }

  public ChromeDriver driver() {
    return driver;
  }

  /** Saves what the window shows as a PNG (a test artifact under target/). */
  public Path screenshot(Path file) throws Exception {
    File shot = driver.getScreenshotAs(OutputType.FILE);
    Files.createDirectories(file.getParent());
    return Files.copy(shot.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void close() {
    driver.quit();
  }
}
