package lab.grpclb.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import lab.grpclb.Browser;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.Flags;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.mode.client.ClientMode;
import lab.grpclb.local.TestClusters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The lab page in a real headless Chromium against an in-process {@code --mode local} (pods sharing gRPC port
 * 50131, which no other test uses), and against a bare {@code --mode client} with no cluster behind it.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LabPageTest {
  static final int GRPC_PORT = 50131;
  static final int DELAY_MS = 20;
  static final String KUBE = "ClientWithKubeResolver";
  /** The bare client's --max-n: below the write-up's default n=1000, so its GET / is refused, not run. */
  static final int BARE_MAX_N = 10;

  TestClusters.Cluster lab;
  ClientMode bareClient;
  HttpClient http;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    lab = TestClusters.start(vertx, GRPC_PORT, "--delay-ms", String.valueOf(DELAY_MS));
    ClientConfig bare = ClientConfig.from(Flags.parse(new String[] {"--http-host", "127.0.0.1", "--http-port", "0",
        "--target", LocalConfig.SERVICE_IP + ":" + GRPC_PORT, "--max-n", String.valueOf(BARE_MAX_N)}, Map.of()));
    bareClient = new ClientMode(vertx, bare).start().await(10, TimeUnit.SECONDS);
    http = vertx.createHttpClient();
  }

  @AfterAll
  void stop() throws Exception {
    bareClient.close().await(10, TimeUnit.SECONDS);
    lab.close();
  }

  /** Every test starts from 3 healthy pods at the usual delay, all routed to by ClientWithKubeResolver. */
  @BeforeEach
  void threeHealthyPods() throws Exception {
    assertEquals(200, send(HttpMethod.POST, "/cluster/scale?replicas=3").status());
    Set<String> ready = new java.util.TreeSet<>();
    for (Object pod : send(HttpMethod.GET, "/cluster").json().getJsonArray("pods")) {
      JsonObject p = (JsonObject) pod;
      if (p.getBoolean("ready") && !p.getBoolean("crashed")) {
        ready.add(p.getString("ip"));
        assertEquals(200, send(HttpMethod.POST, "/cluster/pods/" + p.getString("name") + "/errors?rate=0").status());
        assertEquals(200, send(HttpMethod.POST, "/cluster/pods/" + p.getString("name") + "/delay?ms=" + DELAY_MS).status());
      }
    }
    waitFor(() -> {
      try {
        Set<String> routed = new java.util.TreeSet<>();
        send(HttpMethod.GET, "/status").json().getJsonObject("kubernetes").getJsonArray("endpoints").stream()
            .map(JsonObject.class::cast).filter(e -> e.getBoolean("routable")).forEach(e -> routed.add(e.getString("ip")));
        return routed.equals(ready) ? true : null;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "ClientWithKubeResolver routing to the pods " + ready, 5_000);
  }

  PageAnswer send(HttpMethod method, String uri) throws Exception {
    return http.request(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(lab.port())
            .setURI(uri))
        .compose(req -> req.send().compose(resp -> resp.body().map(Buffer::toString)
            .map(body -> new PageAnswer(resp.statusCode(), resp.getHeader("content-type"), body))))
        .await(30, TimeUnit.SECONDS);
  }

  record PageAnswer(int status, String contentType, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  PageAnswer get(String uri, String accept) throws Exception {
    return get(lab.port(), uri, accept);
  }

  PageAnswer get(int port, String uri, String accept) throws Exception {
    return http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(uri)
            .putHeader("Accept", accept))
        .compose(req -> req.send().compose(resp -> resp.body().map(Buffer::toString)
            .map(body -> new PageAnswer(resp.statusCode(), resp.getHeader("content-type"), body))))
        .await(60, TimeUnit.SECONDS);
  }

  @Test
  void aBrowserGetsThePageWhileCurlAndAnyQueryGetTheExperiment() throws Exception {
    PageAnswer page = get("/", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
    assertEquals(200, page.status());
    assertTrue(page.contentType().startsWith("text/html"), page.contentType());
    assertTrue(page.body().contains("<title>grpc-lb-lab</title>"), page.body());

    // curl's GET / is the write-up's experiment: Client n=1000, which the bare client's --max-n refuses (lean)
    PageAnswer curl = get(bareClient.port(), "/", "*/*");
    assertEquals(400, curl.status(), curl.body());
    assertTrue(curl.json().getString("error").contains("--max-n"), curl.body());
    PageAnswer curlRun = get(bareClient.port(), "/?n=5", "*/*");
    assertEquals(200, curlRun.status(), curlRun.body());
    assertEquals("Client", curlRun.json().getString("type"));
    assertEquals(5, curlRun.json().getInteger("ok"), curlRun.body());

    PageAnswer asked = get("/?type=ClientWithReuseConn&n=6", "text/html");
    assertEquals(200, asked.status(), asked.body());
    assertEquals(6, asked.json().getInteger("ok"), asked.body());

    PageAnswer script = get("/lab/lab.js", "*/*");
    assertTrue(script.contentType().startsWith("text/javascript") && script.body().contains("EventSource"));
    PageAnswer missing = get("/lab/nope.js", "*/*");
    assertEquals(404, missing.status());
    assertTrue(missing.json().getString("error").contains("lab.js"), missing.body());
  }

  /** Without a browser: the stream's progress adds up to the run's own answer, and its state shows the pods. */
  @Test
  void theEventStreamPushesStateAndTheRunsProgress() throws Exception {
    List<JsonObject> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<JsonObject> states = new java.util.concurrent.CopyOnWriteArrayList<>();
    StringBuilder pending = new StringBuilder();
    io.vertx.core.Handler<Buffer> events = chunk -> { // events end with a blank line; chunks may split them anywhere
      pending.append(chunk.toString());
      for (int end; (end = pending.indexOf("\n\n")) >= 0; pending.delete(0, end + 2)) {
        String event = pending.substring(0, end);
        if (event.startsWith("event: ")) {
          String name = event.substring(7, event.indexOf('\n'));
          JsonObject data = new JsonObject(event.substring(event.indexOf("data: ") + 6));
          (name.equals("state") ? states : progress).add(data);
        }
      }
    };
    // the handler is set as the head arrives, on its event loop: set later from this thread, it would miss chunks
    io.vertx.core.http.HttpClientResponse stream = http.request(HttpMethod.GET, lab.port(), "127.0.0.1", "/events")
        .compose(req -> req.send().map(resp -> resp.handler(events))).await(10, TimeUnit.SECONDS);
    assertEquals("text/event-stream", stream.getHeader("content-type"));
    try {
      waitFor(() -> states.isEmpty() ? null : true, "a state within 2 s", 2_000);
      JsonObject state = states.get(0);
      assertEquals("local", state.getString("mode"));
      assertEquals(3, state.getJsonObject("cluster").getJsonArray("pods").size(), state.encode());
      assertTrue(state.getJsonObject("status").getJsonObject("types").containsKey(KUBE), state.encode());

      JsonObject report = get("/experiment/client?type=" + KUBE + "&rate=200&duration_s=2", "*/*").json();
      JsonObject last = waitFor(() -> progress.stream().filter(p -> p.getBoolean("ended")
          && p.getString("type").equals(KUBE) && p.getInteger("n") == 400).findFirst().orElse(null), "the final progress", 5_000);
      long run = last.getLong("run");
      assertEquals(report.getInteger("ok"), last.getInteger("ok"), last.encode());
      JsonObject perIp = last.getJsonObject("per_ip");
      report.getJsonObject("count_per_ip").forEach(e ->
          assertEquals(e.getValue(), perIp.getJsonObject(e.getKey()).getInteger("ok"), e.getKey() + ": " + last.encode()));
      List<JsonObject> seconds = progress.stream().filter(p -> p.getLong("run") == run)
          .flatMap(p -> p.getJsonArray("seconds").stream().map(JsonObject.class::cast)).toList();
      assertEquals(seconds.size(), seconds.stream().map(s -> s.getInteger("second")).distinct().count(),
          "each second sent once: " + seconds);
      assertEquals(report.getInteger("ok") + report.getInteger("failed"),
          seconds.stream().mapToInt(s -> s.getInteger("completed")).sum(), "every call in one second: " + seconds);
      assertTrue(progress.stream().anyMatch(p -> p.getLong("run") == run && !p.getBoolean("ended")),
          "progress while it ran, not only at the end");
    } finally {
      stream.request().connection().close();
    }
  }

  /** The page as a reader uses it: runs, kills a pod, rolls out, deletes a slow pod under load, fails one. */
  @Test
  void thePageRunsExperimentsAndDrivesTheCluster() throws Exception {
    try (Browser browser = Browser.open(1400, 1250)) {
      try {
        drive(browser);
      } catch (AssertionError | RuntimeException e) {
        browser.screenshot(Path.of("target", "lab-page-failure.png")); // what the page showed when it failed
        throw e;
      }
    }
  }

  private void drive(Browser browser) throws Exception {
    ChromeDriver driver = browser.driver();
    driver.get("http://127.0.0.1:" + lab.port() + "/");
    List<Map<String, Object>> pods = waitFor(() -> readyPods(driver, 3), "3 ready pods on the page", 10_000);
    waitFor(() -> endpointRows(driver) == 3 ? true : null, "3 endpoints as the balancer sees them", 10_000);
    burstCountsMatchTheAnswer(driver, pods);
    killOne(driver, (String) pods.get(0).get("name"));
    rollOut(driver);
    deleteASlowPodUnderLoad(driver, (String) readyPods(driver, 3).get(0).get("name"));
    String failing = (String) readyPods(driver, 3).get(1).get("name");
    type(driver.findElement(By.id("error-rate")), "0.5");
    click(driver, failing, "errors");
    waitFor(() -> "50 % UNAVAILABLE".equals(cell(driver, failing, "error-rate")) ? true : null, failing + " failing", 5_000);
    scaledFromElsewhere(driver);
    Path shot = browser.screenshot(Path.of("target", "lab-page.png"));
    assertTrue(Files.size(shot) > 10_000, "a screenshot with content: " + shot);
  }

  /**
   * A scale from outside the page (curl) shows in its replicas box, and the endpoints list in address order:
   * 127.0.0.9 before 127.0.0.10, which sorted as text came first.
   */
  private void scaledFromElsewhere(ChromeDriver driver) throws Exception {
    assertEquals(200, send(HttpMethod.POST, "/cluster/scale?replicas=10").status());
    waitFor(() -> "10".equals(driver.findElement(By.id("replicas")).getAttribute("value")) ? true : null,
        "the replicas box showing 10", 5_000);
    waitFor(() -> endpointRows(driver) >= 10 ? true : null, "the 10 pods' endpoints", 10_000);
    List<Long> shown = driver.findElements(By.cssSelector("#endpoints tbody td.endpoint")).stream()
        .map(td -> Long.parseLong(td.getText().replaceFirst("^127\\.0\\.0\\.(\\d+):.*", "$1"))).toList();
    assertTrue(shown.stream().anyMatch(octet -> octet < 10) && shown.stream().anyMatch(octet -> octet >= 10),
        "both one- and two-digit addresses, so the order is tested: " + shown);
    assertEquals(shown.stream().sorted().toList(), shown, "endpoints in address order");
  }

  /** A burst run from the page: the per-pod column, pushed by the event stream, equals the answer's count_per_ip. */
  private void burstCountsMatchTheAnswer(ChromeDriver driver, List<Map<String, Object>> pods) throws Exception {
    JsonObject report = runFromThePage(driver, () -> type(driver.findElement(By.id("n")), "300"));
    assertEquals(300, report.getInteger("ok"), report.encode());
    assertNull(report.getString("lb"), "no picker chosen, none sent: " + report.encode());
    JsonObject countPerIp = report.getJsonObject("count_per_ip");
    waitFor(() -> thisRun(driver).equals(counts(countPerIp, pods)) ? true : null,
        "per-pod counts on the page equal to count_per_ip " + countPerIp, 5_000);
    waitFor(() -> driver.findElements(By.cssSelector("#chart-pods polyline")).size() == countPerIp.size() ? true : null,
        "a line per pod in the calls-per-second chart", 5_000);
  }

  /** The pod crashes (its endpoint still ready for 1 s), then the Deployment replaces it. */
  private static void killOne(ChromeDriver driver, String killed) throws Exception {
    click(driver, killed, "kill");
    waitFor(() -> "crashed".equals(state(driver, killed)) ? true : null, killed + " shown crashed", 5_000);
    waitFor(() -> state(driver, killed) == null && readyPods(driver, 3) != null ? true : null,
        killed + " gone and a replacement ready", 10_000);
  }

  /** Every pod replaced, while the button says the rollout is under way. */
  private static void rollOut(ChromeDriver driver) throws Exception {
    Set<String> before = readyPods(driver, 3).stream().map(p -> (String) p.get("name")).collect(Collectors.toSet());
    driver.findElement(By.id("rollout")).click();
    waitFor(() -> driver.findElement(By.id("rollout")).getText().equals("rolling out…") ? true : null,
        "the rollout shown under way", 5_000);
    waitFor(() -> {
      List<Map<String, Object>> ready = readyPods(driver, 3);
      return ready != null && ready.stream().noneMatch(p -> before.contains(p.get("name")))
          && driver.findElement(By.id("rollout")).isEnabled() ? true : null;
    }, "3 new pods once the rollout is done", 20_000);
    String message = driver.findElement(By.id("message")).getText();
    assertTrue(message.startsWith("roll out: done"), message);
  }

  /** A pod slowed to 1 s, deleted during an open loop: it shows terminating, drains, and no call fails. */
  private static void deleteASlowPodUnderLoad(ChromeDriver driver, String deleted) throws Exception {
    type(driver.findElement(By.id("delay-ms")), "1000");
    click(driver, deleted, "slow");
    waitFor(() -> "1000 ms".equals(cell(driver, deleted, "delay")) ? true : null, deleted + " slowed", 5_000);
    driver.findElement(By.cssSelector("input[name=shape][value=open]")).click();
    type(driver.findElement(By.id("rate")), "50");
    type(driver.findElement(By.id("duration_s")), "3");
    driver.findElement(By.cssSelector("#lb option[value=least_request]")).click();
    driver.findElement(By.id("run")).click();
    waitFor(() -> Integer.parseInt(cell(driver, deleted, "in-flight")) > 0 ? true : null, deleted + " holding calls", 5_000);
    click(driver, deleted, "delete");
    waitFor(() -> "terminating".equals(state(driver, deleted)) ? true : null, deleted + " terminating", 5_000);
    waitFor(() -> readyPods(driver, 3), "3 ready pods beside the terminating one", 10_000);
    JsonObject open = waitFor(() -> result(driver), "the open loop's answer", 20_000);
    assertEquals(150, open.getInteger("ok") + open.getInteger("failed"), open.encode());
    assertEquals(0, open.getInteger("failed"), "a deleted pod drains its calls: " + open.encode());
    assertEquals("least_request", open.getString("lb"), open.encode());
    waitFor(() -> driver.findElement(By.id("progress")).getText().contains("· 150/150 calls · ended after ")
        ? true : null,
        "the run's final progress pushed", 5_000);
    assertEquals(2, driver.findElements(By.cssSelector("#chart-latency polyline")).size(), "p50 and p99 lines");
    assertTrue(driver.findElements(By.cssSelector("#chart-latency circle")).size() >= 2 * 3, "3 seconds or more");
  }

  @Test
  void inARealClusterTheControlsAreGreyedOutWithTheKubectlCommands() throws Exception {
    try (Browser browser = Browser.open(1400, 900)) {
      ChromeDriver driver = browser.driver();
      driver.get("http://127.0.0.1:" + bareClient.port() + "/");
      waitFor(() -> driver.findElement(By.id("mode")).getText().equals("client in a real cluster") ? true : null,
          "the client mode shown", 10_000);
      assertFalse(driver.findElement(By.id("scale")).isEnabled());
      assertFalse(driver.findElement(By.id("rollout")).isEnabled());
      String hint = driver.findElement(By.id("kubectl-hint")).getText();
      assertTrue(hint.contains("kubectl scale deployment/greeter-server --replicas=N"), hint);
      assertTrue(hint.contains("kubectl delete pod NAME"), hint);
      WebElement kube = driver.findElement(By.cssSelector("#type option[value=" + KUBE + "]"));
      assertFalse(kube.isEnabled(), "no Kubernetes API: ClientWithKubeResolver cannot be picked");
      browser.screenshot(Path.of("target", "lab-page-client-mode.png"));
    }
  }

  /** Chooses ClientWithKubeResolver and a burst, lets {@code form} fill in the rest, runs, and returns the answer. */
  JsonObject runFromThePage(WebDriver driver, Runnable form) throws Exception {
    driver.findElement(By.cssSelector("#type option[value=" + KUBE + "]")).click();
    driver.findElement(By.cssSelector("input[name=shape][value=burst]")).click();
    form.run();
    driver.findElement(By.id("run")).click();
    return waitFor(() -> result(driver), "the run's answer on the page", 20_000);
  }

  /** The answer's JSON the page shows, once the run button is enabled again. */
  static JsonObject result(WebDriver driver) {
    String json = driver.findElement(By.id("result-json")).getAttribute("textContent");
    return driver.findElement(By.id("run")).isEnabled() && json != null && !json.isBlank() ? new JsonObject(json) : null;
  }

  static void type(WebElement input, String value) {
    input.clear();
    input.sendKeys(value);
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> podRows(WebDriver driver) {
    return (List<Map<String, Object>>) ((ChromeDriver) driver).executeScript(
        "return [...document.querySelectorAll('#pods tbody tr')].map(r => ({name: r.dataset.pod, ip: r.dataset.ip,"
            + " state: r.querySelector('.state').textContent, thisRun: r.querySelector('.this-run').textContent}))");
  }

  /** The pods the page shows ready, when there are exactly {@code count}; else null. */
  static List<Map<String, Object>> readyPods(WebDriver driver, int count) {
    List<Map<String, Object>> ready = podRows(driver).stream().filter(p -> "ready".equals(p.get("state"))).toList();
    return ready.size() == count ? ready : null;
  }

  static int endpointRows(WebDriver driver) {
    return driver.findElements(By.cssSelector("#endpoints tbody tr")).size();
  }

  /** Per pod IP, the "this run" column. */
  static Map<String, Integer> thisRun(WebDriver driver) {
    return podRows(driver).stream().filter(p -> !"—".equals(p.get("thisRun")))
        .collect(Collectors.toMap(p -> (String) p.get("ip"), p -> Integer.parseInt((String) p.get("thisRun"))));
  }

  /** count_per_ip over the given pods, 0 for a pod that got none. */
  static Map<String, Integer> counts(JsonObject countPerIp, List<Map<String, Object>> pods) {
    Set<String> ips = pods.stream().map(p -> (String) p.get("ip")).collect(Collectors.toSet());
    assertTrue(ips.containsAll(countPerIp.fieldNames()), countPerIp + " vs " + ips);
    return ips.stream().collect(Collectors.toMap(ip -> ip, ip -> countPerIp.getInteger(ip, 0)));
  }

  static String state(WebDriver driver, String pod) {
    return cell(driver, pod, "state");
  }

  static String cell(WebDriver driver, String pod, String column) {
    List<WebElement> cells = driver.findElements(By.cssSelector("#pods tr[data-pod='" + pod + "'] td." + column));
    return cells.isEmpty() ? null : cells.get(0).getText();
  }

  /** Clicks a pod's button, scrolled to the middle of the window so that the sticky header never covers it. */
  static void click(WebDriver driver, String pod, String action) {
    WebElement button = driver.findElement(By.cssSelector("#pods tr[data-pod='" + pod + "'] button." + action));
    ((ChromeDriver) driver).executeScript("arguments[0].scrollIntoView({block: 'center'})", button);
    button.click();
  }

  /** Polls the page every 50 ms until {@code probe} gives a value (not null, no exception). */
  static <T> T waitFor(Supplier<T> probe, String what, long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        T value = probe.get();
        if (value != null) {
          return value;
        }
      } catch (RuntimeException e) { // a row replaced between two reads: look again
        last = e;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what
        + (last == null ? "" : " (last error: " + last + ")"));
  }
}
