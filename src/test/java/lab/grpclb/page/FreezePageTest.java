package lab.grpclb.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Browser;
import lab.grpclb.Http;
import lab.grpclb.config.Flags;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.local.LocalMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The page's freeze button in headless Chromium against local mode (gRPC port 50162, no other test uses it): a pod
 * frozen from the page shows frozen and listed ready, then node lost once noticed, and the same button unfreezes it.
 */
@ExtendWith(VertxExtension.class)
class FreezePageTest {
  static final int GRPC_PORT = 50162;

  @Test
  void aPodFrozenFromThePageShowsFrozenThenLostAndTheButtonUnfreezesIt(Vertx vertx) throws Exception {
    LocalConfig config = LocalConfig.from(Flags.parse(new String[] {"--delay-ms", "20", "--http-port", "0",
        "--api-port", "0", "--dns-port", "0", "--port", String.valueOf(GRPC_PORT), "--replicas", "3",
        "--kubeconfig", Files.createTempDirectory("freeze-page").resolve("kubeconfig").toString()}, Map.of()));
    LocalMode local = new LocalMode(vertx, config).start().await(20, TimeUnit.SECONDS);
    Http http = new Http(vertx);
    try (Browser browser = Browser.open(1400, 1000)) {
      ChromeDriver driver = browser.driver();
      driver.get("http://127.0.0.1:" + local.client().port() + "/");
      List<Map<String, Object>> pods = LabPageTest.waitFor(() -> LabPageTest.readyPods(driver, 3), "3 ready pods", 10_000);
      String frozen = (String) pods.get(0).get("name");
      LabPageTest.type(driver.findElement(By.id("noticed-ms")), "2000");
      LabPageTest.click(driver, frozen, "freeze");
      LabPageTest.waitFor(() -> "frozen".equals(LabPageTest.state(driver, frozen)) ? true : null, frozen + " frozen", 5_000);
      assertEquals("unfreeze", button(driver, frozen).getText(), "the same button now unfreezes");
      JsonObject listed = pod(http, local, frozen);
      assertTrue(listed.getBoolean("frozen") && listed.getBoolean("ready"), "frozen and still listed: " + listed);
      assertTrue(listed.getString("frozen_since") != null, listed.encode());
      assertTrue(LabPageTest.state(driver, frozen) != null
          && driver.findElement(By.cssSelector("#pods tr[data-pod='" + frozen + "'] td.state")).getAttribute("title")
              .contains("frozen since"), "the state's tooltip says since when");

      LabPageTest.waitFor(() -> "node lost".equals(LabPageTest.state(driver, frozen)) ? true : null,
          frozen + " lost once noticed (2 s)", 10_000);
      LabPageTest.waitFor(() -> LabPageTest.readyPods(driver, 3), "a replacement ready beside it", 10_000);
      browser.screenshot(Path.of("target", "lab-page-frozen.png"));

      LabPageTest.click(driver, frozen, "freeze");
      LabPageTest.waitFor(() -> "ready".equals(LabPageTest.state(driver, frozen)) ? true : null, frozen + " ready again", 5_000);
      assertEquals("freeze", button(driver, frozen).getText());
      assertTrue(driver.findElement(By.id("message")).getText().startsWith("unfreeze " + frozen + ": done"),
          driver.findElement(By.id("message")).getText());
      assertTrue(!pod(http, local, frozen).getBoolean("frozen"));
    } finally {
      local.close().await(20, TimeUnit.SECONDS);
    }
  }

  private static org.openqa.selenium.WebElement button(ChromeDriver driver, String pod) {
    return driver.findElement(By.cssSelector("#pods tr[data-pod='" + pod + "'] button.freeze"));
  }

  private static JsonObject pod(Http http, LocalMode local, String name) throws Exception {
    return http.send(HttpMethod.GET, local.client().port(), "/cluster").body().getJsonArray("pods").stream()
        .map(JsonObject.class::cast).filter(p -> p.getString("name").equals(name)).findFirst().orElseThrow();
  }
}
