package lab.grpclb.experiment;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import lab.grpclb.client.Attempts;
import lab.grpclb.client.Retries;
import lab.grpclb.config.LbPolicy;
import lab.grpclb.experiment.ExperimentReport.Bucket;
import lab.grpclb.experiment.ExperimentReport.ChannelSeen;
import lab.grpclb.experiment.ExperimentReport.EndpointStats;
import lab.grpclb.experiment.ExperimentReport.Latency;
import lab.grpclb.experiment.ExperimentReport.Outcome;
import lab.grpclb.experiment.ExperimentReport.Pacing;
import lab.grpclb.experiment.ExperimentReport.Runs;
import lab.grpclb.experiment.ExperimentReport.Second;

/**
 * {@link ExperimentReport} as the JSON the HTTP API answers, and back: the report and the benchmark read the
 * API's answers through here, so no field is read by a string anywhere else. The write-up's fields keep their
 * names; everything else is added beside them.
 */
public final class ReportJson {
  private ReportJson() {
  }

  /** {@code format=compact}: what a person reads first, on one screen. */
  static JsonObject compact(ExperimentReport report) {
    Outcome outcome = report.outcome();
    return new JsonObject()
        .put("type", report.experiment().type())
        .put("n", report.experiment().n())
        .put("time", GoDuration.format(report.elapsedNanos()))
        .put("count_per_ip", new JsonObject(new TreeMap<String, Object>(outcome.countPerIp())))
        .put("ok", outcome.ok())
        .put("failed", outcome.failed())
        .put("errors", new JsonObject(new TreeMap<String, Object>(outcome.errors())))
        .put("p50_ms", report.latency().p50())
        .put("p99_ms", report.latency().p99());
  }

  public static JsonObject toJson(ExperimentReport report) {
    ExperimentPlan experiment = report.experiment();
    Outcome outcome = report.outcome();
    ChannelSeen channel = report.channel();
    JsonObject json = new JsonObject()
        .put("type", experiment.type())
        .put("n", experiment.n())
        .put("shape", shape(experiment.shape()))
        .put("lb", experiment.lb() == null ? null : experiment.lb().wireName())
        .put("hedging_delay_ms", experiment.hedgingDelayMs())
        .put("time", GoDuration.format(report.elapsedNanos()))
        .put("elapsed_ms", TallySummary.round(report.elapsedMs()))
        .put("count_per_ip", new JsonObject(new TreeMap<String, Object>(outcome.countPerIp())))
        .put("ok", outcome.ok())
        .put("failed", outcome.failed())
        .put("errors", new JsonObject(new TreeMap<String, Object>(outcome.errors())))
        .put("latency_ms", latency(report.latency()))
        .put("histogram", new JsonArray(report.histogram().stream()
            .map(b -> new JsonObject().put("le_ms", b.leMs()).put("count", b.count())).toList()))
        .put("throughput_per_s", TallySummary.round(report.throughputPerS()))
        .put("send_ms", report.sendMs())
        .put("per_endpoint", perEndpoint(report.perEndpoint()))
        .put("timeline", new JsonArray(report.timeline().stream().map(ReportJson::second).toList()))
        .put("connections", channel.connections())
        .put("max_open_connections", experiment.maxOpenConnections())
        .put("max_in_flight", report.maxInFlight())
        .put("in_flight_cap", experiment.inFlightCap())
        .put("calls_waited", report.callsWaited())
        .put("retried", channel.retried().total())
        .put("retried_transparent", channel.retried().transparent())
        .put("retried_policy", channel.retried().policy())
        .put("hedged", channel.attempts().hedged())
        .put("hedge_won", channel.attempts().hedgeWon())
        .put("retries_throttled", channel.attempts().throttled())
        .put("attempts_per_call", attemptsPerCall(channel.attempts()))
        .put("attempts_per_call_mean", mean(channel.attempts()))
        .put("endpoints_at_start", new JsonArray(channel.endpointsAtStart()))
        .put("endpoints_at_end", new JsonArray(channel.endpointsAtEnd()))
        .put("client_gc_ms", report.clientGcMs())
        .put("interrupted", report.interrupted()) // the client was stopping (SIGTERM, Ctrl-C): unfinished calls are CANCELLED
        .put("warnings", new JsonArray(report.warnings()));
    if (report.pacing() != null) {
      Pacing pacing = report.pacing();
      json.put("achieved_rate_per_s", pacing.achievedPerS())
          .put("schedule_lag_ms", new JsonObject().put("p50", pacing.lagP50Ms()).put("p99", pacing.lagP99Ms())
              .put("max", pacing.lagMaxMs()));
    }
    if (report.runs() != null) {
      json.put("runs", runs(report.runs()));
    }
    if (report.withinSlo() != null) {
      json.put("slo_ms", experiment.sloMs()).put("within_slo", report.withinSlo());
    }
    return json;
  }

