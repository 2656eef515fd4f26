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
import lab.grpclb.Browser;
import lab.grpclb.LogLines;
import lab.grpclb.config.Flags;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.local.LocalMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * {@code --mode local --report} end to end against a real local cluster (gRPC port 50072, 20 ms replies), with
 * smaller sizes than the write-up's so it takes seconds.
 */
@ExtendWith(VertxExtension.class)
class ReportTest {
  /** The write-up's table: Go's duration of the median, then the median and range in ms to 3 figures. */
  static final Pattern GO_TIME = Pattern.compile(
      "\\| n = 100 \\| [0-9.]+(µs|ms|s)( \\(\\d+ of 100 failed\\))? \\| [0-9. ]+( \\([0-9. ]+–[0-9. ]+\\))? \\| [0-9.]+(µs|ms|s)");

  @Test
  void reproducesTheWriteupsThreeSectionsWithNumbersAndWritesBothFiles(Vertx vertx, @TempDir Path out) throws Exception {
    LocalConfig config = LocalConfig.from(Flags.parse(new String[] {"--delay-ms", "20", "--http-port", "0",
        "--api-port", "0", "--dns-port", "0", "--port", "50072", "--report", "--out", out.toString()}, Map.of()));
    assertTrue(config.report());
    LocalMode local = new LocalMode(vertx, config).start().await(10, TimeUnit.SECONDS);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    ReportOptions small = new ReportOptions(List.of(100, 300), 300, 300, 60, 3000, 20, 50, 2, 200, 1, 200, 2, 50, 500, 4, 1, 300, 3, Path.of(config.outDir()));
    String markdown;
    try (LogLines log = LogLines.start("lab.grpclb")) {
      markdown = ReportCommand.run(vertx, local.client().port(), small, new PrintStream(printed, true, StandardCharsets.UTF_8))
          .await(120, TimeUnit.SECONDS); // about 12 s
      eachStepSaysItsRealTime(log);
      ReportRun.progressFollowedThePlan(log.lines());
      assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("INFO [1/")
          && l.contains(" writeup: warm-up Client n=50 ")), log.lines().toString());
    } finally {
      local.close().await(20, TimeUnit.SECONDS);
    }

    assertEquals(markdown, printed.toString(StandardCharsets.UTF_8), "the Markdown goes to stdout");
    assertEquals(markdown, Files.readString(out.resolve("report.md")));
    for (String heading : List.of("## 1. Client vs ClientWithReuseConn", "## 2. ClientWithReuseConn vs ClientWithKubeResolver",
        "## 3. ClientWithKubeResolver with scaling up or down", "## 4. Under steady load", "## Findings")) {
      assertTrue(markdown.contains(heading), heading + " in\n" + markdown);
    }
    assertTrue(GO_TIME.matcher(markdown).find(), "Go-style times in the tables:\n" + markdown);
    assertTrue(markdown.contains("warm-up"), "says a warm-up ran");
    assertTrue(markdown.contains("\"count_per_ip\":{"), markdown);
    for (String step : List.of("During the scale-up to 10", "After scaling up is done", "Kill one pod in the middle of a run",
        "After we kill a pod", "Scale down to 2 replicas")) {
      assertTrue(markdown.contains("| " + step), step + " in section 3:\n" + markdown);
    }
    String steady = markdown.substring(markdown.indexOf("## 4. Under steady load"), markdown.indexOf("## Findings"));
    assertTrue(steady.contains("| ClientWithKubeResolver |") && steady.matches("(?s).*\\| ClientWithKubeResolver \\|[^\\n]*\\| \\d+/\\d+/\\d+ \\|.*"),
        "the steady load runs on the write-up's 3 pods, not the 2 its last step left:\n" + steady);
    String findings = markdown.substring(markdown.indexOf("## Findings"));
    assertTrue(findings.contains("ClientWithReuseConn sent 100 % of its n = 300 calls to one pod"), findings);
    assertTrue(findings.contains("ClientWithKubeResolver split n = 300 as 100/100/100 over 3 pods"), findings);
    assertTrue(findings.contains("Scale down to 2 replicas: 2 pods served calls, 30 each"), findings);

    String html = Files.readString(out.resolve("report.html"));
    assertTrue(html.contains("<svg") && html.contains("<table>") && html.contains("<h2>Findings</h2>"), html);
    for (String chart : List.of("elapsed-vs-n.svg", "calls-per-pod.svg", "scaling.svg", "latency-cdf.svg")) {
      assertTrue(markdown.contains("](" + chart + ")"), chart + " linked from the Markdown");
      assertTrue(Files.readString(out.resolve(chart)).startsWith("<svg"), chart + " written beside it");
    }
    String summary = markdown.substring(markdown.indexOf("## Summary"), markdown.indexOf("Setup:"));
    assertTrue(summary.contains("**Use ClientWithKubeResolver.** At n = 300 it sent its calls 100/100/100 over 3 of 3 pods"), summary);
    assertTrue(summary.lines().filter(l -> l.startsWith("* ")).count() <= 5, summary);
    assertFalse(Pattern.compile("(src|href)\\s*=").matcher(html).find(), "self-contained: nothing fetched");
    readerSeesTheAnswerAndAChartFirst(out.resolve("report.html"));
  }

  /**
   * The progress log gives each step's real time, and an experiment of K runs its whole time beside the median
   * run it reports (it used to say "done in 10.49s", the median, for a step of about 31 s).
   */
  private static void eachStepSaysItsRealTime(LogLines log) {
    List<String> started = log.lines().stream().filter(l -> l.matches("INFO report step \\d+/\\d+: .*")).toList();
    List<String> done = log.lines().stream().filter(l -> l.matches("INFO report step \\d+/\\d+ done in \\d+\\.\\d s: .*"))
        .toList();
    assertEquals(started.size(), done.size(), "a done line per step: " + log.lines());
    assertTrue(started.size() > 10, log.lines().toString());
    assertTrue(log.lines().stream().anyMatch(l -> l.matches("INFO experiment ClientWithReuseConn n=100 runs=2 done in"
        + " \\S+ \\(2 runs; the median run, reported, took \\S+\\): .*")), log.lines().toString());
  }

  /** In a real browser at a laptop's width, the summary and the first chart are on the first 1 500 px. */
  private static void readerSeesTheAnswerAndAChartFirst(Path page) throws Exception {
    try (Browser browser = Browser.open(1280, 1500)) {
      browser.driver().get(page.toUri().toString());
      WebElement summary = browser.driver().findElement(By.xpath("//h2[text()='Summary']/following-sibling::ul[1]"));
      WebElement chart = browser.driver().findElement(By.cssSelector("svg"));
      Path shot = browser.screenshot(Path.of("target", "report-first-1500px.png"));
      int summaryBottom = summary.getRect().getY() + summary.getRect().getHeight();
      int chartBottom = chart.getRect().getY() + chart.getRect().getHeight();
      assertTrue(summaryBottom <= 1500 && chartBottom <= 1500,
          "summary ends at " + summaryBottom + " px, first chart at " + chartBottom + " px; see " + shot.toAbsolutePath());
      assertTrue(summary.getText().contains("Use ClientWithKubeResolver"), summary.getText());
    }
  }
}
