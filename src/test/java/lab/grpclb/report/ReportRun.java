package lab.grpclb.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lab.grpclb.LogLines;
import lab.grpclb.config.ReportKind;

/**
 * Runs {@code --report} for a test within a time budget. A report that overruns fails the test with the last lines
 * the lab logged (which section, which experiment, which rollout), so a CI log shows where it stood.
 */
final class ReportRun {
  private static final int LINES = 15;

  private ReportRun() {
  }

  static String within(long seconds, Vertx vertx, int clientPort, ReportOptions options, ReportKind kind) throws Exception {
    return within(seconds, vertx, clientPort, ClientStarter.NONE, options, kind);
  }

  /** The same where {@code clients} starts the other clients a section needs (the local cluster's). */
  static String within(long seconds, Vertx vertx, int clientPort, ClientStarter clients, ReportOptions options,
                       ReportKind kind) throws Exception {
    try (LogLines log = LogLines.start("lab.grpclb")) {
      try {
        String markdown = ReportCommand.run(vertx, clientPort, null, clients, options, kind,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).await(seconds, TimeUnit.SECONDS);
        progressFollowedThePlan(log.lines());
        return markdown;
      } catch (TimeoutException e) {
        List<String> lines = log.lines();
        List<String> last = lines.subList(Math.max(0, lines.size() - LINES), lines.size());
        String section = lines.stream().filter(line -> line.contains(" report section ")).reduce((a, b) -> b)
            .map(line -> line.substring(line.indexOf("report section "))).orElse("the write-up's sections");
        // the first line is what a CI summary shows: the section, and the last thing that happened
        return fail("the report did not finish within " + seconds + " s, in " + section + "; last: "
            + (last.isEmpty() ? "nothing logged" : last.get(last.size() - 1)) + "\nthe lab's last log lines:\n"
            + String.join("\n", last));
      }
    }
  }

  private static final Pattern PROGRESS = Pattern.compile("INFO \\[(\\d+)/(\\d+)] (\\S+): .* \\(section \\d+/\\d+\\)"
      + " · elapsed \\S+ · about \\S+ left");

  /**
   * A progress line per experiment, numbered 1, 2, 3..., each out of the same total: every section's plan named
   * exactly the runs it then asked for, so the count and the time left were right all along.
   */
  static void progressFollowedThePlan(List<String> lines) {
    List<Matcher> progress = lines.stream().map(PROGRESS::matcher).filter(Matcher::matches).toList();
    assertFalse(progress.isEmpty(), "no progress line in " + lines);
    for (int i = 0; i < progress.size(); i++) {
      Matcher line = progress.get(i);
      assertEquals(i + 1, Integer.parseInt(line.group(1)), "numbered in order: " + line.group());
      assertEquals(progress.size(), Integer.parseInt(line.group(2)), "the plan of " + line.group(3)
          + " does not match the runs it asked for: " + line.group());
    }
  }
}
