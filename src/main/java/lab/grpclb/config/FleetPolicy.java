package lab.grpclb.config;

/**
 * How a client of a fleet narrows where its calls go, on top of its picker: random subsetting (gRFC A68:
 * {@code subsetSize} endpoints, 0 for all) and zone-aware routing (Envoy's). The flags give the channel's default;
 * a request's {@code subset_size=} and {@code zone_aware=} give a run its own.
 */
public record FleetPolicy(int subsetSize, boolean zoneAware) {
  /** The largest subset size the flag and the query take. */
  public static final int MAX_SUBSET_SIZE = 100_000;
  /** Every endpoint, no zone routing: what the lab did before. */
  public static final FleetPolicy OFF = new FleetPolicy(0, false);

  public FleetPolicy {
    if (subsetSize < 0 || subsetSize > MAX_SUBSET_SIZE) {
      throw new IllegalArgumentException("a subset size is 0 (off) to " + MAX_SUBSET_SIZE + ", got " + subsetSize);
    }
  }

  public FleetPolicy withSubsetSize(int size) {
    return new FleetPolicy(size, zoneAware);
  }

  public FleetPolicy withZoneAware(boolean on) {
    return new FleetPolicy(subsetSize, on);
  }

  /** "subset_size=3 zone_aware=true", the way a request asks for it; "" when off. */
  public String describe() {
    return ((subsetSize > 0 ? "subset_size=" + subsetSize + " " : "") + (zoneAware ? "zone_aware=true" : "")).trim();
  }
}
