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
import lab.grpclb.local.LocalMode;
import lab.grpclb.local.Pod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --report fleet} end to end against a real local cluster (gRPC port 50861, no other test uses it), at a small
 * scale: 4 pods of 2 calls at once in 20 ms (100 calls/s each) at 50 %, 1 s runs, twice, for 1 and 4 clients. The
 * connection counts follow from each kind of client alone (one per client, one per client and pod, three per
 * client), so they hold on a loaded machine; the load's evenness is random, and only its bounds are asserted.
 */
@ExtendWith(VertxExtension.class)
class FleetSectionTest {
  static final ReportOptions.FleetLoad SMALL = new ReportOptions.FleetLoad(4, List.of(1, 4), 2, 20, 50, 1, 2);

  @Test
  void eachKindOfClientOpensItsConnectionsAndTheSectionPutsTheClusterBack(Vertx vertx, @TempDir Path out)
      throws Exception {
    LocalConfig config = LocalConfig.from(Flags.parse(new String[] {"--delay-ms", "20", "--http-port", "0",
        "--api-port", "0", "--dns-port", "0", "--port", "50861", "--report", "fleet", "--out", out.toString()},
        Map.of()));
    assertEquals(ReportKind.FLEET, config.reportKind());
    LocalMode local = new LocalMode(vertx, config).start().await(10, TimeUnit.SECONDS);
    ReportOptions small = new ReportOptions(List.of(100), 100, 100, 60, 300, 20, 50, 1, 200, 1, 300, 2, 50, 500, 4, 1,
        300, 3, Path.of(config.outDir())).withFleet(SMALL);
    String markdown;
    try {
      markdown = ReportRun.within(90, vertx, local.client().port(), small, config.reportKind());
      List<Pod> ready = local.cluster().pods().stream().filter(Pod::ready).toList();
      assertEquals(3, ready.size(), "the replicas found: " + ready);
      ready.forEach(pod -> assertTrue(pod.server().greeter().capacity().unlimited(), pod.name()));
    } finally {
      local.close().await(20, TimeUnit.SECONDS);
    }
    Files.writeString(Path.of("target", "fleet-section.md"), markdown); // what it measured, for the log reader
    String section = markdown.substring(markdown.indexOf("## A fleet of clients"), markdown.indexOf("## Findings"));
    List<String> alone = row(section, "1", "ClientWithReuseConn");
    assertEquals("4", alone.get(2), "one client's one connection: every call on one pod of 4: " + alone);
    assertEquals("4 (4–4)", alone.get(4), "one ball in 4 bins: " + alone);
    assertEquals("1", alone.get(5), alone.toString());
    assertEquals("4", row(section, "4", "pick_first").get(5), "one connection per client");
    assertEquals("4", row(section, "4", "ClientWithReuseConn").get(5), "one connection per client");
    assertEquals("16", row(section, "4", "round_robin").get(5), "every client to every pod");
    assertEquals("12", row(section, "4", "round_robin, subset_size=3").get(5), "three pods per client");
    String expected = row(section, "4", "ClientWithReuseConn").get(4);
    assertTrue(expected.startsWith(Numbers.figures(Math.round(new BallsIntoBins(4, 4).expectedMaxOverMean() * 100)
        / 100.0) + " ("), expected);
    String subsets = row(section, "4", "round_robin, subset_size=3").get(4);
    SubsetDraws draws = new SubsetDraws(4, 4, 3);
    assertTrue(subsets.startsWith(Numbers.figures(Math.round(draws.expectedMaxOverMean() * 100) / 100.0) + " ("),
        subsets);
    assertTrue(Files.readString(out.resolve("fleet-p99.svg")).startsWith("<svg"));
    String findings = markdown.substring(markdown.indexOf("## Findings"));
    assertTrue(findings.matches("(?s).*ClientWithReuseConn with 4 clients: the busiest pod held [\\d.]+( \\([\\d.]+–"
        + "[\\d.]+\\))?× the mean pod's connections over 2 runs; balls into bins expects [\\d.]+× \\([\\d.]+–[\\d.]+\\):"
        + " (within the noise of it|above it beyond noise|below it beyond noise).*"), findings);
    assertTrue(findings.contains("Good enough (the busiest pod ≤ 1.3× the mean): ClientWithReuseConn measured "),
        findings);
  }

  /** The table row of that fleet size and kind of client, cell by cell. */
  private static List<String> row(String section, String clients, String label) {
    String line = section.lines().filter(l -> l.startsWith("| " + clients + " | " + label + " |")).findFirst()
        .orElseThrow(() -> new AssertionError("no row for " + clients + ", " + label + " in\n" + section));
    return Arrays.stream(line.substring(2, line.length() - 2).split(" \\| ")).map(String::trim).toList();
  }
}
