package lab.grpclb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** The console's filter against a fleet's repeated lines, on a clock the test moves. */
class RepeatFilterTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final RepeatFilter filter = new RepeatFilter(now::get);
  private final List<String> shown = new ArrayList<>();

  private void log(Level level, String message) {
    if (filter.isLoggable(new LogRecord(level, message))) {
      shown.add(level + " " + message);
    }
  }

  @Test
  void fiftyClientsLoggingOneEventPrintItOnce() {
    for (int client = 0; client < 50; client++) {
      log(Level.INFO, "endpoint 127.0.0.12:50051 (greeter-server-7d9f8-v7f2w) added, ready=true");
      log(Level.INFO, "endpoint 127.0.0.12:50051 TRANSIENT_FAILURE: connect failed; retrying with backoff, next in "
          + (800 + client * 7) + " ms");
    }
    assertEquals(List.of("INFO endpoint 127.0.0.12:50051 (greeter-server-7d9f8-v7f2w) added, ready=true",
        "INFO endpoint 127.0.0.12:50051 TRANSIENT_FAILURE: connect failed; retrying with backoff, next in 800 ms"), shown);
  }

  @Test
  void anotherEndpointOrLevelIsAnotherLineAndTheSameLinePrintsAgainAfterTheWindow() {
    log(Level.INFO, "endpoint 127.0.0.12:50051 removed");
    log(Level.INFO, "endpoint 127.0.0.13:50051 removed");
    log(Level.WARNING, "endpoint 127.0.0.13:50051 removed");
    now.addAndGet(RepeatFilter.WINDOW_MS - 1);
    log(Level.INFO, "endpoint 127.0.0.12:50051 removed");
    now.addAndGet(1);
    log(Level.INFO, "endpoint 127.0.0.12:50051 removed");
    assertEquals(List.of("INFO endpoint 127.0.0.12:50051 removed", "INFO endpoint 127.0.0.13:50051 removed",
        "WARNING endpoint 127.0.0.13:50051 removed", "INFO endpoint 127.0.0.12:50051 removed"), shown);
  }
}
