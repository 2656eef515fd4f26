package lab.grpclb.report;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The cluster's zones as {@code GET /cluster} shows them: the names (--zones; empty when off), the cross-zone delay,
 * and each ready pod's zone in IP order, parsed where it arrives.
 */
record ZoneView(List<String> zones, int crossZoneMs, List<PodZone> pods) {

  /** One ready pod and the zone it runs in. */
  record PodZone(String name, String ip, String zone) {
  }

  static ZoneView fromJson(JsonObject cluster) {
    List<PodZone> pods = cluster.getJsonArray("pods").stream().map(JsonObject.class::cast)
        .filter(pod -> pod.getBoolean("ready", false))
        .map(pod -> new PodZone(pod.getString("name"), pod.getString("ip"), pod.getString("zone")))
        .sorted((a, b) -> MeasuredRun.IP_ORDER.compare(a.ip(), b.ip())).toList();
    return new ZoneView(cluster.getJsonArray("zones").stream().map(String::valueOf).toList(),
        cluster.getInteger("cross_zone_ms", 0), pods);
  }

  /** The share of the pods in {@code zone}. */
  double podShare(String zone) {
    return pods.isEmpty() ? 0 : (double) pods.stream().filter(p -> zone.equals(p.zone())).count() / pods.size();
  }
}
