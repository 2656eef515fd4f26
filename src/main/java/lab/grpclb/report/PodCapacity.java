package lab.grpclb.report;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A pod's capacity model and its queue as {@code GET /cluster} shows them ({@code local.ClusterRoutes} writes the
 * {@code capacity} object), parsed where it arrives as {@link ClusterView} is: the capacity sections set pods'
 * capacities, watch their queues, and put back what they found.
 *
 * @param queueLength calls waiting for a slot when the cluster answered
 */
record PodCapacity(String name, String ip, Setting setting, int queueLength) {

  /**
   * What {@code POST /cluster/pods/NAME/capacity} sets: {@code calls} at once (0: unlimited), {@code queue} waiting
   * at most (null: unlimited), the service time's shape around the pod's delay, lognormal's sigma (else null), and
   * how the time is spent (timer or cpu).
   */
  record Setting(int calls, Integer queue, String serviceTime, Double sigma, String work) {
    /** A setting whose calls spend their time as timers, as the capacity sections' models assume. */
    Setting(int calls, Integer queue, String serviceTime, Double sigma) {
      this(calls, queue, serviceTime, sigma, "timer");
    }

    /** The query the route takes; an absent parameter is the flag's default there, so only set ones are sent. */
    String query() {
      return "c=" + calls + (queue == null ? "" : "&queue=" + queue) + "&service_time=" + serviceTime
          + (sigma == null ? "" : "&sigma=" + sigma) + ("timer".equals(work) ? "" : "&work=" + work);
    }
  }

  static List<PodCapacity> listFromJson(JsonObject cluster) {
    return cluster.getJsonArray("pods").stream().map(JsonObject.class::cast).map(PodCapacity::fromJson).toList();
  }

  private static PodCapacity fromJson(JsonObject pod) {
    JsonObject capacity = pod.getJsonObject("capacity");
    return new PodCapacity(pod.getString("name"), pod.getString("ip"), new Setting(capacity.getInteger("c"),
        capacity.getInteger("queue"), capacity.getString("service_time"), capacity.getDouble("sigma"),
        capacity.getString("work", "timer")),
        capacity.getInteger("queue_length"));
  }
}
