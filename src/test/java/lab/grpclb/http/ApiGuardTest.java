package lab.grpclb.http;

import lab.grpclb.mode.client.ClientMode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import lab.grpclb.LogLines;
import lab.grpclb.TestLab;
import lab.grpclb.config.ApiAccess;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.ConfigException;
import lab.grpclb.config.Flags;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Who may drive the experiment API: not another site's page (a foreign Origin, or a browser's cross-site fetch
 * metadata), not a request naming a host the lab does not serve (DNS rebinding), and, with --api-token, nobody
 * without the bearer token but probes and scrapers. (The browser's side of it is {@code HostilePageTest}.)
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiGuardTest {
  static final String TOKEN = "s3cret-token-of-32-characters-xx";
  static final UnaryOperator<ClientConfig> LIMITS = c -> c.withMaxN(1_000).withCallTimeoutMs(5_000)
      .withMaxConnections(100).withMaxInFlight(1_000);
  /** On every address, where a page that rebound its name can reach it. */
  static final UnaryOperator<ClientConfig> EVERY_ADDRESS = c -> LIMITS.apply(c).withHttp("0.0.0.0", 0);
  TestLab lab;
  ClientMode loopback;
  ClientMode locked;
  HttpClient http;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    lab = TestLab.direct(vertx).withGreeters("127.0.0.8", 1, 0, 10)
        .withClient(LIMITS).withAccess(new ApiAccess(null, List.of("lab.example"))).start();
    loopback = lab.client();
    locked = lab.startClient(EVERY_ADDRESS, new ApiAccess(TOKEN, List.of()));
    http = vertx.createHttpClient();
  }

  @AfterAll
  void stop() throws Exception {
    lab.close();
  }

  record GuardAnswer(int status, String error, String authenticate, io.vertx.core.MultiMap headers) {
  }

  GuardAnswer send(HttpMethod method, int port, String uri, String host, Map<String, String> headers) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri);
    headers.forEach(options::putHeader);
    return http.request(options).compose(req -> {
      if (host != null) {
        req.authority(HostAndPort.create(host, port));
      }
      // the body is asked for as the head arrives: asked later from this thread, it may be gone (ResponseBodyRaceTest)
      return req.send().compose(resp -> resp.body().map(Buffer::toString).map(body -> new GuardAnswer(resp.statusCode(),
          body.startsWith("{") ? new JsonObject(body).getString("error") : null, resp.getHeader("WWW-Authenticate"),
          resp.headers())));
    }).await(10, TimeUnit.SECONDS);
  }

  GuardAnswer get(int port, String uri, Map<String, String> headers) throws Exception {
    return send(HttpMethod.GET, port, uri, null, headers);
  }

  @Test
  void anotherSitesPageIsRefusedAndTheLabsOwnPageIsNot() throws Exception {
    int port = loopback.port();
    GuardAnswer foreign = send(HttpMethod.POST, port, "/balancer/outlier-ejection?enabled=true", null,
        Map.of("Origin", "http://evil.example"));
    assertEquals(403, foreign.status());
    assertTrue(foreign.error().startsWith("Origin 'http://evil.example' is not this lab's (http://127.0.0.1:" + port
        + ")"), foreign.error());
    assertEquals(403, get(port, "/status", Map.of("Origin", "null")).status(), "a sandboxed page's Origin");
    GuardAnswer image = get(port, "/experiment/client?type=Client&n=5", Map.of("Sec-Fetch-Site", "cross-site",
        "Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "image"));
    assertEquals(403, image.status(), "an <img> GET sends no Origin, but its fetch metadata");
    assertEquals(403, get(port, "/status", Map.of("Sec-Fetch-Site", "same-site")).status(),
        "another port of the same host is another origin");

    assertEquals(200, get(port, "/status", Map.of("Origin", "http://127.0.0.1:" + port,
        "Sec-Fetch-Site", "same-origin")).status());
    GuardAnswer linked = get(port, "/", Map.of("Accept", "text/html", "Sec-Fetch-Site", "cross-site",
        "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document"));
    assertEquals(200, linked.status(), "a link from elsewhere may open the page, which reads nothing");
    assertEquals("DENY", linked.headers().get("X-Frame-Options"), "but no other site may frame it");
    assertEquals("frame-ancestors 'none'", linked.headers().get("Content-Security-Policy"));
    assertEquals(403, get(port, "/", Map.of("Accept", "text/html", "Sec-Fetch-Site", "cross-site",
        "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "iframe")).status(), "a frame is no top-level navigation");
    assertEquals(403, get(port, "/?type=Client&n=5", Map.of("Accept", "text/html", "Sec-Fetch-Site", "cross-site",
        "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document")).status(), "nor may a link start an experiment");
  }

  @Test
  void aNameTheLabDoesNotAnswerToIsRefusedUnlessATokenGuardsIt() throws Exception {
    int port = loopback.port();
    GuardAnswer rebound = send(HttpMethod.GET, port, "/status", "evil.example", Map.of());
    assertEquals(421, rebound.status());
    assertTrue(rebound.error().contains("Host 'evil.example' is not a name this lab answers to")
        && rebound.error().contains("lab.example") && rebound.error().contains("--allowed-hosts"), rebound.error());
    for (String host : new String[] {"localhost", "127.0.0.1", "127.0.0.9", "lab.example", "LAB.example", "10.1.2.3"}) {
      assertEquals(200, send(HttpMethod.GET, port, "/status", host, Map.of()).status(), host);
    }
    // client mode on every address, open: a page that rebound its name (port-forward, NodePort) is refused too
    ClientMode open = lab.startClient(EVERY_ADDRESS, null);
    try {
      GuardAnswer attacker = send(HttpMethod.GET, open.port(), "/status", "attacker.example",
          Map.of("Origin", "http://attacker.example:" + open.port()));
      assertEquals(421, attacker.status(), attacker.error());
      assertEquals(200, send(HttpMethod.GET, open.port(), "/status", "192.168.49.2", Map.of()).status(),
          "a NodePort's address");
    } finally {
      lab.closeClient(open);
    }
    assertEquals(200, send(HttpMethod.GET, locked.port(), "/healthz", "greeter-client.default.svc", Map.of()).status(),
        "with a token any name may reach it: a rebinding page cannot know the token");
  }

  @Test
  void withATokenEveryRouteButProbesScrapesAndThePageNeedsIt() throws Exception {
    int port = locked.port();
    for (String uri : new String[] {"/status", "/experiment/client?type=Client&n=5", "/events", "/experiment"}) {
      GuardAnswer refused = get(port, uri, Map.of());
      assertEquals(401, refused.status(), uri);
      assertEquals("Bearer realm=\"grpc-lb-lab\"", refused.authenticate());
      assertTrue(refused.error().contains("Authorization: Bearer") && refused.error().contains("LAB_API_TOKEN"),
          refused.error());
      assertEquals(401, get(port, uri, Map.of("Authorization", "Bearer wrong-token-of-32-characters-xx")).status());
    }
    assertEquals(401, send(HttpMethod.POST, port, "/balancer/outlier-ejection?enabled=true", null, Map.of()).status());
    assertEquals(200, get(port, "/status", Map.of("Authorization", "Bearer " + TOKEN)).status());
    assertEquals(200, get(port, "/experiment/client?type=ClientWithReuseConn&n=5",
        Map.of("Authorization", "Bearer " + TOKEN)).status());
    assertEquals(200, get(port, "/healthz", Map.of()).status());
    assertEquals(200, get(port, "/metrics", Map.of()).status());
    assertEquals(200, get(port, "/", Map.of("Accept", "text/html")).status(), "the page's file holds no data");
    assertEquals(200, get(port, "/lab/lab.js", Map.of()).status());
    assertEquals(200, get(port, "/status", Map.of("Authorization", "bearer " + TOKEN)).status(),
        "the scheme in any case (RFC 7235)");
    for (String sneaky : new String[] {"/lab/../status", "/lab/%2e%2e/status", "/lab/../experiment?x",
        "/lab/../experiment/client?type=Client&n=5", "/healthz/../status", "/metrics/../events"}) {
      assertEquals(401, get(port, sneaky, Map.of()).status(), sneaky + " is judged as the router routes it");
    }
  }

  @Test
  void anOpenApiOnEveryAddressSaysSoOnceAtStartup() throws Exception {
    try (LogLines log = LogLines.start("lab.grpclb.mode.client")) {
      ClientMode open = lab.startClient(EVERY_ADDRESS, null);
      lab.closeClient(open);
      List<String> warnings = log.lines().stream().filter(l -> l.startsWith("WARNING")).toList();
      assertEquals(List.of("WARNING the experiment API on 0.0.0.0:" + open.port() + " is open: anyone who reaches"
          + " it can start runs, change the balancer and read /status; set --api-token (env LAB_API_TOKEN) to"
          + " require Authorization: Bearer"), warnings);
    }
  }

  @Test
  void aShortTokenOrAHostWithAPortIsAStartupErrorNamingTheFlag() {
    ConfigException shortToken = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
        () -> ApiAccess.from(Flags.parse(new String[0], Map.of("LAB_API_TOKEN", "short"))));
    assertEquals("--api-token (or env LAB_API_TOKEN) must be at least 16 characters, got 5 (openssl rand -hex 16"
        + " makes one)", shortToken.getMessage());
    ConfigException port = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
        () -> ApiAccess.from(Flags.parse(new String[] {"--allowed-hosts", "lab.example:8080"}, Map.of())));
    assertEquals("--allowed-hosts takes host names without port or scheme, got 'lab.example:8080'",
        port.getMessage());
    assertEquals(TOKEN, ApiAccess.from(Flags.parse(new String[] {"--api-token", TOKEN}, Map.of())).token());
  }
}
