package lab.grpclb.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
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
 * {@code --report workarounds} end to end against a real local cluster (gRPC port 50097, 20 ms replies): new pods
 * behind DNS, MaxConnectionAge and a rollout under load, with short runs.
 */
@ExtendWith(VertxExtension.class)
class WorkaroundSectionsTest {

  @Test
  void dnsMaxAgeAndRolloutSectionsComeFromTheirRuns(Vertx vertx, @TempDir Path out) throws Exception {
    LocalConfig config = LocalConfig.from(Flags.parse(new String[] {"--delay-ms", "20", "--http-port", "0",
        "--api-port", "0", "--dns-port", "0", "--port", "50097", "--report", "workarounds", "--out", out.toString()},
        Map.of()));
    assertEquals(ReportKind.WORKAROUNDS, config.reportKind());
    LocalMode local = new LocalMode(vertx, config).start().await(10, TimeUnit.SECONDS);
    ReportOptions small = new ReportOptions(List.of(100), 100, 100, 60, 300, 20, 50, 1, 200, 1, 300, 2, 50, 500, 4, 1,
        300, 3, Path.of(config.outDir()));
    String markdown;
    try {
      markdown = ReportRun.within(150, vertx, local.client().port(), small, config.reportKind());
    } finally {
      local.close().await(20, TimeUnit.SECONDS);
    }
    String dns = markdown.substring(markdown.indexOf("## New pods behind DNS"), markdown.indexOf("## MaxConnectionAge"));
    assertTrue(dns.contains("| ClientWithDnsResolver | never, in this run |"), "30 s refresh: no new pod within 4 s\n" + dns);
    assertTrue(dns.matches("(?s).*\\| ClientWithKubeResolver \\| ≈ [0-2] s \\|.*"), "the watch sees them at once\n" + dns);
    String age = markdown.substring(markdown.indexOf("## MaxConnectionAge"), markdown.indexOf("## A rolling update"));
    assertTrue(age.matches("(?s).*\\| 300 ms \\| [^|]+ \\| ([2-9]|[1-9][0-9]+) \\| 0 \\|.*"), "several connections, 0 failed\n" + age);
    String rollout = markdown.substring(markdown.indexOf("## A rolling update"), markdown.indexOf("## Findings"));
    for (String picker : PickerRuns.PICKERS) {
      assertTrue(rollout.contains("| ClientWithKubeResolver " + picker + " | 0 |"), picker + " lost nothing\n" + rollout);
    }
  }
}
