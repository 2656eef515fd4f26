package lab.grpclb.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * LogCounts the WARNING and SEVERE records of this process by level and first line of the message, and the
 * records that carry a Throwable (stack traces) by message and exception, from a handler on the root logger.
 * Pod names and IPs are folded, so that one kind of line counts as one line.
 */
final class LogTally extends Handler {
  /** What was counted: "LEVEL message" and "LEVEL message <- ExceptionClass: its message" to counts. */
  record LogCounts(Map<String, Long> warnings, Map<String, Long> stackTraces) {
    long stackTraceTotal() {
      return stackTraces.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static final Formatter MESSAGES = new SimpleFormatter();
  private final Map<String, Long> warnings = new TreeMap<>();
  private final Map<String, Long> stackTraces = new TreeMap<>();

  static LogTally install() {
    LogTally tally = new LogTally();
    tally.setLevel(Level.WARNING);
    Logger.getLogger("").addHandler(tally);
    return tally;
  }

  void uninstall() {
    Logger.getLogger("").removeHandler(this);
  }

  @Override
  public void publish(LogRecord record) {
    if (record.getLevel().intValue() < Level.WARNING.intValue()) {
      return;
    }
    String line = record.getLevel().getName() + " " + fold(firstLine(MESSAGES.formatMessage(record)));
    synchronized (this) {
      warnings.merge(line, 1L, Long::sum);
      Throwable thrown = record.getThrown();
      if (thrown != null) {
        stackTraces.merge(line + " <- " + thrown.getClass().getName() + ": " + fold(firstLine(String.valueOf(thrown.getMessage())))
            + where(thrown), 1L, Long::sum);
      }
    }
  }

  synchronized LogCounts counts() {
    return new LogCounts(Map.copyOf(warnings), Map.copyOf(stackTraces));
  }

  @Override
  public void flush() {
  }

  @Override
  public void close() {
  }

  private static String firstLine(String message) {
    String text = message == null ? "" : message;
    int newline = text.indexOf('\n');
    String line = newline < 0 ? text : text.substring(0, newline);
    return line.length() <= 200 ? line : line.substring(0, 200) + "...";
  }

  /** Pod names, IPs, durations and counts vary from line to line of the same kind. */
  static String fold(String line) {
    return line.replaceAll("greeter-server-[a-z0-9]+-[a-z0-9]+", "POD")
        .replaceAll("\\b\\d{1,3}(\\.\\d{1,3}){3}(:\\d+)?\\b", "IP")
        .replaceAll("\\b\\d+ (ms|s|endpoints|calls)\\b", "N $1");
  }

  /** The frame that threw, so that a reader knows which code to look at. */
  private static String where(Throwable thrown) {
    StackTraceElement[] frames = thrown.getStackTrace();
    return frames.length == 0 ? "" : " at " + frames[0].getClassName() + "." + frames[0].getMethodName() + "("
        + frames[0].getFileName() + ":" + frames[0].getLineNumber() + ")";
  }
}
