package lab.grpclb.config;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;

/**
 * Who this client is in its fleet: its id (the salt of its subset, so it keeps its subset across restarts), its zone
 * and the zones its fleet spreads over (zone-aware routing assumes as many clients in each), and the default
 * {@link FleetPolicy}. The id defaults to the host name (a pod's name on Kubernetes) and the process id, unique per
 * process; the zone to none, which turns zone routing into an even spread.
 */
public record FleetConfig(String clientId, String zone, List<String> zones, FleetPolicy defaults) {
  /** No subsetting, no zones, an id unique to this process. */
  public static final FleetConfig DEFAULT = new FleetConfig(processId(System.getenv("HOSTNAME")), null, List.of(),
      FleetPolicy.OFF);

  public FleetConfig {
    zones = List.copyOf(zones);
    if (zone != null && !zones.isEmpty() && !zones.contains(zone)) {
      throw new ConfigException("--zones must include --zone '" + zone + "', got " + zones);
    }
  }

  static FleetConfig from(Flags flags) {
    String zone = flags.text(FlagTable.ZONE);
    String zones = flags.text(FlagTable.ZONES);
    return new FleetConfig(flags.text(FlagTable.CLIENT_ID, processId(flags.env("HOSTNAME"))),
        zone == null || zone.isBlank() ? null : zone.trim(),
        zones == null ? List.of() : Arrays.stream(zones.split(",")).map(String::trim).filter(z -> !z.isEmpty()).toList(),
        new FleetPolicy(flags.integer(FlagTable.SUBSET_SIZE), flags.bool(FlagTable.ZONE_AWARE)));
  }

  /** "host-pid": unique per process on a host, and per pod on Kubernetes, where the host name is the pod's. */
  static String processId(String hostname) {
    String host = hostname == null || hostname.isBlank() ? "client" : hostname;
    return host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
  }

  /** The same fleet, this client in {@code newZone} (null: none) under id {@code newId}: one of local mode's clients. */
  public FleetConfig withClient(String newId, String newZone) {
    return new FleetConfig(newId, newZone, zones, defaults);
  }

  public FleetConfig withDefaults(FleetPolicy policy) {
    return new FleetConfig(clientId, zone, zones, policy);
  }
}
