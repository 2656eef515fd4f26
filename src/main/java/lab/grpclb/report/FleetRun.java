package lab.grpclb.report;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import lab.grpclb.experiment.Range;
import lab.grpclb.experiment.ReportJson;

/**
 * One experiment's answer from a fleet of clients: the report, and the fields local mode adds beside it (docs/
 * local-mode.md, "Many clients"), parsed where they arrive.
 *
 * @param clients           the fleet's size during the run
 * @param connectionsPerPod each pod's connections that carried a call of the run, counted by the pod, in IP order
 * @param loadMaxOverMean   the busiest pod's replies over the mean pod's, every ready pod counted; NaN with none
 * @param callsInZone       attempts that went to a pod in their client's zone (0 without zones)
 * @param callsCrossZone    attempts that crossed zones
 */
record FleetRun(MeasuredRun run, int clients, Map<String, Integer> connectionsPerPod, double loadMaxOverMean,
                long callsInZone, long callsCrossZone) {

  /** {@code value} over {@code runs}, lowest to highest. */
  static Range range(List<FleetRun> runs, ToDoubleFunction<FleetRun> value) {
    return Range.of(runs.stream().map(value::applyAsDouble).toList());
  }

  /** The middle run's value; with an even count, the mean of the middle two. */
  static double median(List<FleetRun> runs, ToDoubleFunction<FleetRun> value) {
    double[] sorted = runs.stream().mapToDouble(value).sorted().toArray();
    int half = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
  }

  static FleetRun fromJson(JsonObject json) {
    Map<String, Integer> perPod = new TreeMap<>(MeasuredRun.IP_ORDER);
    JsonObject connections = json.getJsonObject("connections_per_pod", new JsonObject());
    connections.fieldNames().forEach(ip -> perPod.put(ip, connections.getInteger(ip)));
    Double load = json.getDouble("load_max_over_mean");
    return new FleetRun(new MeasuredRun(ReportJson.fromJson(json)), json.getInteger("clients", 1), perPod,
        load == null ? Double.NaN : load, json.getLong("calls_in_zone", 0L), json.getLong("calls_cross_zone", 0L));
  }

  /** The share of attempts kept in their client's zone, in %; NaN when none was counted. */
  double inZonePercent() {
    long all = callsInZone + callsCrossZone;
    return all == 0 ? Double.NaN : 100.0 * callsInZone / all;
  }

  /** Connections in all, every pod's. */
  int connections() {
    return connectionsPerPod.values().stream().mapToInt(Integer::intValue).sum();
  }

  /**
   * The fullest pod's connections over the mean pod's: the balls-into-bins quantity itself, free of the replies a
   * refusing pod never sends back (which {@link #loadMaxOverMean} counts).
   */
  double connectionsMaxOverMean() {
    int total = connections();
    int max = connectionsPerPod.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    return total == 0 ? Double.NaN : (double) max * connectionsPerPod.size() / total;
  }
}