  public static ExperimentReport fromJson(JsonObject json) {
    LoadShape shape = shape(json.getJsonObject("shape"));
    String lb = json.getString("lb");
    ExperimentPlan experiment = new ExperimentPlan(json.getString("type"), json.getInteger("n"),
        json.getInteger("in_flight_cap"), json.getInteger("max_open_connections"), shape,
        lb == null ? null : LbPolicy.parse(lb).orElse(null), json.getInteger("slo_ms"),
        json.getInteger("hedging_delay_ms"));
    Outcome outcome = new Outcome(json.getInteger("ok"), json.getInteger("failed"), ints(json.getJsonObject("count_per_ip")),
        ints(json.getJsonObject("errors")));
    JsonObject latency = json.getJsonObject("latency_ms");
    ChannelSeen channel = new ChannelSeen(json.getLong("connections"), strings(json.getJsonArray("endpoints_at_start")),
        strings(json.getJsonArray("endpoints_at_end")),
        new Retries(json.getLong("retried_transparent"), json.getLong("retried_policy")), attempts(json));
    JsonObject lag = json.getJsonObject("schedule_lag_ms");
    Pacing pacing = lag == null ? null : new Pacing(((LoadShape.OpenLoop) shape).ratePerS(),
        json.getDouble("achieved_rate_per_s"), lag.getDouble("p50"), lag.getDouble("p99"), lag.getDouble("max"));
    return new ExperimentReport(experiment, Math.round(json.getDouble("elapsed_ms") * 1e6), json.getDouble("send_ms"),
        outcome,
        new Latency(latency.getDouble("p50"), latency.getDouble("p90"), latency.getDouble("p99"),
            latency.getDouble("p99_9"), latency.getDouble("max"), latency.getDouble("mean")),
        list(json.getJsonArray("histogram"), b -> new Bucket(b.getDouble("le_ms"), b.getLong("count"))),
        perEndpoint(json.getJsonObject("per_endpoint")),
        list(json.getJsonArray("timeline"), ReportJson::second),
        pacing, channel, json.getInteger("max_in_flight"), json.getInteger("calls_waited"),
        json.getLong("client_gc_ms"), json.getBoolean("interrupted"), strings(json.getJsonArray("warnings")),
        runs(json.getJsonObject("runs")), json.getInteger("within_slo"));
  }

  /** Calls by the attempts they made, keyed "1", "2"...; only the counts that are not 0. */
  private static JsonObject attemptsPerCall(Attempts attempts) {
    JsonObject json = new JsonObject();
    for (int i = 0; i < attempts.callsByAttempts().size(); i++) {
      if (attempts.callsByAttempts().get(i) != 0) {
        json.put(String.valueOf(i), attempts.callsByAttempts().get(i));
      }
    }
    return json;
  }

  private static Double mean(Attempts attempts) {
    Double mean = attempts.meanPerCall();
    return mean == null ? null : Math.round(mean * 1000) / 1000.0;
  }

  /** The hedges and attempts per call; none in an answer from before they were counted. */
  private static Attempts attempts(JsonObject json) {
    JsonObject perCall = json.getJsonObject("attempts_per_call", new JsonObject());
    List<Long> calls = new ArrayList<>();
    perCall.forEach(e -> {
      int attempts = Integer.parseInt(e.getKey());
      while (calls.size() <= attempts) {
        calls.add(0L);
      }
      calls.set(attempts, ((Number) e.getValue()).longValue());
    });
    return new Attempts(json.getLong("hedged", 0L), json.getLong("hedge_won", 0L),
        json.getLong("retries_throttled", 0L), calls);
  }

