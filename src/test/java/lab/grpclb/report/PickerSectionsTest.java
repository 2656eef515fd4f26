package lab.grpclb.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lab.grpclb.config.Flags;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.config.ReportKind;
import lab.grpclb.local.LocalMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --report pickers} end to end against a real local cluster (gRPC port 50095, 20 ms replies): the slow-pod,
 * erroring-pod and equal-pods sections, each from its own runs, with small loads.
 */
@ExtendWith(VertxExtension.class)
class PickerSectionsTest {
  static final Pattern ROW = Pattern.compile("\\| (round_robin|least_request|peak_ewma) \\|.*?\\| ([0-9.]+) % \\|");

  @Test
  void slowErroringAndEqualPodsEachGetTheirSectionFromTheirNumbers(Vertx vertx, @TempDir Path out) throws Exception {
    LocalConfig config = LocalConfig.from(Flags.parse(new String[] {"--delay-ms", "20", "--http-port", "0",
        "--api-port", "0", "--dns-port", "0", "--port", "50095", "--report", "pickers", "--out", out.toString()}, Map.of()));
    assertEquals(ReportKind.PICKERS, config.reportKind());
    LocalMode local = new LocalMode(vertx, config).start().await(10, TimeUnit.SECONDS);
    ReportOptions small = new ReportOptions(List.of(100), 100, 100, 60, 300, 20, 50, 2, 200, 1, 400, 2, 50, 500, 4, 1, 300, 3,
        Path.of(config.outDir()));
    String markdown;
    try {
      markdown = ReportRun.within(120, vertx, local.client().port(), small, config.reportKind());
    } finally {
      local.close().await(20, TimeUnit.SECONDS);
    }
    for (String heading : List.of("## Slow pod", "## An erroring pod", "## Equal pods", "## Findings")) {
      assertTrue(markdown.contains(heading), heading + " in\n" + markdown);
    }
    assertTrue(!markdown.contains("## 1. Client vs"), "the write-up is not part of --report pickers");
    String slow = markdown.substring(markdown.indexOf("## Slow pod"), markdown.indexOf("## An erroring pod"));
    Matcher row = ROW.matcher(slow);
    double roundRobin = Double.NaN;
    double peakEwma = Double.NaN;
    while (row.find()) {
      if (row.group(1).equals("round_robin")) {
        roundRobin = Double.parseDouble(row.group(2));
      } else if (row.group(1).equals("peak_ewma")) {
        peakEwma = Double.parseDouble(row.group(2));
      }
    }
    assertEquals(20, roundRobin, 2, "round robin gives the slow pod its fifth:\n" + slow);
    assertTrue(peakEwma < roundRobin, "peak_ewma sends the slow pod less than round robin:\n" + slow);
    assertTrue(Files.readString(out.resolve("slow-pod-cdf.svg")).startsWith("<svg"));
    String erroring = markdown.substring(markdown.indexOf("## An erroring pod"), markdown.indexOf("## Equal pods"));
    assertTrue(erroring.contains("| round_robin + retry policy + outlier ejection | 0 |"), "no call failed with ejection:\n" + erroring);
    String findings = markdown.substring(markdown.indexOf("## Findings"));
    assertTrue(findings.contains("least_request was") && findings.contains("peak_ewma was"), findings);
    String summary = markdown.lines().filter(line -> line.contains("**One slow pod")).findFirst().orElseThrow();
    boolean met = findings.contains("the target (p99 ≤ 1.2×, ≤ 5 % on the slow pod) is met");
    assertTrue(summary.contains(met ? "is met" : "is not met"), "the summary gives the findings' verdict, never"
        + " a kinder one: " + summary + "\n" + findings);
  }
}
