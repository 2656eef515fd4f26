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
import lab.grpclb.config.Flags;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.config.ReportKind;
import lab.grpclb.config.SlowStartConfig;
import lab.grpclb.local.LocalMode;
import lab.grpclb.local.Pod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --report cold-start} end to end against a real local cluster (gRPC port 50851, no other test uses it), at a
 * small scale: pods of 4 calls at once in 40 ms (100 calls/s each) under 180 calls/s, 2 s steady at 3 pods, then 8 s
 * from the scale to 6 whose new pods start 5x slower (20 calls/s against an equal share of 30), warm after 2 s (the
 * pods turn ready over the first second, so a shorter warm-up is over before a share is seen); slow start off, and
 * the steep ramp (aggression 0.5, 1 % floor) over 6 s. Without slow start a new pod's first calls take up to 200 ms
 * and queue; with the ramp it gets a few % of its share while cold. The part of the calls the new pods are sent while cold counts the picker's choices, so it
 * holds on a loaded machine; the p99s held too: a stall hits every pod of the one process alike.
 */
@ExtendWith(VertxExtension.class)
class ColdStartSectionTest {
  static final ReportOptions.ColdStartLoad SMALL = new ReportOptions.ColdStartLoad(180, 2, 8, 40, 4, 2_000, 5,
      List.of(SlowStartConfig.OFF, ReportOptions.ColdStartLoad.steep(6_000)));

  @Test
  void slowStartSparesTheColdPodsTheQueueAndTheSectionPutsTheClusterBack(Vertx vertx, @TempDir Path out)
      throws Exception {
    LocalConfig config = LocalConfig.from(Flags.parse(new String[] {"--delay-ms", "30", "--http-port", "0",
        "--api-port", "0", "--dns-port", "0", "--port", "50851", "--report", "cold-start", "--out", out.toString()},
        Map.of()));
    assertEquals(ReportKind.COLD_START, config.reportKind());
    LocalMode local = new LocalMode(vertx, config).start().await(10, TimeUnit.SECONDS);
    ReportOptions small = new ReportOptions(List.of(100), 100, 100, 60, 300, 20, 50, 1, 200, 1, 300, 2, 50, 500, 4, 1,
        300, 3, Path.of(config.outDir())).withColdStart(SMALL);
    String markdown;
    try {
      markdown = ReportRun.within(120, vertx, local.client().port(), local::startClient, small, config.reportKind());
      assertTheClusterIsAsItWas(local);
    } finally {
      local.close().await(20, TimeUnit.SECONDS);
    }
    Files.writeString(Path.of("target", "cold-start-section.md"), markdown); // what it measured, for the log reader
    String section = markdown.substring(markdown.indexOf("## Cold pods joining"), markdown.indexOf("## Findings"));
    List<String> off = row(section, "round_robin, slow start off");
    List<String> on = row(section, "round_robin, slow start over 6 s, aggression 0.5, minimum weight 1 %");
    for (List<String> row : List.of(off, on)) {
      assertEquals(8, row.size(), row.toString());
      assertTrue(Double.parseDouble(row.get(1)) >= 40, "a steady call takes its 40 ms at least: " + row);
      assertEquals(3, row.get(6).split(", ").length, "one second per new pod: " + row);
      assertTrue(row.get(6).matches("(\\d+|not within the run)(, (\\d+|not within the run)){2}"), row.toString());
    }
    assertTrue(percent(off.get(5)) >= 35, "round_robin sends the new pods their equal half from when they are ready"
        + " (in the first second the scale starts them): " + off);
    assertTrue(percent(on.get(5)) <= 10, "slow start holds the new pods' part back while they are cold (about 1 %,"
        + " by the steep ramp's 1 % floor): " + on);
    assertTrue(highest(on.get(2)) < lowest(off.get(2)), "every new pod's p99 with slow start is below every new"
        + " pod's without it:\n" + section);
    for (String file : List.of("cold-start-off.svg", "cold-start-ramp-6s-a0.5-min1.svg")) {
      assertTrue(Files.readString(out.resolve(file)).startsWith("<svg"), file);
    }
    String findings = markdown.substring(markdown.indexOf("## Findings"));
    assertTrue(findings.matches("(?s).*With slow start over 6 s, aggression 0\\.5, minimum weight 1 %, the worst new"
        + " pod's p99 over its first 8 s was [\\d.]+ ms, [\\d.]+× the steady p99 \\([\\d.]+ ms\\): (target met|target"
        + " not met|not judged: the client sent calls late, see the notes) \\(≤ 1\\.5×\\)\\. The ramp alone predicts"
        + " [\\d.]+ ms in service time \\([\\d.]+× the steady p99\\).*"), findings);
    assertTrue(findings.contains("new pods): lower;"), "the noise rule finds the ranges apart: " + findings);
  }

  /** The template the flags gave, 3 pods as before, each with the flags' delay and unlimited capacity. */
  private static void assertTheClusterIsAsItWas(LocalMode local) {
    assertEquals(local.cluster().startTemplate(), local.cluster().template());
    List<Pod> ready = local.cluster().pods().stream().filter(Pod::ready).toList();
    assertEquals(3, ready.size(), ready.toString());
    for (Pod pod : ready) {
      assertEquals(30, pod.server().greeter().delayMs(), pod.name());
      assertTrue(pod.server().greeter().capacity().unlimited(), pod.name());
    }
  }

  private static double percent(String cell) {
    return Double.parseDouble(cell.replace(" %", ""));
  }

  private static double lowest(String cell) {
    return Double.parseDouble(cell.replaceFirst("–.*", "").replace(" ", ""));
  }

  private static double highest(String cell) {
    return Double.parseDouble(cell.replaceFirst(".*–", "").replace(" ", ""));
  }

  /** The table row of this case, cell by cell (the case's label first). */
  private static List<String> row(String section, String label) {
    String line = section.lines().filter(l -> l.startsWith("| " + label + " |")).findFirst()
        .orElseThrow(() -> new AssertionError("no row for " + label + " in\n" + section));
    return Arrays.stream(line.substring(2, line.length() - 2).split(" \\| ")).map(String::trim).toList();
  }
}
