package lab.grpclb.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import lab.grpclb.TestLab;
import lab.grpclb.config.ClientType;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * docs/metrics.md's PromQL against the real Prometheus (Debian's {@code prometheus}): it scrapes a ClientWithKubeResolver
 * client and three greeter pods (each with its {@code /metrics} port, as in Kubernetes; local mode's pods have none)
 * every second, with the scrape config of {@code deploy/monitoring/prometheus-local.yml}. One run of n calls, a scrape
 * after it, then: the per-pod counter totals equal the run's {@code count_per_ip} exactly, every query of the page runs
 * (no error, data where data exists), the alerts stay empty, and the Grafana dashboard's panels are exactly the
 * page's queries. Without prometheus on the PATH the class is skipped, saying so.
 *
 * <p>Exact numbers come from the counters' totals at an instant after the run's last scrape, not from
 * {@code rate}/{@code increase}: those extrapolate to the window's edges, so over 1 s scrapes they give about, not
 * exactly, the calls made. The rate queries are checked for what a dashboard needs: a positive rate for every pod
 * that answered.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusTest {
  static final int PORT = 50900;
  /** The client's HTTP port (127.0.0.1) and each pod's metrics port (its own IP). */
  static final int METRICS_PORT = 50901;
  static final int DELAY_MS = 20;
  static final int N = 300;
  static final String KUBE = ClientType.KUBE_RESOLVER.wireName();
  static final Path METRICS_DOC = Path.of("docs", "metrics.md");
  static final Path SCRAPE_CONFIG = Path.of("deploy/monitoring/prometheus-local.yml");
  static final Path DASHBOARD = Path.of("deploy/monitoring/grafana-dashboard.json");
  static final Pattern CODE = Pattern.compile("`([^`]+)`");

  TestLab lab;
  final List<HttpServer> podMetrics = new ArrayList<>();
  Path dir;
  PrometheusProcess prometheus;
  JsonObject report;
  /** The client's per-pod call totals as Prometheus held them before the run. */
  Map<String, Double> beforeRun;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    Path binary = PrometheusProcess.binary().orElse(null);
    Assumptions.assumeTrue(binary != null, PrometheusProcess.MISSING);
    long t0 = System.nanoTime();
    try {
      // Prometheus first: it hands its targets to the scraper only on its discovery's 5 s tick, which the lab's
      // start hides. So every target's port is fixed here (the client's and the pods' /metrics, as in Kubernetes).
      List<String> podIps = IntStream.range(0, 3).mapToObj(i -> "127.0.0." + (240 + i)).toList();
      dir = Files.createTempDirectory("prometheus");
      prometheus = PrometheusProcess.start(binary, dir,
          scrapeConfig("127.0.0.1:" + METRICS_PORT, podIps.stream().map(ip -> ip + ":" + METRICS_PORT).toList()));
      long t1 = System.nanoTime();
      lab = TestLab.kube(vertx).withService("10.96.0.240", PORT).withGreeters(podIps.get(0), 3, PORT, DELAY_MS)
          .withClient(config -> config.withHttp("127.0.0.1", METRICS_PORT)).start();
      for (GreeterServer pod : lab.servers()) {
        podMetrics.add(ServerMetrics.serve(vertx, pod, pod.greeter().podIp(), METRICS_PORT).await(5, TimeUnit.SECONDS));
      }
      assertEquals(podIps, lab.servers().stream().map(pod -> pod.greeter().podIp()).toList());
      long t2 = System.nanoTime();
      awaitTwoScrapes(1 + podIps.size());
      long t3 = System.nanoTime();
      beforeRun = byLabel(docsTable("panel").get("calls per pod, so far").get(0), "pod_ip");

      report = lab.http().get(lab.client().port(), "/experiment/client?type=" + KUBE + "&n=" + N).body();
      double endedSeconds = System.currentTimeMillis() / 1000.0;
      assertEquals(N, report.getInteger("ok"), report.encode());
      // A sample's timestamp is its scrape's start: a later one than the run's end holds all its calls.
      long t4 = System.nanoTime();
      poll(() -> minScrapeTime() > endedSeconds, "every target scraped after the run");
      System.out.printf("PrometheusTest: prometheus ready in %d ms, lab up in %d ms, two scrapes %d ms later, run %d ms,"
          + " a scrape after it in %d ms%n", ms(t1 - t0), ms(t2 - t1), ms(t3 - t2), ms(t4 - t3), ms(System.nanoTime() - t4));
    } catch (Exception | AssertionError e) {
      if (prometheus != null) { // @AfterAll still stops it all
        System.err.println("prometheus log:\n" + prometheus.log());
      }
      throw e;
    }
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (prometheus != null) {
        prometheus.close(); // also deletes dir
      } else if (dir != null) {
        PrometheusProcess.deleteTree(dir);
      }
    } finally {
      for (HttpServer metrics : podMetrics) {
        metrics.close().await(5, TimeUnit.SECONDS);
      }
      podMetrics.clear();
      if (lab != null) {
        lab.close();
        lab = null;
      }
      prometheus = null;
    }
  }

  static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  /** deploy/'s scrape config, its client target made the test client's, plus a job for the pods' metrics ports. */
  static String scrapeConfig(String client, List<String> pods) throws Exception {
    YAMLMapper yaml = new YAMLMapper();
    ObjectNode config = (ObjectNode) yaml.readTree(SCRAPE_CONFIG.toFile());
    assertEquals("1s", config.at("/global/scrape_interval").asText());
    ArrayNode jobs = (ArrayNode) config.get("scrape_configs");
    assertEquals(1, jobs.size(), "local mode: the client's /metrics only");
    ((ArrayNode) jobs.get(0).at("/static_configs/0/targets")).removeAll().add(client);
    ObjectNode podJob = jobs.addObject().put("job_name", "greeter-server").put("metrics_path", Metrics.PATH);
    ArrayNode targets = podJob.putArray("static_configs").addObject().putArray("targets");
    pods.forEach(targets::add);
    return yaml.writeValueAsString(config);
  }

  /** Every target up, and each scraped successfully at least twice (rates need two samples). */
  void awaitTwoScrapes(int targets) throws InterruptedException {
    poll(() -> {
      JsonArray up = query("up == 1");
      JsonArray scrapes = query("sum_over_time(up[1m]) >= 2"); // up is 1 per successful scrape
      return up.size() == targets && scrapes.size() == targets;
    }, targets + " targets up and scraped twice");
  }

  /** Asks Prometheus every 100 ms for up to 15 s (a few 1 s scrapes on a busy machine). */
  static void poll(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after 15 s waiting until " + what);
      }
      Thread.sleep(100);
    }
  }

  double minScrapeTime() {
    JsonArray min = query("min(timestamp(up))");
    return min.isEmpty() ? 0 : PrometheusProcess.value(min.getJsonObject(0));
  }

  JsonArray query(String promql) {
    try {
      return prometheus.query(promql);
    } catch (Exception e) {
      throw new AssertionError(promql, e);
    }
  }

  /** {@code label -> value} of a query's samples with {@code type} {@code KUBE} (or no type label). */
  Map<String, Double> byLabel(String promql, String label) {
    Map<String, Double> values = new TreeMap<>();
    for (Object o : query(promql)) {
      JsonObject sample = (JsonObject) o;
      String type = PrometheusProcess.label(sample, "type");
      if (type.isEmpty() || type.equals(KUBE)) {
        values.put(PrometheusProcess.label(sample, label), PrometheusProcess.value(sample));
      }
    }
    return values;
  }

  Map<String, Double> countPerIp() {
    Map<String, Double> counts = new TreeMap<>();
    report.getJsonObject("count_per_ip").forEach(e -> counts.put(e.getKey(), ((Number) e.getValue()).doubleValue()));
    return counts;
  }

  /** docs/metrics.md: the queries of the table whose header starts {@code | header | PromQL |}. */
  static Map<String, List<String>> docsTable(String header) throws Exception {
    String metrics = Files.readString(METRICS_DOC);
    int table = metrics.indexOf("| " + header + " | PromQL |");
    assertTrue(table >= 0, METRICS_DOC + " has a '" + header + "' table");
    Map<String, List<String>> rows = new LinkedHashMap<>();
    List<String> lines = metrics.substring(table).lines().skip(2).takeWhile(l -> l.startsWith("|")).toList();
    for (String line : lines) {
      String[] cells = line.substring(1).split(" \\| ");
      List<String> queries = new ArrayList<>();
      Matcher code = CODE.matcher(cells[1]);
      while (code.find()) {
        queries.add(code.group(1));
      }
      assertFalse(queries.isEmpty(), line);
      rows.put(cells[0].trim(), queries);
    }
    return rows;
  }

  @Test
  void perPodTotalsInPrometheusAreTheRunsCountPerIp() throws Exception {
    Map<String, List<String>> panels = docsTable("panel");
    Map<String, Double> expected = countPerIp();
    assertEquals(3, expected.size(), report.encode());
    assertEquals(expected, byLabel(panels.get("calls per pod, so far").get(0), "pod_ip"), "client's counters");
    assertEquals(expected, byLabel(panels.get("calls each pod served").get(0), "pod_ip"), "the pods' own counts");

    Map<String, Double> zeros = new TreeMap<>();
    expected.keySet().forEach(ip -> zeros.put(ip, 0.0));
    assertEquals(zeros, beforeRun, "each pod's series scraped at 0 before its first call: else rate() and increase() "
        + "start from the first sample and miss every call before it (all of a burst shorter than a scrape interval)");

    Map<String, Double> rates = byLabel(panels.get("calls per pod per second").get(0), "pod_ip");
    assertEquals(expected.keySet(), rates.keySet(), "a rate per pod that answered");
    rates.forEach((ip, rate) -> assertTrue(rate > 0, ip + " answered " + expected.get(ip) + " calls, rate " + rate));

    double p99 = byLabel(panels.get("p99 latency per type").get(0), "type").get(KUBE);
    assertTrue(p99 > 0 && p99 < 30, "p99 of 20 ms calls from the histogram: " + p99);
  }

  @Test
  void everyDocsQueryRunsAndTheAlertsStayQuiet() throws Exception {
    Map<String, List<String>> panels = docsTable("panel");
    // Where this run has no data: only failures, and it had none.
    Set<String> mayBeEmpty = Set.of("failures by status");
    assertEquals(0, report.getInteger("failed"), report.encode());
    List<String> empty = new ArrayList<>();
    panels.forEach((panel, queries) -> queries.forEach(q -> {
      JsonArray result = query(q);
      if (result.isEmpty() && !mayBeEmpty.contains(panel)) {
        empty.add(panel + ": " + q);
      }
      result.forEach(sample -> assertFalse(Double.isNaN(PrometheusProcess.value((JsonObject) sample)), q + ": " + sample));
    }));
    assertEquals(List.of(), empty, "docs/metrics.md queries with no data after a run");

    Map<String, List<String>> alerts = docsTable("alert");
    assertFalse(alerts.isEmpty());
    alerts.forEach((alert, queries) -> queries.forEach(q ->
        assertEquals(new JsonArray(), query(q), alert + " fired in a healthy run: " + q)));
  }

  @Test
  void theDashboardsPanelsAreTheDocsQueries() throws Exception {
    Map<String, List<String>> documented = docsTable("panel");
    JsonNode dashboard = new YAMLMapper().readTree(Files.readString(DASHBOARD)); // JSON is YAML
    Map<String, List<String>> panels = new LinkedHashMap<>();
    for (JsonNode panel : dashboard.path("panels")) {
      List<String> exprs = new ArrayList<>();
      panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
      panels.put(panel.path("title").asText(), exprs);
    }
    assertEquals(documented, panels, "one panel per docs/metrics.md row, titled as the row, its queries in order");
    Set<String> datasources = new TreeSet<>();
    dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> datasources.add(t.path("datasource").path("uid").asText())));
    assertEquals(Set.of("${datasource}"), datasources, "every target reads the dashboard's Prometheus variable");
    Map<String, String> errors = new HashMap<>();
    panels.values().forEach(exprs -> exprs.forEach(e -> {
      try {
        prometheus.query(e);
      } catch (Exception | AssertionError failed) {
        errors.put(e, failed.getMessage());
      }
    }));
    assertEquals(Map.of(), errors, "dashboard queries Prometheus refused");
  }
}
