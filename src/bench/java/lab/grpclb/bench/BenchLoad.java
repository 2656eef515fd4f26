package lab.grpclb.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import lab.grpclb.experiment.ExperimentLimits;
import lab.grpclb.experiment.LoadShape;

/**
 * One row's load, as {@code --shape} spells it and the experiment API's query carries it: a burst of n calls
 * (the rows of the n list), a closed loop ({@code closed:c=C,n=N}) or an open loop ({@code open:rate=R,duration_s=D}
 * or {@code open:rate=R,n=N}, either with {@code ,arrival=uniform|poisson}). The grpc-java peer reads the query
 * back through {@link #fromQuery}, so both clients run exactly the same load.
 */
public record BenchLoad(LoadShape shape, int n) {
  public static final String FORMS = "valid forms: closed:c=C,n=N (a closed loop); open:rate=R,duration_s=D or"
      + " open:rate=R,n=N, either with ,arrival=uniform|poisson (an open loop); the n list gives the bursts";
  static final int MAX_N = 100_000_000;
  static final int MAX_DURATION_S = 86_400;
  private static final Set<String> OPEN_KEYS = Set.of("rate", "duration_s", "n", "arrival");

  static BenchLoad burst(int n) {
    return new BenchLoad(LoadShape.BURST, n);
  }

  /** A {@code --shape} value; a bad one is a {@link BenchOptions.Usage} naming the valid forms. */
  static BenchLoad parse(String spec) {
    String what = "--shape '" + spec + "'";
    int colon = spec.indexOf(':');
    String kind = (colon < 0 ? spec : spec.substring(0, colon)).trim();
    Map<String, String> params = new LinkedHashMap<>();
    for (String part : colon < 0 ? new String[0] : spec.substring(colon + 1).split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0 || params.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim()) != null) {
        throw bad(what, "'" + part.trim() + "' is not a key=value given once");
      }
    }
    return switch (kind) {
      case "closed" -> closed(what, params, "c");
      case "open" -> open(what, params);
      default -> throw bad(what, "unknown shape '" + kind + "'");
    };
  }

  /**
   * The load an experiment query asks for (the inverse of {@link #query}, without type and runs): rate= is an open
   * loop, concurrency= a closed one, anything else a burst of n.
   */
  public static BenchLoad fromQuery(Map<String, String> query) {
    String what = "query '" + String.join("&", query.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()) + "'";
    Map<String, String> params = new LinkedHashMap<>(query);
    if (params.containsKey("rate")) {
      return open(what, params);
    }
    if (params.containsKey("concurrency")) {
      return closed(what, params, "concurrency");
    }
    if (!params.keySet().equals(Set.of("n"))) {
      throw bad(what, "a burst takes n=N alone");
    }
    return burst(integer(what, params, "n", MAX_N));
  }

  /** The query string of {@code GET /experiment/client}, without type. */
  String query() {
    if (shape instanceof LoadShape.ClosedLoop closed) {
      return "concurrency=" + closed.concurrency() + "&n=" + n;
    }
    if (shape instanceof LoadShape.OpenLoop open) {
      return "rate=" + number(open.ratePerS()) + "&" + (open.durationS() != null ? "duration_s=" + open.durationS() : "n=" + n)
          + "&arrival=" + open.arrival().wireName();
    }
    return "n=" + n;
  }

  /** As {@code --shape} spells it (a burst: n=N). */
  String spec() {
    if (shape instanceof LoadShape.ClosedLoop closed) {
      return "closed:c=" + closed.concurrency() + ",n=" + n;
    }
    if (shape instanceof LoadShape.OpenLoop open) {
      return "open:rate=" + number(open.ratePerS()) + "," + (open.durationS() != null ? "duration_s=" + open.durationS() : "n=" + n)
          + (open.arrival() == LoadShape.Arrival.UNIFORM ? "" : ",arrival=" + open.arrival().wireName());
    }
    return "n=" + n;
  }

  boolean isBurst() {
    return shape instanceof LoadShape.Burst;
  }

  /** A closed loop; its concurrency is {@code c} in a spec and {@code concurrency} in a query. */
  private static BenchLoad closed(String what, Map<String, String> params, String concurrencyKey) {
    Set<String> keys = Set.of(concurrencyKey, "n");
    checkKeys(what, params, keys, "a closed loop takes " + concurrencyKey + " and n");
    if (!params.keySet().containsAll(keys)) {
      throw bad(what, "a closed loop needs " + concurrencyKey + "=C and n=N");
    }
    int concurrency = integer(what, params, concurrencyKey, MAX_N);
    return new BenchLoad(new LoadShape.ClosedLoop(concurrency), integer(what, params, "n", MAX_N));
  }

  private static BenchLoad open(String what, Map<String, String> params) {
    checkKeys(what, params, OPEN_KEYS, "an open loop takes rate, duration_s or n, and arrival");
    boolean duration = params.containsKey("duration_s");
    if (!params.containsKey("rate") || duration == params.containsKey("n")) {
      throw bad(what, "an open loop needs rate=R and one of duration_s=D or n=N");
    }
    String rawRate = params.get("rate");
    double rate = decimal(rawRate);
    if (!(rate > 0 && rate <= ExperimentLimits.MAX_RATE)) {
      throw bad(what, "rate must be calls per second above 0 and at most " + ExperimentLimits.MAX_RATE + ", got '" + rawRate + "'");
    }
    String rawArrival = params.getOrDefault("arrival", LoadShape.Arrival.UNIFORM.wireName());
    LoadShape.Arrival arrival = LoadShape.Arrival.parse(rawArrival);
    if (arrival == null) {
      throw bad(what, "arrival must be uniform or poisson, got '" + rawArrival + "'");
    }
    if (!duration) {
      return new BenchLoad(new LoadShape.OpenLoop(rate, arrival, null), integer(what, params, "n", MAX_N));
    }
    int seconds = integer(what, params, "duration_s", MAX_DURATION_S);
    long calls = Math.round(rate * seconds);
    if (calls < 1 || calls > MAX_N) {
      throw bad(what, "rate x duration_s must come to 1 to " + MAX_N + " calls, got " + calls);
    }
    return new BenchLoad(new LoadShape.OpenLoop(rate, arrival, seconds), (int) calls);
  }

  private static void checkKeys(String what, Map<String, String> params, Set<String> valid, String takes) {
    for (String key : params.keySet()) {
      if (!valid.contains(key)) {
        throw bad(what, "unknown parameter '" + key + "': " + takes);
      }
    }
  }

  private static int integer(String what, Map<String, String> params, String key, int max) {
    String raw = params.get(key);
    try {
      int value = Integer.parseInt(raw.trim().replace("_", ""));
      if (value >= 1 && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // the message below says what is valid
    }
    throw bad(what, key + " must be an integer from 1 to " + max + ", got '" + raw + "'");
  }

  private static double decimal(String raw) {
    try {
      return Double.parseDouble(raw.trim().replace("_", ""));
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static String number(double value) {
    return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
  }

  private static BenchOptions.Usage bad(String what, String why) {
    return new BenchOptions.Usage(what + ": " + why + "; " + FORMS);
  }

  /** The loads of a run in table order: the bursts of the n list, then the shapes as given. */
  static List<BenchLoad> all(List<Integer> ns, List<BenchLoad> shapes) {
    List<BenchLoad> loads = new ArrayList<>(ns.stream().map(BenchLoad::burst).toList());
    loads.addAll(shapes);
    return List.copyOf(loads);
  }
}
