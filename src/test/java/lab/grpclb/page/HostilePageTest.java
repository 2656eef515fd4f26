package lab.grpclb.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Browser;
import lab.grpclb.config.ApiAccess;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.Flags;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.mode.client.ClientMode;
import lab.grpclb.local.TestClusters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * An attacker's page in a real headless Chromium, against {@code --mode local} (gRPC port 50133, which no other test
 * uses). The page, at http://evil.example:P/ (Chromium resolves evil.example to the attacker's server on
 * 127.0.0.50), tries what a page the user visits could: a cross-origin POST that would scale the cluster, an
 * {@code <img>} that would start an experiment, and a DNS-rebinding read of /status (the attacker's server hands its
 * own origin's requests to the lab, Host header unchanged, as the lab would see them once evil.example resolved to
 * 127.0.0.1). Every attempt reaches the lab and is refused, which its refusal counters prove.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostilePageTest {
  static final int GRPC_PORT = 50133;
  static final String ATTACKER_IP = "127.0.0.50";
  static final String TOKEN = "page-test-token-0123456789abcdef";

  TestClusters.Cluster lab;
  HttpServer attacker;
  HttpClient http;
  HttpClient controlPlane;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    lab = TestClusters.start(vertx, GRPC_PORT, "--delay-ms", "20");
    http = vertx.createHttpClient();
    controlPlane = vertx.createHttpClient(TestClusters.controlPlaneTls(lab.local()));
    attacker = vertx.createHttpServer().requestHandler(this::attack).listen(0, ATTACKER_IP)
        .await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  void stop() throws Exception {
    attacker.close().await(10, TimeUnit.SECONDS);
    lab.close();
  }

  /** The attacker's server: its page at /, and every other request of its origin handed to the lab as it came. */
  private void attack(HttpServerRequest request) {
    if (request.path().equals("/")) {
      request.response().putHeader("content-type", "text/html").end(attackPage(lab.port()));
      return;
    }
    HostAndPort asked = request.authority();
    http.request(new RequestOptions().setMethod(request.method()).setHost("127.0.0.1")
            .setPort(lab.port()).setURI(request.uri()))
        .compose(toLab -> {
          toLab.authority(asked); // what the lab sees once the attacker's name resolves to it
          return toLab.send();
        })
        .compose(answer -> answer.body().map(body -> request.response().setStatusCode(answer.statusCode())
            .end(body)))
        .onFailure(err -> request.response().setStatusCode(502).end(String.valueOf(err)));
  }

  static String attackPage(int labPort) {
    return """
        <!doctype html><title>cute cats</title><pre id="out">working</pre><script>
        const lab = 'http://127.0.0.1:LAB';
        async function attack() {
          const out = {};
          try {
            const r = await fetch(lab + '/cluster/scale?replicas=1', { method: 'POST', mode: 'no-cors' });
            out.scale = r.type;
          } catch (e) { out.scale = 'failed: ' + e; }
          await new Promise(done => { const img = new Image(); img.onload = img.onerror = done;
            img.src = lab + '/experiment/client?type=Client&n=7'; });
          out.img = 'sent';
          const rebound = await fetch('/status');
          out.rebound = rebound.status + ' ' + (await rebound.text());
          document.getElementById('out').textContent = JSON.stringify(out);
          document.title = 'done';
        }
        attack();
        </script>""".replace("LAB", String.valueOf(labPort));
  }

  JsonObject labGet(String uri) throws Exception {
    return http.request(HttpMethod.GET, lab.port(), "127.0.0.1", uri)
        .compose(req -> req.send().compose(resp -> resp.body().map(Buffer::toJsonObject)))
        .await(10, TimeUnit.SECONDS);
  }

  double refused(String reason) throws Exception {
    String metrics = http.request(HttpMethod.GET, lab.port(), "127.0.0.1", "/metrics")
        .compose(req -> req.send().compose(resp -> resp.body().map(Buffer::toString))).await(10, TimeUnit.SECONDS);
    return metrics.lines().filter(l -> l.startsWith("grpclb_api_refused_total{reason=\"" + reason + "\"}"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  long callsServed() throws Exception {
    return labGet("/cluster").getJsonArray("pods").stream().map(JsonObject.class::cast)
        .mapToLong(p -> p.getLong("calls")).sum();
  }

  /** Polls the page every 100 ms for up to 20 s. */
  static void until(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("timed out waiting until " + what);
  }

  @Test
  void anAttackersPageCanNeitherDriveNorReadTheLab() throws Exception {
    double originBefore = refused("origin");
    double hostBefore = refused("host");
    long servedBefore = callsServed();
    String page = "http://evil.example:" + attacker.actualPort() + "/";
    try (Browser browser = Browser.open(1000, 700, "--host-resolver-rules=MAP evil.example " + ATTACKER_IP)) {
      WebDriver driver = browser.driver();
      driver.get(page);
      until(() -> "done".equals(driver.getTitle()), "the attack page finished");
      JsonObject out = new JsonObject(driver.findElement(By.id("out")).getText());
      assertTrue(out.getString("rebound").startsWith("421 "), out.encode());
      assertTrue(out.getString("rebound").contains("Host 'evil.example' is not a name this lab answers to"), out.encode());
      assertTrue(!out.getString("rebound").contains("endpointslice_watch"), "no /status leaked: " + out.encode());
    }
    assertEquals(3, labGet("/cluster").getInteger("replicas"), "the cross-origin POST did not scale the cluster");
    assertEquals(servedBefore, callsServed(), "the <img> started no experiment");
    assertEquals(originBefore + 2, refused("origin"), "the lab refused the POST and the <img> itself");
    assertTrue(refused("host") >= hostBefore + 1, "and the rebound read (and the page's favicon.ico)");
  }

  @Test
  void theControlPlaneAnswersKubectlButNotAReboundPage() throws Exception {
    int port = lab.local().controlPlane().port();
    String pods = "/api/v1/namespaces/default/pods";
    int[] statuses = new int[3];
    int i = 0;
    for (HostAndPort host : new HostAndPort[] {null, HostAndPort.create("evil.example", port),
        HostAndPort.create("127.0.0.1", port)}) {
      statuses[i++] = controlPlane.request(HttpMethod.GET, port, "127.0.0.1", pods).compose(req -> {
        if (host != null) {
          req.authority(host);
        }
        if (host != null && host.host().equals("127.0.0.1")) {
          req.putHeader("Origin", "http://evil.example");
        }
        return req.send();
      }).map(resp -> resp.statusCode()).await(10, TimeUnit.SECONDS);
    }
    assertEquals(200, statuses[0], "kubectl's anonymous read");
    assertEquals(421, statuses[1], "a page that rebound evil.example to 127.0.0.1");
    assertEquals(403, statuses[2], "another site's page");
  }

  @Test
  void withATokenTheLabsOwnPageAsksForItOnceAndThenWorks(Vertx vertx) throws Exception {
    // the same cluster behind a second client, locked with a token: the page holds it for the tab's session
    ClientMode locked = new ClientMode(vertx, ClientConfig.from(Flags.parse(new String[] {"--http-host", "127.0.0.1", "--http-port", "0",
            "--target", LocalConfig.SERVICE_IP + ":" + GRPC_PORT}, Map.of())))
        .withAccess(new ApiAccess(TOKEN, List.of())).start().await(10, TimeUnit.SECONDS);
    try (Browser browser = Browser.open(1200, 900)) {
      WebDriver driver = browser.driver();
      driver.get("http://127.0.0.1:" + locked.port() + "/");
      until(() -> driver.findElement(By.id("token-form")).isDisplayed(), "the page asks for the token");
      driver.findElement(By.id("token")).sendKeys(TOKEN);
      driver.findElement(By.cssSelector("#token-form button")).click();
      until(() -> "live".equals(driver.findElement(By.id("live")).getText()), "the page is live with the token");
      assertTrue(!driver.findElement(By.id("token-form")).isDisplayed());
      // a run the page did not start shows, and its stop button ends it
      Future<JsonObject> running = http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
              .setPort(locked.port()).setURI("/experiment/client?type=ClientWithReuseConn&rate=20&duration_s=60")
              .putHeader("Authorization", "Bearer " + TOKEN))
          .compose(req -> req.send().compose(resp -> resp.body().map(Buffer::toJsonObject)));
      until(() -> driver.findElement(By.id("stop")).isEnabled(), "the stop button is enabled during the run");
      driver.findElement(By.id("stop")).click();
      JsonObject report = running.await(10, TimeUnit.SECONDS);
      assertEquals(true, report.getBoolean("interrupted"), report.encode());
      until(() -> driver.findElement(By.id("message")).getText().contains("stop the running experiment: done"),
          "the page says the stop is done");
    } finally {
      locked.close().await(10, TimeUnit.SECONDS);
    }
  }
}
