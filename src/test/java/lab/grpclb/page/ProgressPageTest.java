package lab.grpclb.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lab.grpclb.Browser;
import lab.grpclb.Http;
import lab.grpclb.local.LocalMode;
import lab.grpclb.local.TestClusters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * A running experiment's progress and time left on the page, in headless Chromium against local mode (gRPC port
 * 50171, no other test uses it): an open loop of 2 s shows its calls counting up out of n with the seconds left
 * counting down, its bar filling, then the run ended with every call counted.
 */
@ExtendWith(VertxExtension.class)
class ProgressPageTest {
  static final int GRPC_PORT = 50171;
  static final Pattern RUNNING = Pattern.compile("· (\\d+)/400 calls · (\\d+\\.\\d) s left ·");

  @Test
  void anOpenLoopShowsItsCallsOutOfNAndItsTimeLeftThenItsEnd(Vertx vertx) throws Exception {
    TestClusters.Cluster cluster = TestClusters.start(vertx, GRPC_PORT, "--delay-ms", "30", "--replicas", "2");
    LocalMode local = cluster.local();
    Http http = cluster.http();
    try (Browser browser = Browser.open(1400, 900)) {
      ChromeDriver driver = browser.driver();
      driver.get("http://127.0.0.1:" + local.client().port() + "/");
      LabPageTest.waitFor(() -> LabPageTest.readyPods(driver, 2), "2 ready pods", 10_000);

      Future<Http.Answer> run = http.sendAsync(HttpMethod.GET, local.client().port(),
          "/experiment/client?type=ClientWithKubeResolver&rate=200&duration_s=2");
      List<int[]> seen = new ArrayList<>(); // calls done, tenths of a second left, as the page showed them
      LabPageTest.waitFor(() -> {
        Matcher m = RUNNING.matcher(progress(driver));
        if (m.find() && (seen.isEmpty() || seen.get(seen.size() - 1)[0] != Integer.parseInt(m.group(1)))) {
          seen.add(new int[] {Integer.parseInt(m.group(1)), Math.round(Float.parseFloat(m.group(2)) * 10)});
        }
        return seen.size() >= 2 ? true : null;
      }, "two updates of the running loop's progress; last shown: " + progress(driver), 5_000);
      int[] first = seen.get(0);
      int[] second = seen.get(1);
      assertTrue(second[0] > first[0] && second[1] < first[1], "calls count up and the time left down: "
          + first[0] + " calls, " + first[1] / 10.0 + " s left, then " + second[0] + ", " + second[1] / 10.0);
      assertTrue(first[1] <= 20, "no more than the loop's 2 s left: " + first[1] / 10.0);
      String bar = driver.findElement(By.id("run-bar")).getAttribute("value");
      assertTrue(Double.parseDouble(bar) > 0 && Double.parseDouble(bar) < 1, "the bar part-filled: " + bar);
      browser.screenshot(Path.of("target", "lab-page-progress.png"));

      assertEquals(400, run.await(20, TimeUnit.SECONDS).body().getInteger("ok"));
      String ended = LabPageTest.waitFor(() -> progress(driver).contains("ended after") ? progress(driver) : null,
          "the run shown ended", 5_000);
      assertTrue(ended.contains("· 400/400 calls · ended after ") && ended.contains(" · 400 ok · 0 failed"), ended);
      assertEquals("1", driver.findElement(By.id("run-bar")).getAttribute("value"));
    } finally {
      cluster.close();
    }
  }

  private static String progress(ChromeDriver driver) {
    return driver.findElement(By.id("progress")).getText();
  }
}
