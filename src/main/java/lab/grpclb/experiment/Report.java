package lab.grpclb.experiment;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import lab.grpclb.client.Retries;

/** What one experiment measured, as the JSON the user reads. */
public record Report(
    Experiment experiment,
    long elapsedNanos,
    RunTally tally,
    Channel channel,
    int maxInFlight,
    int callsWaited,
    long clientGcMillis,
    boolean interrupted) {
  /** What the channel saw during the run. */
  public record Channel(long connections, List<String> endpointsAtStart, List<String> endpointsAtEnd, Retries retried) {
  }

  public int ok() {
    return tally.ok;
  }

  public int failed() {
    return tally.failed;
  }

  public Map<String, Integer> countPerIp() {
    return new TreeMap<>(tally.countPerIp);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("type", experiment.type())
        .put("n", experiment.n())
        .put("time", GoDuration.format(elapsedNanos))
        .put("elapsed_ms", round(elapsedNanos / 1e6))
        .put("count_per_ip", new JsonObject(new TreeMap<String, Object>(tally.countPerIp)))
        .put("ok", tally.ok)
        .put("failed", tally.failed)
        .put("errors", new JsonObject(new TreeMap<String, Object>(tally.errors)))
        .put("latency_ms", new JsonObject()
            .put("p50", round(tally.percentileMs(0.50)))
            .put("p90", round(tally.percentileMs(0.90)))
            .put("p99", round(tally.percentileMs(0.99)))
            .put("max", round(tally.percentileMs(1.0))))
        .put("connections", channel.connections())
        .put("max_open_connections", experiment.maxOpenConnections())
        .put("max_in_flight", maxInFlight)
        .put("in_flight_cap", experiment.inFlightCap())
        .put("calls_waited", callsWaited)
        .put("retried", channel.retried().total())
        .put("retried_transparent", channel.retried().transparent())
        .put("retried_policy", channel.retried().policy())
        .put("endpoints_at_start", new JsonArray(channel.endpointsAtStart()))
        .put("endpoints_at_end", new JsonArray(channel.endpointsAtEnd()))
        .put("client_gc_ms", clientGcMillis)
        .put("interrupted", interrupted); // the client was stopping (SIGTERM, Ctrl-C): unfinished calls are CANCELLED
    return json;
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
