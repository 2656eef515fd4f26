package lab.grpclb.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lab.grpclb.config.ClientType;
import lab.grpclb.config.Flags;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.config.ReportKind;
import lab.grpclb.local.LocalMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --report silent-pod} end to end against a real local cluster (gRPC port 50164, no other test uses it; 20 ms
 * replies, 1.5 s deadlines, keepalive 300 ms + 300 ms): 100 calls/s for 6 s, a pod frozen 2 s in and listed ready
 * for 2 s. Without keepalive, the balancer sends calls into the frozen pod until its endpoint turns not ready, and
 * each of them waits its whole deadline; with it, the pod is found within keepalive's 600 ms, and its calls in flight
 * are retried elsewhere: none fails.
 */
@ExtendWith(VertxExtension.class)
class SilentPodSectionTest {
  private static final SilentPod.Case ROUND_ROBIN = SilentPod.Case.picker("round_robin");
  /** Four cases of the thirteen: a per-call client, the one connection, the balancer with keepalive and without. */
  static final List<SilentPod.Case> CASES = List.of(SilentPod.Case.of(ClientType.CLIENT),
      SilentPod.Case.of(ClientType.REUSE_CONN), ROUND_ROBIN, ROUND_ROBIN.withoutKeepAlive());
  static final ReportOptions.SilentPodLoad TINY = new ReportOptions.SilentPodLoad(100, 6, 2, 2_000, CASES);

  @Test
  void keepaliveFindsTheFrozenPodWithoutItEachCallThereWaitsItsDeadline(Vertx vertx, @TempDir Path out)
      throws Exception {
    LocalConfig config = LocalConfig.from(Flags.parse(new String[] {"--delay-ms", "20", "--http-port", "0",
        "--api-port", "0", "--dns-port", "0", "--port", "50164", "--call-timeout-ms", "1500",
        "--keepalive-time-ms", "300", "--keepalive-timeout-ms", "300",
        "--report", "silent-pod", "--out", out.toString()}, Map.of()));
    assertEquals(ReportKind.SILENT_POD, config.reportKind());
    LocalMode local = new LocalMode(vertx, config).start().await(10, TimeUnit.SECONDS);
    ReportOptions small = new ReportOptions(List.of(100), 100, 100, 60, 300, 20, 50, 1, 200, 1, 300, 2, 50, 500, 4, 1,
        300, 3, Path.of(config.outDir())).withSilentPod(TINY);
    String markdown;
    try {
      markdown = ReportRun.within(150, vertx, local.client().port(), local::startClient, small, config.reportKind());
    } finally {
      local.close().await(20, TimeUnit.SECONDS);
    }
    assertTrue(markdown.contains("## A silent pod"), markdown);
    String section = markdown.substring(markdown.indexOf("## A silent pod"), markdown.indexOf("## Findings"));
    Files.writeString(Path.of("target", "silent-pod-section.md"), markdown); // what it measured, for the log reader
    for (SilentPod.Case c : CASES) {
      assertTrue(section.contains("| " + c.label() + " |"), c.label() + " has its row\n" + section);
    }

    List<String> rr = row(section, ROUND_ROBIN.withoutKeepAlive().label());
    int failed = Integer.parseInt(rr.get(2).replaceFirst(" .*", ""));
    assertTrue(failed > 0, "without keepalive the client sends calls into the frozen pod: " + rr);
    assertTrue(rr.get(2).contains("DEADLINE_EXCEEDED"), rr.toString());
    assertEquals(String.valueOf(failed), rr.get(7), "every failed call waited its whole deadline: " + rr);
    int untilS = Integer.parseInt(rr.get(6).replace("≤ ", "").replace(" s", ""));
    assertTrue(untilS >= 2 && untilS <= 3, "new calls went there until its endpoint turned not ready (2 s), and not"
        + " long after: " + rr);
    assertTrue(Integer.parseInt(rr.get(5)) > 0, rr.toString());

    List<String> kept = row(section, ROUND_ROBIN.label());
    assertEquals("0", kept.get(2), "with keepalive none failed: " + kept);
    assertTrue(Integer.parseInt(kept.get(5)) > 0, "attempts went into the frozen pod before keepalive found it, and"
        + " count though their calls were answered elsewhere: " + kept);
    assertTrue(kept.get(6).equals("≤ 1 s"), "none went there later than keepalive's 600 ms (+ the second): " + kept);

    List<String> reuse = row(section, "ClientWithReuseConn");
    // keepalive replaces its one connection within 600 ms; the new one goes through the service address to a random
    // listed pod, the frozen one included (a third of the time, until it is unlisted 2 s in): then its calls wait
    // their deadline there. What always holds: it does not stay on the frozen pod for the run, as without keepalive
    assertNotEquals("not within the run", reuse.get(6), "keepalive replaced its one connection: " + reuse);

    Path chart = out.resolve("silent-pod-clientwithkuberesolver-round-robin.svg");
    assertTrue(Files.readString(chart).startsWith("<svg"));
    Files.copy(chart, Path.of("target", chart.getFileName().toString()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    String findings = markdown.substring(markdown.indexOf("## Findings"));
    assertTrue(findings.contains(ROUND_ROBIN.withoutKeepAlive().label() + " failed " + failed), findings);
  }

  /** The table row of this case, cell by cell (the case's label first). */
  private static List<String> row(String section, String label) {
    String line = section.lines().filter(l -> l.startsWith("| " + label + " |")).findFirst()
        .orElseThrow(() -> new AssertionError("no row for " + label + " in\n" + section));
    return Arrays.stream(line.substring(2, line.length() - 2).split(" \\| ")).map(String::trim).toList();
  }
}
