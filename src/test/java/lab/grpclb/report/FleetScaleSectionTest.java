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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --report fleet-scale} end to end against a real local cluster (gRPC port 50871, no other test uses it), at a
 * small scale: 4 clients while 2 pods scale to 3, 1 s into a 4 s open loop of 300 calls/s, for ClientWithReuseConn
 * and round_robin, max age off and 1 s. What follows from the way of connecting alone is asserted exactly (one
 * connection per client, or one per client and pod, and a shared connection that never moves without a max age);
 * what depends on kube-proxy's draws or the machine's speed only by its bounds.
 */
@ExtendWith(VertxExtension.class)
class FleetScaleSectionTest {
  static final ReportOptions.FleetScaleLoad SMALL = new ReportOptions.FleetScaleLoad(4, 2, 3, 300, 1, 4, 1, 2, 1000,
      List.of(Fleet.REUSE.label(), "round_robin"));

  @Test
  void theNewPodsGetNothingFromASharedConnectionUntilItReconnectsAndEveryConnectionFromRoundRobin(Vertx vertx,
      @TempDir Path out) throws Exception {
    LocalConfig config = LocalConfig.from(Flags.parse(new String[] {"--delay-ms", "20", "--http-port", "0",
        "--api-port", "0", "--dns-port", "0", "--port", "50871", "--report", "fleet-scale", "--out", out.toString()},
        Map.of()));
    assertEquals(ReportKind.FLEET_SCALE, config.reportKind());
    LocalMode local = new LocalMode(vertx, config).start().await(10, TimeUnit.SECONDS);
    ReportOptions small = new ReportOptions(List.of(100), 100, 100, 60, 300, 20, 50, 1, 200, 1, 300, 2, 50, 500, 4, 1,
        300, 3, Path.of(config.outDir())).withFleetScale(SMALL);
    String markdown;
    try {
      markdown = ReportRun.within(90, vertx, local.client().port(), small, config.reportKind());
      assertEquals(3, local.cluster().pods().stream().filter(pod -> pod.ready()).count(), "the replicas found");
    } finally {
      local.close().await(20, TimeUnit.SECONDS);
    }
    Files.writeString(Path.of("target", "fleet-scale-section.md"), markdown); // what it measured, for the log reader
    String section = markdown.substring(markdown.indexOf("## Scaling the pods under a fleet"),
        markdown.indexOf("## Findings"));
    List<String> shared = row(section, Fleet.REUSE.label(), "off");
    assertEquals(List.of("4 → 4", "0", "0"), shared.subList(2, 5), "one connection per client, none moved: " + shared);
    assertEquals("0 %", shared.get(7), "the new pod got nothing from a connection that stayed: " + shared);
    List<String> mesh = row(section, "round_robin", "off");
    assertEquals(List.of("8 → 12", "0", "4"), mesh.subList(2, 5), "every client to every pod: " + mesh);
    assertTrue(mesh.get(7).matches("[1-9]\\d* %"), "the new pod served its share: " + mesh);
    for (String label : List.of(Fleet.REUSE.label(), "round_robin")) {
      for (String age : List.of("off", "1000 ms")) {
        assertEquals("0", row(section, label, age).get(8), "no call failed: " + row(section, label, age));
      }
    }
    List<String> aged = row(section, Fleet.REUSE.label(), "1000 ms");
    assertTrue(aged.get(2).matches("[0-4] → [0-4]"), "a connection per client, open or being replaced: " + aged);
    assertTrue(Files.readString(out.resolve("fleet-scale.svg")).startsWith("<svg"));
    assertTrue(markdown.contains(Fleet.REUSE.label() + ", max age off: 0 connections moved off the old pods and 0 were"
        + " on the new ones; the new pods served 0 % at the end (fair: 33 %)"), markdown);
  }

  /** The table row of that client and max age, cell by cell. */
  private static List<String> row(String section, String label, String age) {
    String line = section.lines().filter(l -> l.startsWith("| " + label + " | " + age + " |")).findFirst()
        .orElseThrow(() -> new AssertionError("no row for " + label + ", " + age + " in\n" + section));
    return Arrays.stream(line.substring(2, line.length() - 2).split(" \\| ")).map(String::trim).toList();
  }
}
