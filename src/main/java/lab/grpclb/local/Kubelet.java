package lab.grpclb.local;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the kubelets do for the API: after every pod change, write each pod's object with its status
 * (Pending while it starts, Running and Ready once it serves, a deletionTimestamp once it drains), and
 * delete the object once the pod is gone. A crashed pod reads as it did until the kubelet notices, as its
 * endpoint does. Writes only real changes, so {@code kubectl get pods -w} shows one line per change. A DELETE of a
 * pod ({@code kubectl delete pod}) terminates it within its grace period, as the kubelet does on the API server's
 * word; the pod's object, with its deletionTimestamp, is the answer, and it is deleted once the pod is gone.
 */
final class Kubelet {
  static final String NODE = "local";
  static final String CONTAINER = "greeter-server";
  static final String IMAGE = "grpc-lb-lab:dev";

  private final ControlPlane api;
  private final LocalCluster cluster;
  private final int port;
  private final Map<String, JsonObject> written = new HashMap<>();

  Kubelet(ControlPlane api, LocalCluster cluster, int port) {
    this.api = api;
    this.cluster = cluster;
    this.port = port;
    api.serve(ApiVerb.DELETE, ApiResource.PODS, "", this::delete);
  }

  /**
   * {@code kubectl delete pod NAME [--grace-period=N | --now | --force --grace-period=0]}: the grace period from
   * the DeleteOptions (the pod's template's without one). A pod already terminating is answered as it is, as the API
   * server answers a second deletion.
   */
  private Future<ApiWrite.Reply> delete(ApiWrite write) {
    Pod pod = cluster.pod(write.name());
    if (pod == null || !write.namespace().equals(EndpointController.NAMESPACE)) {
      throw ApiError.notFound(ApiResource.PODS, write.name());
    }
    Object grace = write.body().getValue("gracePeriodSeconds", -1);
    if (!(grace instanceof Number seconds) || seconds.longValue() < -1) {
      throw ApiError.badRequest("gracePeriodSeconds must be a whole number of seconds, 0 or more, got " + grace);
    }
    if (!write.dryRun() && pod.phase() != Pod.Phase.TERMINATING) {
      cluster.deletePod(pod.name(), seconds.longValue());
    }
    return Future.succeededFuture(ApiWrite.Reply.ok(ApiRoutes.typed(ApiResource.PODS,
        api.get(ApiResource.PODS, write.namespace(), pod.name()).orElseGet(() -> object(pod))), List.of()));
  }

  synchronized void sync(Collection<Pod> pods) {
    Set<String> gone = new HashSet<>(written.keySet());
    for (Pod pod : pods) {
      gone.remove(pod.name());
      JsonObject object = object(pod);
      if (!object.equals(written.get(pod.name()))) {
        written.put(pod.name(), object);
        api.apply(ApiResource.PODS, EndpointController.NAMESPACE, object);
      }
    }
    for (String name : gone) {
      written.remove(name);
      api.delete(ApiResource.PODS, EndpointController.NAMESPACE, name);
    }
  }

  private JsonObject object(Pod pod) {
    JsonObject metadata = new JsonObject().put("name", pod.name()).put("labels", new JsonObject()
        .put("app", LocalCluster.DEPLOYMENT).put("pod-template-hash", pod.templateHash()));
    pod.terminating().ifPresent(since -> metadata // as the API server sets it: when the grace period ends
        .put("deletionTimestamp", since.plusSeconds(pod.terminationGraceSeconds()).toString())
        .put("deletionGracePeriodSeconds", pod.terminationGraceSeconds()));
    JsonObject container = new JsonObject().put("name", CONTAINER).put("image", IMAGE)
        .put("ports", new JsonArray().add(new JsonObject().put("name", "grpc").put("containerPort", port).put("protocol", "TCP")));
    return new JsonObject()
        .put("metadata", metadata)
        .put("spec", new JsonObject().put("nodeName", NODE).put("containers", new JsonArray().add(container))
            .put("terminationGracePeriodSeconds", pod.template().gracePeriodSeconds()))
        .put("status", status(pod));
  }

  /**
   * Ready from its first serve until it is gone (a draining pod still serves its calls in flight), but while its node
   * is lost: the node controller marks it not ready then.
   */
  private static JsonObject status(Pod pod) {
    boolean ready = pod.phase() != Pod.Phase.STARTING && pod.phase() != Pod.Phase.NODE_LOST;
    boolean running = pod.phase() != Pod.Phase.STARTING;
    JsonObject state = pod.started()
        .map(Instant::toString)
        .map(at -> new JsonObject().put("running", new JsonObject().put("startedAt", at)))
        .orElse(new JsonObject().put("waiting", new JsonObject().put("reason", "ContainerCreating")));
    return new JsonObject()
        .put("phase", running ? "Running" : "Pending")
        .put("hostIP", "127.0.0.1")
        .put("podIP", pod.ip())
        .put("podIPs", new JsonArray().add(new JsonObject().put("ip", pod.ip())))
        .put("conditions", new JsonArray().add(new JsonObject().put("type", "Ready").put("status", ready ? "True" : "False")))
        .put("containerStatuses", new JsonArray().add(new JsonObject()
            .put("name", CONTAINER).put("image", IMAGE).put("ready", ready).put("started", running)
            .put("restartCount", 0).put("state", state)));
  }
}
