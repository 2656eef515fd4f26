package lab.grpclb.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What {@code --mode local --report [NAME]} runs: the write-up (bare {@code --report}), one experiment beyond it,
 * or all of them.
 */
public enum ReportKind {
  WRITEUP("writeup"), SLOW_POD("slow-pod"), ERRORING_POD("erroring-pod"), EQUAL_PODS("equal-pods"),
  /** The three picker experiments. */
  PICKERS("pickers"),
  DNS("dns"), MAX_AGE("max-age"), ROLLOUT("rollout"),
  /** The three experiments on the workarounds engineers reach for. */
  WORKAROUNDS("workarounds"),
  /** A pod that goes silent (frozen, still listed) under an open loop, per client type and picker. */
  SILENT_POD("silent-pod"),
  /** Pods with a capacity, overloaded by a hot spot: p99 and failures per client type from 50 % to 110 % of it. */
  HOT_SPOT("hot-spot"),
  /** Equal pods with exponential service at 80 %: the pickers' tails (the power of two choices). */
  EQUAL_PODS_VARIANCE("equal-pods-variance"),
  /** Pods of capacity 1:1:2:4: how evenly each picker loads them, weighted_round_robin included. */
  HETEROGENEOUS("heterogeneous"),
  /** Cold pods joining under load (a scale 3 -> 6), round_robin with slow start off and on. */
  COLD_START("cold-start"),
  /** A fleet of 1 to 50 clients against 10 pods: max/mean load per pod, connections and p99 per kind of client. */
  FLEET("fleet"),
  /** 50 clients while the pods scale 10 -> 15: connections moved and seconds to even load, max connection age off and on. */
  FLEET_SCALE("fleet-scale"),
  /** Clients and pods over 3 zones: round robin against zone-aware routing, and a zone left one pod. */
  ZONES("zones"),
  /** The three experiments on loaded pods of a capacity (cold-start, on cold ones, runs on its own). */
  CAPACITY("capacity"),
  ALL("all");

  private final String wireName;

  ReportKind(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** Whether a report of this kind includes that part. */
  public boolean includes(ReportKind part) {
    return this == part || this == ALL
        || this == PICKERS && (part == SLOW_POD || part == ERRORING_POD || part == EQUAL_PODS)
        || this == WORKAROUNDS && (part == DNS || part == MAX_AGE || part == ROLLOUT)
        || this == CAPACITY && (part == HOT_SPOT || part == EQUAL_PODS_VARIANCE || part == HETEROGENEOUS);
  }

  static ReportKind from(Flags flags) {
    if (!flags.isSet(FlagTable.REPORT)) {
      return null;
    }
    String raw = flags.optional(FlagTable.REPORT);
    if (raw == null || raw.equals("true")) {
      return WRITEUP;
    }
    if (raw.equals("false")) {
      return null; // --report=false, as a switch takes it
    }
    return Arrays.stream(values()).filter(kind -> kind.wireName.equals(raw)).findFirst().orElseThrow(() ->
        new ConfigException("--report takes no value (the write-up) or one of " + names() + ", got '" + raw + "'"));
  }

  static String names() {
    return Arrays.stream(values()).map(ReportKind::wireName).collect(Collectors.joining(", "));
  }
}