  static JsonObject shape(LoadShape shape) {
    JsonObject json = new JsonObject().put("kind", shape.kind());
    if (shape instanceof LoadShape.ClosedLoop closed) {
      json.put("concurrency", closed.concurrency());
    } else if (shape instanceof LoadShape.OpenLoop open) {
      json.put("rate", open.ratePerS()).put("arrival", open.arrival().wireName()).put("duration_s", open.durationS());
    }
    return json;
  }

  private static LoadShape shape(JsonObject json) {
    return switch (json.getString("kind")) {
      case "closed" -> new LoadShape.ClosedLoop(json.getInteger("concurrency"));
      case "open" -> new LoadShape.OpenLoop(json.getDouble("rate"), LoadShape.Arrival.parse(json.getString("arrival")),
          json.getInteger("duration_s"));
      default -> LoadShape.BURST;
    };
  }

  private static JsonObject latency(Latency latency) {
    return new JsonObject().put("p50", latency.p50()).put("p90", latency.p90()).put("p99", latency.p99())
        .put("p99_9", latency.p999()).put("max", latency.max()).put("mean", latency.mean());
  }

  private static JsonObject perEndpoint(Map<String, EndpointStats> stats) {
    JsonObject json = new JsonObject();
    stats.forEach((ip, s) -> json.put(ip, new JsonObject().put("count", s.count()).put("p50", s.p50())
        .put("p99", s.p99()).put("errors", s.errors())));
    return json;
  }

  private static Map<String, EndpointStats> perEndpoint(JsonObject json) {
    Map<String, EndpointStats> stats = new TreeMap<>();
    json.forEach(e -> {
      JsonObject s = (JsonObject) e.getValue();
      stats.put(e.getKey(), new EndpointStats(s.getInteger("count"), s.getDouble("p50"), s.getDouble("p99"),
          s.getInteger("errors")));
    });
    return stats;
  }

  private static JsonObject second(Second second) {
    return new JsonObject().put("second", second.second()).put("completed", second.completed())
        .put("failed", second.failed()).put("p99_ms", second.p99())
        .put("count_per_ip", new JsonObject(new TreeMap<String, Object>(second.countPerIp())))
        .put("sent_per_ip", new JsonObject(new TreeMap<String, Object>(second.sentPerIp())))
        .put("attempts_per_ip", new JsonObject(new TreeMap<String, Object>(second.attemptsPerIp())));
  }

  private static Second second(JsonObject json) {
    return new Second(json.getInteger("second"), json.getInteger("completed"), json.getInteger("failed"),
        json.getDouble("p99_ms"), ints(json.getJsonObject("count_per_ip")),
        ints(json.getJsonObject("sent_per_ip", new JsonObject())),
        ints(json.getJsonObject("attempts_per_ip", new JsonObject())));
  }

  private static JsonObject runs(Runs runs) {
    Range elapsed = runs.elapsed();
    Range p99 = runs.p99();
    return new JsonObject().put("count", runs.elapsedMs().size()).put("median_run", runs.medianIndex() + 1)
        .put("elapsed_ms", new JsonArray(runs.elapsedMs().stream().map(TallySummary::round).toList()))
        .put("p99_ms", new JsonArray(runs.p99Ms()))
        .put("elapsed_ms_min", TallySummary.round(elapsed.min())).put("elapsed_ms_max", TallySummary.round(elapsed.max()))
        .put("p99_ms_min", p99.min()).put("p99_ms_max", p99.max());
  }

  private static Runs runs(JsonObject json) {
    if (json == null) {
      return null;
    }
    return new Runs(doubles(json.getJsonArray("elapsed_ms")), doubles(json.getJsonArray("p99_ms")),
        json.getInteger("median_run") - 1);
  }

  private static Map<String, Integer> ints(JsonObject json) {
    Map<String, Integer> map = new TreeMap<>();
    json.forEach(e -> map.put(e.getKey(), ((Number) e.getValue()).intValue()));
    return map;
  }

  private static List<String> strings(JsonArray array) {
    return array.stream().map(String::valueOf).toList();
  }

  private static List<Double> doubles(JsonArray array) {
    return array.stream().map(v -> ((Number) v).doubleValue()).toList();
  }

  private static <T> List<T> list(JsonArray array, Function<JsonObject, T> item) {
    List<T> items = new ArrayList<>(array.size());
    array.forEach(v -> items.add(item.apply((JsonObject) v)));
    return items;
  }
}
