package lab.grpclb.local;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The core/v1 Events {@code kubectl get events} lists, written as the controllers and the kubelet write them: the
 * Deployment scaling its ReplicaSet, the ReplicaSet creating and deleting pods, the kubelet stopping a pod's
 * container, the node controller marking a frozen pod's node not ready. Only the newest are kept, as the API server
 * expires old events.
 */
final class ClusterEvents {
  /** Events kept; the oldest is deleted past this (a cluster keeps them an hour). */
  static final int KEPT = 200;
  private static final String NAMESPACE = EndpointController.NAMESPACE;

  private final ControlPlane api;
  private final Deque<String> names = new ArrayDeque<>();
  /** The phase each pod had at the last change, so each transition is told once. */
  private final Map<String, Pod.Phase> phases = new HashMap<>();
  private long sequence;

  ClusterEvents(ControlPlane api) {
    this.api = api;
  }

  /** After every pod change: a pod new since the last one was created; one newly terminating is being stopped. */
  synchronized void sync(Collection<Pod> pods) {
    Set<String> gone = new HashSet<>(phases.keySet());
    for (Pod pod : pods) {
      gone.remove(pod.name());
      Pod.Phase before = phases.put(pod.name(), pod.phase());
      if (before == null) {
        replicaSet(pod.templateHash(), "SuccessfulCreate", "Created pod: " + pod.name());
      } else if (before != pod.phase()) {
        changed(pod);
      }
    }
    phases.keySet().removeAll(gone);
  }

  private void changed(Pod pod) {
    if (pod.phase() == Pod.Phase.TERMINATING) {
      if (!"deleted".equals(pod.removedBecause())) { // the ReplicaSet chose it; a kubectl delete names no controller
        replicaSet(pod.templateHash(), "SuccessfulDelete", "Deleted pod: " + pod.name());
      }
      write("Pod", pod.name(), "v1", "Killing", "Stopping container " + Kubelet.CONTAINER + " (" + pod.removedBecause()
          + "; grace period " + pod.terminationGraceSeconds() + " s)", "kubelet", "Normal");
    } else if (pod.phase() == Pod.Phase.NODE_LOST) {
      write("Pod", pod.name(), "v1", "NodeNotReady", "Node is not ready", "node-controller", "Warning");
    }
  }

  /** The Deployment controller's word for a scale: "Scaled up replica set greeter-server-HASH from 3 to 5". */
  synchronized void scaled(String templateHash, int from, int to) {
    write("Deployment", LocalCluster.DEPLOYMENT, "apps/v1", "ScalingReplicaSet", "Scaled " + (to > from ? "up" : "down")
        + " replica set " + LocalCluster.DEPLOYMENT + "-" + templateHash + " from " + from + " to " + to,
        "deployment-controller", "Normal");
  }

  private void replicaSet(String templateHash, String reason, String message) {
    write("ReplicaSet", LocalCluster.DEPLOYMENT + "-" + templateHash, "apps/v1", reason, message, "replicaset-controller",
        "Normal");
  }

  /** One Event, named as the API server names them: the object's name and a unique suffix. */
  private void write(String kind, String name, String apiVersion, String reason, String message, String component,
                     String type) {
    String at = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    String eventName = name + "." + Long.toHexString(System.currentTimeMillis() * 1000 + sequence++ % 1000);
    api.apply(ApiResource.EVENTS, NAMESPACE, new JsonObject()
        .put("metadata", new JsonObject().put("name", eventName))
        .put("involvedObject", new JsonObject().put("kind", kind).put("namespace", NAMESPACE).put("name", name)
            .put("apiVersion", apiVersion))
        .put("reason", reason).put("message", message)
        .put("source", component.equals("kubelet") ? new JsonObject().put("component", component).put("host", Kubelet.NODE)
            : new JsonObject().put("component", component))
        .put("firstTimestamp", at).put("lastTimestamp", at).put("count", 1).put("type", type));
    names.addLast(eventName);
    if (names.size() > KEPT) {
      api.delete(ApiResource.EVENTS, NAMESPACE, names.removeFirst());
    }
  }
}
