package lab.grpclb.local;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Logger;
import lab.grpclb.config.ErrorInjection;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.experiment.Responses;

/**
 * The local cluster's controls, what a user would otherwise do with kubectl, on the experiment client's port:
 * {@code GET /cluster}, {@code POST /cluster/scale?replicas=N}, {@code DELETE /cluster/pods/NAME},
 * {@code POST /cluster/pods/NAME/kill}, {@code POST /cluster/pods/NAME/delay?ms=M} and
 * {@code POST /cluster/pods/NAME/errors?rate=R&status=S}.
 */
public final class ClusterRoutes {
  private static final Logger LOG = Logger.getLogger(ClusterRoutes.class.getName());
  public static final int MAX_DELAY_MS = 3_600_000;

  private final LocalCluster cluster;
  private final Rollout rollout;
  private final String service;
  private final String controlPlaneUrl;

  ClusterRoutes(LocalCluster cluster, Rollout rollout, String service, String controlPlaneUrl) {
    this.cluster = cluster;
    this.rollout = rollout;
    this.service = service;
    this.controlPlaneUrl = controlPlaneUrl;
  }

  public void mount(Router router) {
    router.get("/cluster").handler(ctx -> Responses.json(ctx, 200, view()));
    router.post("/cluster/scale").handler(this::scale);
    router.delete("/cluster/pods/:name").handler(this::deletePod);
    router.post("/cluster/pods/:name/kill").handler(this::killPod);
    router.post("/cluster/pods/:name/delay").handler(this::delay);
    router.post("/cluster/pods/:name/errors").handler(this::errors);
  }

  /** GET /cluster: every pod (terminating ones too, until they are gone), the service and the API address. */
  JsonObject view() {
    JsonArray pods = new JsonArray();
    cluster.pods().forEach(pod -> pods.add(podJson(pod)));
    return new JsonObject()
        .put("replicas", rollout.desired())
        .put("pods", pods)
        .put("service", service)
        .put("controlPlane", controlPlaneUrl);
  }

  private static JsonObject podJson(Pod pod) {
    return new JsonObject()
        .put("name", pod.name())
        .put("ip", pod.ip())
        .put("ready", pod.ready())
        .put("terminating", pod.phase() == Pod.Phase.TERMINATING)
        .put("crashed", pod.phase() == Pod.Phase.CRASHED)
        .put("calls", pod.server().greeter().callsServed())
        .put("in_flight", pod.server().greeter().callsInFlight())
        .put("delay_ms", pod.server().greeter().delayMs())
        .put("error_rate", pod.server().greeter().errors().rate())
        .put("error_status", pod.server().greeter().errors().status().name())
        .put("calls_failed_on_purpose", pod.server().greeter().callsFailedOnPurpose());
  }

  /** Like {@code kubectl scale deployments/greeter-server --replicas=N}; answers once the new pods serve. */
  private void scale(RoutingContext ctx) {
    Integer replicas = boundedInt(ctx, "replicas", 0, LocalConfig.MAX_REPLICAS);
    if (replicas == null) {
      return;
    }
    rollout.scale(replicas).onComplete(ar -> {
      if (ar.succeeded()) {
        Responses.json(ctx, 200, view());
      } else {
        Responses.error(ctx, 504, ar.cause().getMessage());
      }
    });
  }

  /**
   * Like {@code kubectl delete pod}: the pod turns terminating and drains in the background, and the Deployment
   * starts a replacement with a new IP. Answers 202 once the replacement serves (milliseconds).
   */
  private void deletePod(RoutingContext ctx) {
    Pod pod = podOr404(ctx);
    if (pod == null) {
      return;
    }
    if (pod.phase() == Pod.Phase.TERMINATING) {
      Responses.error(ctx, 409, "pod " + pod.name() + " is already terminating; live pods: " + livePods());
      return;
    }
    LOG.info(() -> "pod " + pod.name() + " (" + pod.ip() + ") deleted");
    cluster.deletePod(pod.name()).onComplete(ar -> {
      if (ar.failed()) {
        Responses.error(ctx, 500, "could not delete pod " + pod.name() + ": " + ar.cause().getMessage());
        return;
      }
      Responses.json(ctx, 202, new JsonObject()
          .put("deleted", pod.name())
          .put("ip", pod.ip())
          .put("status", "terminating: draining its calls in flight in the background")
          .put("replacement", podJson(ar.result())));
    });
  }

  /**
   * Like {@code kill -9} of the pod's process: its calls in flight fail at once, its endpoint stays ready until
   * the kubelet notices (1 s), then the Deployment replaces it. Answers 202 once the replacement serves.
   */
  private void killPod(RoutingContext ctx) {
    Pod pod = podOr404(ctx);
    if (pod == null) {
      return;
    }
    if (pod.phase() != Pod.Phase.READY) {
      Responses.error(ctx, 409, "pod " + pod.name() + " is " + pod.phase().name().toLowerCase(java.util.Locale.ROOT)
          + ", not serving; live pods: " + livePods());
      return;
    }
    cluster.crash(pod.name()).onComplete(ar -> {
      if (ar.failed()) {
        Responses.error(ctx, 500, "could not kill pod " + pod.name() + ": " + ar.cause().getMessage());
        return;
      }
      Responses.json(ctx, 202, new JsonObject()
          .put("killed", pod.name())
          .put("ip", pod.ip())
          .put("status", "crashed: its calls in flight failed, its endpoint stayed ready for "
              + LocalCluster.CRASH_NOTICED_MS + " ms until the kubelet noticed")
          .put("replacement", podJson(ar.result())));
    });
  }

  /** Makes one pod slow (or fast again) from its next call on. */
  private void delay(RoutingContext ctx) {
    Integer ms = boundedInt(ctx, "ms", 0, MAX_DELAY_MS);
    if (ms == null) {
      return;
    }
    Pod pod = podOr404(ctx);
    if (pod == null) {
      return;
    }
    cluster.delay(pod, ms);
    Responses.json(ctx, 200, podJson(pod));
  }

  /** Makes one pod fail a share of its calls (status default UNAVAILABLE; rate=0 turns it off) from its next call on. */
  private void errors(RoutingContext ctx) {
    ErrorInjection errors;
    try {
      errors = ErrorInjection.parse(ctx.queryParams().get("rate"), ctx.queryParams().get("status"));
    } catch (IllegalArgumentException e) {
      Responses.error(ctx, 400, e.getMessage());
      return;
    }
    Pod pod = podOr404(ctx);
    if (pod == null) {
      return;
    }
    cluster.errors(pod, errors);
    Responses.json(ctx, 200, podJson(pod));
  }

  private Pod podOr404(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Pod pod = cluster.pod(name);
    if (pod == null) {
      Responses.error(ctx, 404, "no pod named '" + name + "'; live pods: " + livePods());
    }
    return pod;
  }

  private String livePods() {
    String names = String.join(", ", cluster.pods().stream().filter(p -> p.phase() == Pod.Phase.READY).map(Pod::name).toList());
    return names.isEmpty() ? "none" : names;
  }

  /** The query parameter as an integer in [min, max], or null after answering 400 naming the range. */
  private static Integer boundedInt(RoutingContext ctx, String name, int min, int max) {
    String raw = ctx.queryParams().get(name);
    try {
      int value = Integer.parseInt(raw == null ? "" : raw.trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // answered below
    }
    Responses.error(ctx, 400, name + " must be an integer from " + min + " to " + max
        + (raw == null ? ", and is missing" : ", got '" + raw + "'"));
    return null;
  }
}
