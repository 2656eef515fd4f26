package lab.grpclb.report;

import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
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
    Recent recent = new Recent();
    Logger root = Logger.getLogger("");
    root.addHandler(recent);
    try {
      return ReportCommand.run(vertx, clientPort, options, kind,
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).await(seconds, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      List<String> lines = recent.lines();
      // the first line is what a CI summary shows: the section, and the last thing that happened
      return fail("the report did not finish within " + seconds + " s, in " + recent.section() + "; last: "
          + (lines.isEmpty() ? "nothing logged" : lines.get(lines.size() - 1)) + "\nthe lab's last log lines:\n"
          + String.join("\n", lines));
    } finally {
      root.removeHandler(recent);
    }
  }

  /** The lab's last log records, any level. */
  private static final class Recent extends Handler {
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private String section = "the write-up's sections";

    @Override
    public synchronized void publish(LogRecord record) {
      if (record.getMessage() != null && record.getMessage().startsWith("report section ")) {
        section = record.getMessage();
      }
      if (record.getLoggerName() != null && record.getLoggerName().startsWith("lab.grpclb")) {
        if (lines.size() == LINES) {
          lines.removeFirst();
        }
        lines.addLast(record.getLevel() + " " + record.getMessage());
      }
    }

    synchronized String section() {
      return section;
    }

    synchronized List<String> lines() {
      return List.copyOf(lines);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  }
}
