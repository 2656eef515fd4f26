package lab.grpclb.report;

import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;

/**
 * The Deployment's pod template as {@code POST /cluster/pod-template} answers it and {@code GET /cluster} shows it
 * ({@code local.ClusterRoutes} writes both), parsed where it arrives ({@link LabApi}), with the queries that set it
 * again: a section that changes the template puts back the one it found.
 *
 * @param queue null: unlimited
 * @param sigma null but for a lognormal service time
 * @param work timer or cpu
 */
record PodTemplateView(int delayMs, int c, Integer queue, String serviceTime, Double sigma, String work, int warmUpMs,
                       double warmUpFactor) {

  static PodTemplateView fromJson(JsonObject json) {
    return new PodTemplateView(json.getInteger("delay_ms"), json.getInteger("c"), json.getInteger("queue"),
        json.getString("service_time"), json.getDouble("sigma"), json.getString("work", "timer"),
        json.getInteger("warmup_ms"), json.getDouble("warmup_factor"));
  }

  /** The query of {@code POST /cluster/pod-template} that sets this template, every parameter given. */
  String query() {
    return "delay_ms=" + delayMs + "&" + capacityQuery() + "&warmup_ms=" + warmUpMs + "&warmup_factor="
        + plain(warmUpFactor);
  }

  /** The query of {@code POST /cluster/pods/NAME/capacity} that gives a running pod this template's capacity. */
  String capacityQuery() {
    return "c=" + c + (queue == null ? "" : "&queue=" + queue) + "&service_time=" + serviceTime
        + (sigma == null ? "" : "&sigma=" + plain(sigma)) + "&work=" + work;
  }

  /** Digits and a point, as the routes read numbers (never an exponent). */
  private static String plain(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
