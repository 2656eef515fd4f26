package lab.grpclb.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import lab.grpclb.config.Flags;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.config.ReportKind;
import lab.grpclb.local.LocalMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --report capacity} end to end against a real local cluster (gRPC port 50800, 50 ms calls): hot-spot,
 * equal-pods-variance and heterogeneous at a small scale (c = 4, heterogeneous 2:2:4:8, 2 s runs, 2 runs each,
 * weighted_round_robin's blackout cut to 300 ms so its warm-up is short). Timing targets are the findings' business;
 * this checks the tables' shape and the effects that hold at any scale: one connection overloads its pod while the
 * balancer spreads, round robin loads unequal pods as their capacities' ratio and weighted_round_robin far less, and
 * every section leaves the cluster as it found it.
 */
@ExtendWith(VertxExtension.class)
class CapacitySectionsTest {
  static final ReportOptions.CapacityLoads SMALL = new ReportOptions.CapacityLoads(
      new ReportOptions.CapacityLoad(4, 50, 2, 20), new ReportOptions.CapacityLoad(4, 50, 2, 20),
      new ReportOptions.CapacityLoad(2, 50, 2, 20));

  @Test
  void eachSectionMeasuresItsPodsAndLeavesTheClusterAsFound(Vertx vertx, @TempDir Path out) throws Exception {
    LocalConfig config = LocalConfig.from(Flags.parse(new String[] {"--delay-ms", "50", "--http-port", "0",
        "--api-port", "0", "--dns-port", "0", "--port", "50800", "--wrr-blackout-ms", "300", "--wrr-update-ms", "100",
        "--report", "capacity", "--out", out.toString()}, Map.of()));
    assertEquals(ReportKind.CAPACITY, config.reportKind());
    LocalMode local = new LocalMode(vertx, config).start().await(10, TimeUnit.SECONDS);
    ReportOptions small = new ReportOptions(List.of(100), 100, 100, 60, 300, 20, 50, 1, 200, 1, 300, 2, 50, 500, 4, 1,
        300, 3, Path.of(config.outDir())).withCapacity(SMALL);
    String markdown;
    List<PodCapacity> after;
    try {
      markdown = ReportRun.within(300, vertx, local.client().port(), small, config.reportKind());
      LabApi api = new LabApi(vertx, local.client().port(), null);
      after = api.capacities().await(10, TimeUnit.SECONDS);
      api.close();
    } finally {
      local.close().await(20, TimeUnit.SECONDS);
    }
    Files.writeString(Path.of("target", "capacity-sections.md"), markdown); // what it measured, for the log reader
    hotSpot(section(markdown, "## A hot spot", "## Equal pods, random"));
    variance(section(markdown, "## Equal pods, random", "## Pods of unequal"));
    heterogeneous(section(markdown, "## Pods of unequal", "## Findings"));
    String findings = markdown.substring(markdown.indexOf("## Findings"));
    assertTrue(findings.contains("the target (p99 ≥ 5× beyond noise, or failed calls) is"), findings);
    assertTrue(findings.contains("the all-idle p99"), findings);
    assertTrue(findings.contains("least_request's p99 was") && findings.contains("peak_ewma's p99 was"), findings);
    assertTrue(findings.contains("the target (max/min ≤ 1.3) is"), findings);
    for (String chart : List.of("hot-spot-p99.svg", "equal-pods-variance.svg", "heterogeneous-calls-per-pod.svg")) {
      assertTrue(Files.readString(out.resolve(chart)).startsWith("<svg"), chart);
    }
    assertEquals(3, after.size(), "back to the 3 replicas found: " + after);
    for (PodCapacity pod : after) {
      assertEquals(new PodCapacity.Setting(0, null, "fixed", null), pod.setting(), "capacity put back: " + pod);
    }
  }

  /** A row per load and client type; at 80 % one connection's pod refuses calls and its queue is full. */
  private static void hotSpot(String section) {
    for (int percent : HotSpot.LOADS) {
      for (HotSpot.ClientCase c : HotSpot.CASES) {
        assertEquals(c.label(), loadRow(section, percent, c.label()).get(2));
      }
    }
    List<String> reuse = loadRow(section, 80, HotSpot.REUSE.label());
    List<String> kube = loadRow(section, 80, HotSpot.KUBE.label());
    int reuseFailed = Integer.parseInt(reuse.get(6).replaceFirst(" .*", ""));
    int kubeFailed = Integer.parseInt(kube.get(6).replaceFirst(" .*", ""));
    assertTrue(reuse.get(6).contains("RESOURCE_EXHAUSTED"), "one pod at 240 % of its capacity refuses: " + reuse);
    assertTrue(kubeFailed < reuseFailed, "the balancer fails fewer than the one connection: " + kube + " " + reuse);
    int queueLimit = CapacityRuns.QUEUE_PER_SLOT * SMALL.hotSpot().calls();
    assertEquals(queueLimit, longest(reuse.get(7)), "the one pod's queue stays full: " + reuse);
  }

  /** A row per picker with p99 and queues. */
  private static void variance(String section) {
    for (String picker : CapacityRuns.PICKERS) {
      List<String> row = row(section, picker);
      assertEquals(5, row.get(5).split("/").length, "a longest queue per pod: " + row);
      assertTrue(Double.parseDouble(row.get(2).replaceFirst(" .*", "")) >= SMALL.variance().serviceMs(),
          "a p99 of exponential service is above its mean: " + row);
    }
  }

  /** Round robin loads the pods as their capacities' ratio (4); weighted_round_robin far more evenly. */
  private static void heterogeneous(String section) {
    double roundRobin = Double.parseDouble(row(section, "round_robin").get(2));
    double weighted = Double.parseDouble(row(section, CapacityRuns.WRR).get(2));
    assertEquals(4, roundRobin, 0.6, "round robin gives every pod a quarter:\n" + section);
    assertTrue(weighted < roundRobin - 1, "weighted_round_robin spreads by capacity:\n" + section);
  }

  private static String section(String markdown, String from, String to) {
    assertTrue(markdown.contains(from) && markdown.contains(to), from + " and " + to + " in\n" + markdown);
    return markdown.substring(markdown.indexOf(from), markdown.indexOf(to));
  }

  private static int longest(String queues) {
    return Arrays.stream(queues.split("/")).mapToInt(Integer::parseInt).max().orElse(-1);
  }

  /** The table row whose first cell is this, cell by cell. */
  private static List<String> row(String section, String first) {
    return cells(section, l -> l.startsWith("| " + first + " |"), first);
  }

  /** hot-spot's row of this load and client type (the calls/s between them). */
  private static List<String> loadRow(String section, int percent, String client) {
    return cells(section, l -> l.startsWith("| " + percent + " % |") && l.contains("| " + client + " |"),
        percent + " % " + client);
  }

  private static List<String> cells(String section, Predicate<String> which, String what) {
    String line = section.lines().filter(which).findFirst()
        .orElseThrow(() -> new AssertionError("no row for " + what + " in\n" + section));
    return Arrays.stream(line.substring(2, line.length() - 2).split(" \\| ")).map(String::trim).toList();
  }
}
