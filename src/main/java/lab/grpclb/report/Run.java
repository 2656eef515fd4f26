package lab.grpclb.report;

import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One experiment as the client's HTTP API answered it. */
record Run(String type, int n, JsonObject json) {
  /** IPv4 addresses in numeric order, so 127.0.0.10 comes after 127.0.0.9. */
  static final Comparator<String> IP_ORDER = Comparator.comparingLong(Run::ipValue).thenComparing(Comparator.naturalOrder());

  String time() {
    return json.getString("time");
  }

  double elapsedMs() {
    return json.getDouble("elapsed_ms");
  }

  int ok() {
    return json.getInteger("ok");
  }

  int failed() {
    return json.getInteger("failed");
  }

  long retried() {
    return json.getLong("retried", 0L);
  }

  Map<String, Integer> countPerIp() {
    Map<String, Integer> counts = new TreeMap<>(IP_ORDER);
    json.getJsonObject("count_per_ip").forEach(e -> counts.put(e.getKey(), ((Number) e.getValue()).intValue()));
    return counts;
  }

  int count(String ip) {
    return countPerIp().getOrDefault(ip, 0);
  }

  int largestShare() {
    return countPerIp().values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  int smallestShare() {
    return countPerIp().values().stream().mapToInt(Integer::intValue).min().orElse(0);
  }

  List<String> endpointsAtStart() {
    return strings("endpoints_at_start");
  }

  List<String> endpointsAtEnd() {
    return strings("endpoints_at_end");
  }

  /** The most frequent failure reason, or null when none failed. */
  String topError() {
    return json.getJsonObject("errors", new JsonObject()).stream()
        .max(Comparator.comparingInt(e -> ((Number) e.getValue()).intValue()))
        .map(e -> e.getKey() + " (" + e.getValue() + ")").orElse(null);
  }

  private List<String> strings(String field) {
    return json.getJsonArray(field).stream().map(String::valueOf).toList();
  }

  private static long ipValue(String ip) {
    long value = 0;
    for (String part : ip.split("[.:]")) {
      try {
        value = value * 256 + Integer.parseInt(part);
      } catch (NumberFormatException e) {
        return Long.MAX_VALUE;
      }
    }
    return value;
  }
}
