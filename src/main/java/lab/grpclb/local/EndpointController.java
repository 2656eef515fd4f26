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
 * to the cluster DNS, which answers the headless Service's name from them. The benchmark seeds its control plane
 * through it too, for servers that run in JVMs of their own ({@link #syncReady}).
 */
public final class EndpointController {
  public static final String NAMESPACE = LocalConfig.NAMESPACE;
  private static final String SLICE_NAME = LocalCluster.DEPLOYMENT + "-x7k2p";

  private final ControlPlane api;
  private final String service;
  private final int port;
  private JsonObject lastWritten;

  private final Consumer<List<String>> readyIps;

  /** {@code readyIps} hears the ready pods' IPs on every change (a cluster DNS publishes them). */
  public EndpointController(ControlPlane api, String service, int port, Consumer<List<String>> readyIps) {
    this.api = api;
    this.service = service;
    this.port = port;
    this.readyIps = readyIps;
  }

  /** The Service object itself, as kubectl apply of deploy/server.yaml would create it. */
  public void createService(String clusterIp) {
    createService(clusterIp, false);
  }

  /** The same, with {@code trafficDistribution: PreferClose} when {@code preferClose} (local mode with zones). */
  public void createService(String clusterIp, boolean preferClose) {
    JsonObject service = serviceObject(clusterIp);
    if (preferClose) {
      service.getJsonObject("spec").put("trafficDistribution", "PreferClose");
    }
    api.apply(ApiResource.SERVICES, NAMESPACE, service);
  }

  private JsonObject serviceObject(String clusterIp) {
    return new JsonObject()
        .put("metadata", new JsonObject().put("name", service).put("labels", new JsonObject().put("app", service)))
        .put("spec", new JsonObject()
            .put("type", "ClusterIP")
            .put("clusterIP", clusterIp)
            .put("clusterIPs", new JsonArray().add(clusterIp))
            .put("selector", new JsonObject().put("app", service))
            .put("ports", new JsonArray().add(new JsonObject()
                .put("name", "grpc").put("port", port).put("targetPort", port).put("protocol", "TCP"))));
  }

  synchronized void sync(Collection<Pod> pods) {
    JsonArray endpoints = new JsonArray();
    List<String> ready = new ArrayList<>();
    for (Pod pod : pods) {
      if (pod.ready()) {
        ready.add(pod.ip());
      }
      endpoints.add(inZone(endpoint(pod.ip(), pod.name(), pod.ready(), pod.phase() == Pod.Phase.TERMINATING),
          pod.zone(), pod.ready()));
    }
    write(endpoints, ready);
  }

  /** Replicas this JVM does not run (the benchmark's server JVMs), each ready, named after the Deployment. */
  public synchronized void syncReady(List<String> ips) {
    JsonArray endpoints = new JsonArray();
    for (int i = 0; i < ips.size(); i++) {
      endpoints.add(endpoint(ips.get(i), LocalCluster.DEPLOYMENT + "-bench-" + i, true, false));
    }
    write(endpoints, ips);
  }

  private static JsonObject endpoint(String ip, String podName, boolean ready, boolean terminating) {
    return new JsonObject()
        .put("addresses", new JsonArray().add(ip))
        .put("conditions", new JsonObject()
            .put("ready", ready)
            .put("serving", ready || terminating)
            .put("terminating", terminating))
        .put("targetRef", new JsonObject().put("kind", "Pod").put("namespace", NAMESPACE).put("name", podName));
  }

  /**
   * The endpoint's zone and, when ready, its hint, as the EndpointSlice controller writes them for a Service with
   * {@code trafficDistribution: PreferClose}: each ready endpoint hinted for its own zone (Kubernetes'
   * preferCloseHeuristic), nothing more. The older {@code service.kubernetes.io/topology-mode: Auto} (KEP-2433)
   * allocates instead: each zone gets endpoints in proportion to its nodes' CPU cores, some hinted for another
   * zone, and the controller drops every hint when a zone would get too few (over 20 % above its share) or has no
   * endpoint at all. A pod with no zone (local mode without --zones) gets neither.
   */
  private static JsonObject inZone(JsonObject endpoint, String zone, boolean ready) {
    if (zone == null) {
      return endpoint;
    }
    endpoint.put("zone", zone);
    if (ready) {
      endpoint.put("hints", new JsonObject().put("forZones", new JsonArray().add(new JsonObject().put("name", zone))));
    }
    return endpoint;
  }

  private void write(JsonArray endpoints, List<String> ready) {
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
