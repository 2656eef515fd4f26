package lab.grpclb.discovery;

import io.vertx.servicediscovery.kubernetes.KubernetesServiceImporter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps one known record of the Vert.x bridge out of the log: "Failure while watching service list", SEVERE with a
 * stack trace, which it logs for every non-200 watch answer, so for every 410 or upstream failure the guard answers
 * to make it relist. The guard counts those answers; the bridge's line adds nothing but a stack trace.
 */
final class BridgeLog {
  static final String WATCH_FAILURE = "Failure while watching service list";
  /** Held strongly: JUL keeps loggers weakly, and a collected logger would come back without the filter. */
  private static final Logger IMPORTER = Logger.getLogger(KubernetesServiceImporter.class.getName());
  private static final AtomicLong dropped = new AtomicLong();

  private BridgeLog() {
  }

  /** Idempotent; any filter already set still sees every other record. */
  static synchronized void quietWatchFailures() {
    Filter previous = IMPORTER.getFilter();
    if (previous instanceof WatchFailureFilter) {
      return;
    }
    IMPORTER.setFilter(new WatchFailureFilter(previous));
  }

  /** The records dropped so far (in this JVM). */
  static long dropped() {
    return dropped.get();
  }

  private record WatchFailureFilter(Filter previous) implements Filter {
    @Override
    public boolean isLoggable(LogRecord record) {
      if (WATCH_FAILURE.equals(record.getMessage())) {
        dropped.incrementAndGet();
        return false;
      }
      return previous == null || previous.isLoggable(record);
    }
  }
}
