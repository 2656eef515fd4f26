package lab.grpclb.config;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How ClientWithKubeResolver picks an endpoint for a call: the default from {@code --lb}, and per call with
 * {@code GreeterChannel.withLb}. The wire names are what a user types ({@code --lb}, {@code lb=}).
 */
public enum LbPolicy {
  /** Rotates over the READY endpoints: the write-up's exact splits. */
  ROUND_ROBIN("round_robin"),
  /** Two random READY endpoints, the one with fewer calls in flight (Envoy LEAST_REQUEST, gRFC A48). */
  LEAST_REQUEST("least_request"),
  /** Two random READY endpoints, the one with the lower peak-EWMA RTT x (calls in flight + 1) (Linkerd, Finagle). */
  PEAK_EWMA("peak_ewma"),
  /** Round robin weighted by the load each pod reports: qps / utilization (gRFC A58, with A51's ORCA reports). */
  WEIGHTED_ROUND_ROBIN("weighted_round_robin"),
  /** One connection to one READY endpoint, tried in a shuffled order; on its loss the next one (gRFC A62). */
  PICK_FIRST("pick_first");

  private final String wireName;

  LbPolicy(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** Whether its picks weigh endpoints by the pods' load reports (so its calls read them). */
  public boolean weighsByLoadReports() {
    return this == WEIGHTED_ROUND_ROBIN;
  }

  /** The policy with this wire name; empty for anything else (then name {@link #wireNames()} in the error). */
  public static Optional<LbPolicy> parse(String wireName) {
    return Arrays.stream(values()).filter(p -> p.wireName.equals(wireName)).findFirst();
  }

  /** "round_robin, least_request, ...": for an error naming the valid values. */
  public static String wireNames() {
    return Arrays.stream(values()).map(LbPolicy::wireName).collect(Collectors.joining(", "));
  }

  static LbPolicy from(Flags flags) {
    String raw = flags.text(FlagTable.LB);
    return parse(raw).orElseThrow(() -> new ConfigException("--lb must be one of " + wireNames() + ", got '" + raw + "'"));
  }
}
