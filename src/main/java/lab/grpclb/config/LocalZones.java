package lab.grpclb.config;

import java.util.List;

/**
 * The local cluster's zones: their names ({@code --zones}; none: zones are off, as before) and the delay a call
 * pays each way when its client's zone is not its pod's ({@code --cross-zone-ms}). The delay is added by the pod,
 * not by any network: local mode has one loopback.
 */
public record LocalZones(List<String> names, int crossZoneMs) {
  public static final LocalZones OFF = new LocalZones(List.of(), 0);

  public LocalZones {
    names = List.copyOf(names);
  }

  static LocalZones from(Flags flags, FleetConfig fleet) {
    return new LocalZones(fleet.zones(), flags.integer(FlagTable.CROSS_ZONE_MS));
  }

  public boolean on() {
    return !names.isEmpty();
  }

  /** The zone of the {@code index}-th of a round robin over the zones (a client's, by its number). */
  public String roundRobin(int index) {
    return names.get(Math.floorMod(index, names.size()));
  }
}
