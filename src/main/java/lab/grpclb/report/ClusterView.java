package lab.grpclb.report;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code GET /cluster} as the report reads it, parsed once where it arrives ({@link LabApi}), as
 * {@code ReportJson} parses an experiment's answer: no report file reads the cluster's JSON by key. It holds the
 * fields the report uses; {@code local.ClusterRoutes} writes them.
 *
 * @param service      the service address (kube-proxy's role: a random ready pod per connection)
 * @param controlPlane the URL of the Kubernetes-shaped API that ClientWithKubeResolver watches
 * @param pods         every pod, terminating ones too until they are gone, in the cluster's order
 */
record ClusterView(String service, String controlPlane, List<PodView> pods) {

  /** A pod as the cluster lists it, and as a pod deletion names its replacement. */
  record PodView(String name, String ip, boolean ready, int delayMs) {
    static PodView fromJson(JsonObject json) {
      return new PodView(json.getString("name"), json.getString("ip"), json.getBoolean("ready"), json.getInteger("delay_ms"));
    }
  }

  static ClusterView fromJson(JsonObject json) {
    List<PodView> pods = json.getJsonArray("pods").stream().map(JsonObject.class::cast).map(PodView::fromJson).toList();
    return new ClusterView(json.getString("service"), json.getString("control_plane"), pods);
  }

  Optional<PodView> firstReady() {
    return pods.stream().filter(PodView::ready).findFirst();
  }

  Set<String> readyIps() {
    Set<String> ips = new TreeSet<>();
    pods.stream().filter(PodView::ready).forEach(pod -> ips.add(pod.ip()));
    return ips;
  }

  /** Every pod's IP, in numeric order. */
  List<String> ips() {
    return pods.stream().map(PodView::ip).sorted(MeasuredRun.IP_ORDER).toList();
  }

  /** The pods' reply delay, as the first pod has it: the cluster's --delay-ms until a section slows one pod. */
  int delayMs() {
    return pods.get(0).delayMs();
  }
}
