package lab.grpclb.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Browser;
import lab.grpclb.Http;
import lab.grpclb.local.LocalMode;
import lab.grpclb.local.TestClusters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The page's queue and busy columns in headless Chromium against local mode (gRPC port 50602, no other test uses
 * it): one pod started with {@code --capacity 1}, sent six calls at once, shows calls waiting and itself fully busy,
 * then an empty queue once they are served.
 */
@ExtendWith(VertxExtension.class)
class QueuePageTest {
  static final int GRPC_PORT = 50602;

  @Test
  void aPodWithCallsWaitingShowsItsQueueAndHowBusyItIs(Vertx vertx) throws Exception {
    TestClusters.Cluster cluster = TestClusters.start(vertx, GRPC_PORT, "--delay-ms", "600", "--capacity", "1",
        "--replicas", "1");
    LocalMode local = cluster.local();
    Http http = cluster.http();
    try (Browser browser = Browser.open(1400, 900)) {
      ChromeDriver driver = browser.driver();
      driver.get("http://127.0.0.1:" + local.client().port() + "/");
      String pod = (String) LabPageTest.waitFor(() -> LabPageTest.readyPods(driver, 1), "1 ready pod", 10_000)
          .get(0).get("name");
      assertEquals("0", LabPageTest.cell(driver, pod, "queue"));
      assertEquals("0 %", LabPageTest.cell(driver, pod, "busy"));

      Future<Http.Answer> run = http.sendAsync(HttpMethod.GET, local.client().port(),
          "/experiment/client?type=ClientWithReuseConn&n=6");
      LabPageTest.waitFor(() -> Integer.parseInt(LabPageTest.cell(driver, pod, "queue")) > 0 ? true : null,
          pod + " with calls waiting", 5_000);
      assertEquals("100 %", LabPageTest.cell(driver, pod, "busy"), "a pod with calls waiting is fully busy");
      String title = driver.findElement(By.cssSelector("#pods tr[data-pod='" + pod + "'] td.queue")).getAttribute("title");
      assertTrue(title.startsWith("capacity 1, queue unlimited, fixed service time"), title);
      browser.screenshot(Path.of("target", "lab-page-queue.png"));

      assertEquals(6, run.await(20, TimeUnit.SECONDS).body().getInteger("ok"));
      LabPageTest.waitFor(() -> "0".equals(LabPageTest.cell(driver, pod, "queue")) ? true : null,
          "the queue empty once served", 5_000);
    } finally {
      cluster.close();
    }
  }
}
