package lab.grpclb.experiment;

import lab.grpclb.http.BadRequest;
import lab.grpclb.http.StrictQuery;
import io.vertx.core.MultiMap;
import java.util.Set;
import lab.grpclb.config.ClientType;
import lab.grpclb.config.FleetPolicy;
import lab.grpclb.config.LbPolicy;

/**
 * The experiment a request's query asks for, checked: the client type, the calls, the load shape, how many
 * runs, a balancing type's picker ({@code lb}, null for the --lb default), a latency objective whose met share
 * the report gives ({@code slo_ms}, null for none) and a balancing type's hedging delay ({@code hedging_delay_ms},
 * null for the --hedging-delay-ms default, 0 for none), a balancing type's fleet policy ({@code subset_size},
 * {@code zone_aware}, null for the flags' defaults) and the answer's {@code format}. The query is read strictly ({@link StrictQuery}): an unknown
 * or repeated parameter, or one that means nothing for the type, is a 400.
 */
record ExperimentRequest(ClientType type, int n, LoadShape shape, int runs, LbPolicy lb, Integer sloMs,
                         Integer hedgingDelayMs, Integer subsetSize, Boolean zoneAware, AnswerFormat format) {
  static final ClientType DEFAULT_TYPE = ClientType.CLIENT;
  static final int DEFAULT_N = 1000;
  static final Set<String> PARAMETERS = Set.of("type", "n", "concurrency", "rate", "duration_s", "arrival", "runs",
      "lb", "slo_ms", "hedging_delay_ms", "subset_size", "zone_aware", "format");
  static final String FORMS = "valid forms: n=N (a burst, the default); concurrency=C&n=N (a closed loop);"
      + " rate=R&duration_s=D or rate=R&n=N, optionally with arrival=uniform|poisson (an open loop)";

  static ExperimentRequest parse(MultiMap params, ExperimentLimits limits) {
    StrictQuery query = StrictQuery.of(params, PARAMETERS);
    ClientType type = ClientType.parse(query.get("type", DEFAULT_TYPE.wireName()), BadRequest::new);
    int runs = query.integer("runs", 1, 1, ExperimentLimits.MAX_RUNS, "repeat runs per request");
    LoadShape shape = shape(query, limits);
    int n = shape instanceof LoadShape.OpenLoop open && open.durationS() != null
        ? (int) Math.round(open.ratePerS() * open.durationS())
        : query.integer("n", DEFAULT_N, 1, limits.maxN(), "--max-n");
    if (shape instanceof LoadShape.OpenLoop open) {
      holdToMaxDuration(open, n, limits);
    }
    Integer sloMs = query.has("slo_ms") ? query.integer("slo_ms", 1, 3_600_000, "a latency objective in ms") : null;
    return new ExperimentRequest(type, n, shape, runs, lb(query, type), sloMs, hedgingDelayMs(query, type),
        subsetSize(query, type), zoneAware(query, type), AnswerFormat.parse(query.get("format", "full")));
  }

  private static LoadShape shape(StrictQuery query, ExperimentLimits limits) {
    boolean closed = query.has("concurrency");
    boolean open = query.has("rate");
    if (closed && open) {
      throw new BadRequest("concurrency and rate exclude each other: a loop is closed or open; " + FORMS);
    }
    for (String openOnly : new String[] {"duration_s", "arrival"}) {
      if (!open && query.has(openOnly)) {
        throw new BadRequest(openOnly + " needs rate=R; " + FORMS);
      }
    }
    if (closed) {
      return new LoadShape.ClosedLoop(query.integer("concurrency", 1, limits.maxInFlight(), "--max-in-flight"));
    }
    return open ? openLoop(query, limits) : LoadShape.BURST;
  }

  private static LoadShape.OpenLoop openLoop(StrictQuery query, ExperimentLimits limits) {
    double rate = query.decimal("rate", ExperimentLimits.MIN_RATE, ExperimentLimits.MAX_RATE, "calls per second");
    String rawArrival = query.get("arrival", LoadShape.Arrival.UNIFORM.wireName());
    LoadShape.Arrival arrival = LoadShape.Arrival.parse(rawArrival);
    if (arrival == null) {
      throw new BadRequest("arrival must be uniform or poisson, got '" + rawArrival + "'");
    }
    if (query.has("duration_s") && query.has("n")) {
      throw new BadRequest("an open loop stops after duration_s or after n calls: give one, not both; " + FORMS);
    }
    if (!query.has("duration_s")) {
      return new LoadShape.OpenLoop(rate, arrival, null);
    }
    int seconds = query.integer("duration_s", 1, limits.maxDurationS(), "--max-duration-s");
    long calls = Math.round(rate * seconds);
    if (calls < 1 || calls > limits.maxN()) {
      throw new BadRequest("rate x duration_s must come to 1 to " + limits.maxN() + " calls (--max-n), got " + rate
          + " x " + seconds + " = " + calls);
    }
    return new LoadShape.OpenLoop(rate, arrival, seconds);
  }

  /** An open loop lasts n / rate seconds whichever way it was asked, and no longer than --max-duration-s. */
  private static void holdToMaxDuration(LoadShape.OpenLoop open, int n, ExperimentLimits limits) {
    double seconds = n / open.ratePerS();
    if (seconds > limits.maxDurationS()) {
      throw new BadRequest("an open loop of n=" + n + " at rate=" + open.ratePerS() + " would last "
          + Math.round(seconds) + " s; at most " + limits.maxDurationS() + " s (--max-duration-s): raise rate or"
          + " lower n");
    }
  }

  /** The picker asked for, for a type that balances; null when not asked. */
  private static LbPolicy lb(StrictQuery query, ClientType type) {
    if (!askedOfBalancing(query, type, "lb", "does not balance; it picks for")) {
      return null;
    }
    String raw = query.get("lb", null);
    return LbPolicy.parse(raw).orElseThrow(() -> new BadRequest("lb must be one of " + LbPolicy.wireNames()
        + " (the balancing types' picker; --lb sets the default), got '" + raw + "'"));
  }

  /** The hedging delay asked for, for a type that balances; null when not asked. */
  private static Integer hedgingDelayMs(StrictQuery query, ClientType type) {
    if (!askedOfBalancing(query, type, "hedging_delay_ms", "sends each call once; it hedges")) {
      return null;
    }
    return query.integer("hedging_delay_ms", 0, 3_600_000, "ms before a call is hedged, 0 for no hedging");
  }

  /** The subset size asked for (gRFC A68; 0: every endpoint), for a type that balances; null when not asked. */
  private static Integer subsetSize(StrictQuery query, ClientType type) {
    if (!askedOfBalancing(query, type, "subset_size", "keeps no endpoint list; it subsets for")) {
      return null;
    }
    return query.integer("subset_size", 0, 0, FleetPolicy.MAX_SUBSET_SIZE,
        "endpoints this client keeps, 0 for all; --subset-size sets the default");
  }

  /** Zone-aware routing on or off, for a type that balances; null when not asked. */
  private static Boolean zoneAware(StrictQuery query, ClientType type) {
    if (!askedOfBalancing(query, type, "zone_aware", "knows no zones; it routes by zone for")) {
      return null;
    }
    String raw = query.get("zone_aware", null);
    if (!raw.equals("true") && !raw.equals("false")) {
      throw new BadRequest("zone_aware must be true or false (--zone-aware sets the default), got '" + raw + "'");
    }
    return Boolean.parseBoolean(raw);
  }

  /** {@code defaults} with what this request asks of the fleet policy. */
  FleetPolicy fleet(FleetPolicy defaults) {
    FleetPolicy asked = subsetSize == null ? defaults : defaults.withSubsetSize(subsetSize);
    return zoneAware == null ? asked : asked.withZoneAware(zoneAware);
  }

  /** Whether a parameter only the balancing types read was given; a 400 saying {@code why} for another type. */
  private static boolean askedOfBalancing(StrictQuery query, ClientType type, String parameter, String why) {
    if (!query.has(parameter)) {
      return false;
    }
    if (!ClientType.BALANCING.contains(type)) {
      throw new BadRequest(parameter + " means nothing for " + type + ", which " + why + " "
          + String.join(" and ", ClientType.wireNames(ClientType.BALANCING)));
    }
    return true;
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
    return type + " " + shaped + (runs > 1 ? " runs=" + runs : "") + (lb == null ? "" : " lb=" + lb.wireName())
        + (hedgingDelayMs == null ? "" : " hedging_delay_ms=" + hedgingDelayMs)
        + (subsetSize == null ? "" : " subset_size=" + subsetSize) + (zoneAware == null ? "" : " zone_aware=" + zoneAware);
  }
}
