package lab.grpclb;

import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/** Polling and report helpers for the JUnit thread (never an event loop). */
public final class Await {
  private Await() {
  }

  /** Polls every 10 ms for up to 5 s. */
  public static void until(BooleanSupplier condition, String what) throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("timed out waiting until " + what);
  }

  /** The distinct per-pod counts of a report's count_per_ip. */
  public static Set<Integer> counts(JsonObject report) {
    Set<Integer> counts = new TreeSet<>();
    report.getJsonObject("count_per_ip").forEach(e -> counts.add((Integer) e.getValue()));
    return counts;
  }
}
