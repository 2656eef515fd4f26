package lab.grpclb.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import lab.grpclb.config.Flags;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.local.LocalMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --mode local --report} end to end against a real local cluster (gRPC port 50072, 20 ms replies), with
 * smaller sizes than the write-up's so it takes seconds.
 */
@ExtendWith(VertxExtension.class)
class ReportTest {
  static final Pattern GO_TIME = Pattern.compile("\\| n = 100 \\| [0-9.]+(µs|ms|s)( \\(\\d+ of 100 failed\\))? \\| [0-9.]+(µs|ms|s)");

  @Test
  void reproducesTheWriteupsThreeSectionsWithNumbersAndWritesBothFiles(Vertx vertx, @TempDir Path out) throws Exception {
    LocalConfig config = LocalConfig.from(Flags.parse(new String[] {"--delay-ms", "20", "--http-port", "0",
        "--api-port", "0", "--port", "50072", "--report", "--out", out.toString()}, Map.of()));
    assertTrue(config.report());
    LocalMode local = new LocalMode(vertx, config).start().await(10, TimeUnit.SECONDS);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    ReportOptions small = new ReportOptions(List.of(100, 300), 300, 300, 60, 3000, 20, 50, Path.of(config.outDir()));
    String markdown;
    try {
      markdown = ReportCommand.run(vertx, local.client().port(), small, new PrintStream(printed, true, StandardCharsets.UTF_8))
          .await(60, TimeUnit.SECONDS);
    } finally {
      local.stop().await(20, TimeUnit.SECONDS);
    }

    assertEquals(markdown, printed.toString(StandardCharsets.UTF_8), "the Markdown goes to stdout");
    assertEquals(markdown, Files.readString(out.resolve("report.md")));
    for (String heading : List.of("## 1. Client vs ClientWithReuseConn", "## 2. ClientWithReuseConn vs ClientWithKubeResolver",
        "## 3. ClientWithKubeResolver with scaling up or down", "## 4. Findings")) {
      assertTrue(markdown.contains(heading), heading + " in\n" + markdown);
    }
    assertTrue(GO_TIME.matcher(markdown).find(), "Go-style times in the tables:\n" + markdown);
    assertTrue(markdown.contains("warm-up"), "says a warm-up ran");
    assertTrue(markdown.contains("\"count_per_ip\":{"), markdown);
    for (String step : List.of("During the scale-up to 10", "After scaling up is done", "Kill one pod in the middle of a run",
        "After we kill a pod", "Scale down to 2 replicas")) {
      assertTrue(markdown.contains("| " + step), step + " in section 3:\n" + markdown);
    }
    String findings = markdown.substring(markdown.indexOf("## 4. Findings"));
    assertTrue(findings.contains("ClientWithReuseConn sent 100 % of its n = 300 calls to one pod"), findings);
    assertTrue(findings.contains("ClientWithKubeResolver split n = 300 as 100/100/100 over 3 pods"), findings);
    assertTrue(findings.contains("Scale down to 2 replicas: 2 pods served calls, 30 each"), findings);

    String html = Files.readString(out.resolve("report.html"));
    assertTrue(html.contains("<svg") && html.contains("<table>") && html.contains("<h2>4. Findings</h2>"), html);
    assertFalse(Pattern.compile("(src|href)\\s*=").matcher(html).find(), "self-contained: nothing fetched");
  }
}
