package lab.grpclb.local;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import lab.grpclb.config.LocalConfig;

/**
 * What Kubernetes' endpoint-slice controller does for the greeter Service: after every pod change, writes
 * the Service's EndpointSlice with each pod's conditions (ready; serving and terminating while it drains).
 * Writes only real changes, so watchers see one event per change, and with each one hands the ready pods' IPs
 * to the cluster DNS, which answers the headless Service's name from them.
 */
final class EndpointController {
  static final String NAMESPACE = LocalConfig.NAMESPACE;
  private static final String SLICE_NAME = LocalCluster.DEPLOYMENT + "-x7k2p";

  private final ControlPlane api;
  private final String service;
  private final int port;
  private final Consumer<List<String>> readyIps;
  private JsonObject lastWritten;

  EndpointController(ControlPlane api, String service, int port, Consumer<List<String>> readyIps) {
    this.api = api;
    this.service = service;
    this.port = port;
    this.readyIps = readyIps;
  }

  /** The Service object itself, as kubectl apply of deploy/server.yaml would create it. */
  void createService(String clusterIp) {
    api.apply(ApiResource.SERVICES, NAMESPACE, new JsonObject()
        .put("metadata", new JsonObject().put("name", service).put("labels", new JsonObject().put("app", service)))
        .put("spec", new JsonObject()
            .put("type", "ClusterIP")
            .put("clusterIP", clusterIp)
            .put("clusterIPs", new JsonArray().add(clusterIp))
            .put("selector", new JsonObject().put("app", service))
            .put("ports", new JsonArray().add(new JsonObject()
                .put("name", "grpc").put("port", port).put("targetPort", port).put("protocol", "TCP")))));
  }

  synchronized void sync(Collection<Pod> pods) {
    JsonArray endpoints = new JsonArray();
    List<String> ready = new ArrayList<>();
    for (Pod pod : pods) {
      if (pod.ready()) {
        ready.add(pod.ip());
      }
      boolean terminating = pod.phase() == Pod.Phase.TERMINATING;
      endpoints.add(new JsonObject()
          .put("addresses", new JsonArray().add(pod.ip()))
          .put("conditions", new JsonObject()
              .put("ready", pod.ready())
              .put("serving", pod.ready() || terminating)
              .put("terminating", terminating))
          .put("targetRef", new JsonObject().put("kind", "Pod").put("namespace", NAMESPACE).put("name", pod.name())));
    }
    JsonObject slice = new JsonObject()
        .put("metadata", new JsonObject().put("name", SLICE_NAME).put("labels", new JsonObject()
            .put("kubernetes.io/service-name", service)
            .put("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io")))
        .put("addressType", "IPv4")
        .put("endpoints", endpoints.isEmpty() ? null : endpoints)
        .put("ports", new JsonArray().add(new JsonObject().put("name", "grpc").put("port", port).put("protocol", "TCP")));
    if (!slice.equals(lastWritten)) {
      lastWritten = slice;
      api.apply(ApiResource.ENDPOINTSLICES, NAMESPACE, slice);
      readyIps.accept(ready);
    }
  }
}
