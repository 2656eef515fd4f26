package lab.grpclb;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Every record, any level, that loggers under a name prefix write while open, as "LEVEL message" lines. */
public final class LogLines extends Handler implements AutoCloseable {
  private final String prefix;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private LogLines(String prefix) {
    this.prefix = prefix;
  }

  public static LogLines start(String loggerPrefix) {
    LogLines capture = new LogLines(loggerPrefix);
    Logger.getLogger("").addHandler(capture);
    return capture;
  }

  @Override
  public void publish(LogRecord record) {
    if (record.getLoggerName() != null && record.getLoggerName().startsWith(prefix)) {
      lines.add(record.getLevel() + " " + record.getMessage());
    }
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** The lines that contain {@code text}. */
  public List<String> containing(String text) {
    return lines.stream().filter(line -> line.contains(text)).toList();
  }

  @Override
  public void flush() {
  }

  @Override
  public void close() {
    Logger.getLogger("").removeHandler(this);
  }
}
