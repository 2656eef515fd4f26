package lab.grpclb.experiment;

import io.vertx.core.MultiMap;
import lab.grpclb.config.LbPolicy;

/**
 * The experiment a request's query asks for, checked: the client type, the calls, the load shape, how many
 * runs, ClientWithKubeResolver's picker ({@code lb}, null for the --lb default) and a latency objective whose
 * met share the report gives ({@code slo_ms}, null for none). Absent parameters take their defaults; given ones, even empty, are checked as given.
 */
record ExperimentRequest(String type, int n, LoadShape shape, int runs, LbPolicy lb, Integer sloMs) {
  static final String DEFAULT_TYPE = ClientTypes.CLIENT;
  static final int DEFAULT_N = 1000;
  static final String FORMS = "valid forms: n=N (a burst, the default); concurrency=C&n=N (a closed loop);"
      + " rate=R&duration_s=D or rate=R&n=N, optionally with arrival=uniform|poisson (an open loop)";

  /** A request that cannot run as asked; the message says why and what would. */
  static final class BadRequest extends IllegalArgumentException {
    BadRequest(String message) {
      super(message, null);
    }
  }

  static ExperimentRequest parse(MultiMap query, ExperimentLimits limits) {
    ExperimentRequest shaped = shaped(query, limits);
    LbPolicy lb = null;
    if (query.contains("lb")) {
      String raw = query.get("lb");
      lb = LbPolicy.parse(raw.trim()).orElseThrow(() -> new BadRequest("lb must be one of " + LbPolicy.wireNames()
          + " (ClientWithKubeResolver's picker; --lb sets the default), got '" + raw + "'"));
    }
    Integer sloMs = query.contains("slo_ms") ? integer(query, "slo_ms", 1, 3_600_000, "a latency objective in ms") : null;
    return new ExperimentRequest(shaped.type, shaped.n, shaped.shape, shaped.runs, lb, sloMs);
  }

  private static ExperimentRequest shaped(MultiMap query, ExperimentLimits limits) {
    String type = value(query, "type", DEFAULT_TYPE);
    int runs = integer(query, "runs", 1, ExperimentLimits.MAX_RUNS, "repeat runs per request");
    boolean closed = query.contains("concurrency");
    boolean open = query.contains("rate");
    if (closed && open) {
      throw new BadRequest("concurrency and rate exclude each other: a loop is closed or open; " + FORMS);
    }
    for (String openOnly : new String[] {"duration_s", "arrival"}) {
      if (!open && query.contains(openOnly)) {
        throw new BadRequest(openOnly + " needs rate=R; " + FORMS);
      }
    }
    if (open) {
      return openLoop(query, limits, type, runs);
    }
    int n = integer(query, "n", 1, limits.maxN(), "--max-n");
    if (closed) {
      int concurrency = integer(query, "concurrency", 1, limits.maxInFlight(), "--max-in-flight");
      return new ExperimentRequest(type, n, new LoadShape.ClosedLoop(concurrency), runs, null, null);
    }
    return new ExperimentRequest(type, n, LoadShape.BURST, runs, null, null);
  }

  private static ExperimentRequest openLoop(MultiMap query, ExperimentLimits limits, String type, int runs) {
    String rawRate = query.get("rate");
    double rate = number(rawRate);
    if (!(rate > 0 && rate <= ExperimentLimits.MAX_RATE)) {
      throw new BadRequest("rate must be a number of calls per second above 0 and at most " + ExperimentLimits.MAX_RATE
          + ", got '" + rawRate + "'");
    }
    String rawArrival = value(query, "arrival", LoadShape.Arrival.UNIFORM.wireName());
    LoadShape.Arrival arrival = LoadShape.Arrival.parse(rawArrival);
    if (arrival == null) {
      throw new BadRequest("arrival must be uniform or poisson, got '" + rawArrival + "'");
    }
    if (query.contains("duration_s") && query.contains("n")) {
      throw new BadRequest("an open loop stops after duration_s or after n calls: give one, not both; " + FORMS);
    }
    if (!query.contains("duration_s")) {
      int n = integer(query, "n", 1, limits.maxN(), "--max-n");
      return new ExperimentRequest(type, n, new LoadShape.OpenLoop(rate, arrival, null), runs, null, null);
    }
    int seconds = integer(query, "duration_s", 1, limits.maxDurationS(), "--max-duration-s");
    long calls = Math.round(rate * seconds);
    if (calls < 1 || calls > Integer.MAX_VALUE) {
      throw new BadRequest("rate x duration_s must come to 1 to " + Integer.MAX_VALUE + " calls, got " + calls);
    }
    return new ExperimentRequest(type, (int) calls, new LoadShape.OpenLoop(rate, arrival, seconds), runs, null, null);
  }

  /** Parameters as the 409 answer and the log show them. */
  String describe() {
    String shaped = "n=" + n;
    if (shape instanceof LoadShape.ClosedLoop closed) {
      shaped = "concurrency=" + closed.concurrency() + " n=" + n;
    } else if (shape instanceof LoadShape.OpenLoop openLoop) {
      shaped = "rate=" + openLoop.ratePerS() + " arrival=" + openLoop.arrival().wireName()
          + (openLoop.durationS() == null ? " n=" + n : " duration_s=" + openLoop.durationS());
    }
    return type + " " + shaped + (runs > 1 ? " runs=" + runs : "") + (lb == null ? "" : " lb=" + lb.wireName());
  }

  private static int integer(MultiMap query, String name, int min, int max, String limit) {
    String raw = value(query, name, name.equals("n") ? String.valueOf(DEFAULT_N) : String.valueOf(min));
    try {
      int value = Integer.parseInt(raw.trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // the message below says what is valid
    }
    throw new BadRequest(name + " must be an integer from " + min + " to " + max + " (" + limit + "), got '" + raw + "'");
  }

  private static double number(String raw) {
    try {
      return Double.parseDouble(raw.trim());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static String value(MultiMap query, String name, String fallback) {
    String value = query.get(name);
    return value == null ? fallback : value;
  }
}
