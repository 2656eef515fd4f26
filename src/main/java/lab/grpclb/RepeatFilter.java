package lab.grpclb;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/**
 * Lets a line through once per {@link #WINDOW_MS}: local mode's fleet ({@code --clients M}) runs M clients, and each
 * logs the same endpoint, DNS and health events, so one scale printed M times the same line. A line that differs
 * only in a figure of milliseconds (a backoff drawn at random) is the same line.
 */
final class RepeatFilter implements Filter {
  static final long WINDOW_MS = 1_000;
  /** Lines remembered: enough for a fleet's burst of events; the oldest go first. */
  private static final int REMEMBERED = 1_024;
  private final SimpleFormatter formatter = new SimpleFormatter();
  private final LongSupplier nowMs;
  private final Map<String, Long> lastShownMs = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > REMEMBERED;
    }
  };

  RepeatFilter(LongSupplier nowMs) {
    this.nowMs = nowMs;
  }

  @Override
  public synchronized boolean isLoggable(LogRecord record) {
    String key = record.getLevel() + " " + formatter.formatMessage(record).replaceAll("\\d+ ms", "N ms");
    long now = nowMs.getAsLong();
    Long shown = lastShownMs.get(key);
    if (shown != null && now - shown < WINDOW_MS) {
      return false;
    }
    lastShownMs.remove(key); // re-inserted last, so the eldest is the one shown longest ago
    lastShownMs.put(key, now);
    return true;
  }
}
