package lab.grpclb.report;

import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
        return ReportCommand.run(vertx, clientPort, null, clients, options, kind,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).await(seconds, TimeUnit.SECONDS);
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
}
