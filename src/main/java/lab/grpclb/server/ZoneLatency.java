package lab.grpclb.server;

import lab.grpclb.call.CallOptions;

/**
 * A local-mode pod's zone and the cross-zone delay: a call whose client names another zone
 * ({@link CallOptions#CLIENT_ZONE_HEADER}) waits {@code crossZoneMs} for its request's trip and as long for its
 * reply's, both added before the pod serves it (the same 2 x per call; the pod's queue sees the call that much
 * later, as it would over a slower network). It is delay the pod adds, not a network: every pod shares one loopback.
 * A call naming no zone, or a pod in none, pays nothing.
 */
public record ZoneLatency(String zone, int crossZoneMs) {
  public static final ZoneLatency NONE = new ZoneLatency(null, 0);

  /** The delay added to a call from a client in {@code clientZone} (null: it named none). */
  public long extraMs(String clientZone) {
    return zone == null || clientZone == null || crossZoneMs == 0 || zone.equals(clientZone) ? 0 : 2L * crossZoneMs;
  }
}
