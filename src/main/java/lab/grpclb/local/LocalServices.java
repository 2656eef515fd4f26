package lab.grpclb.local;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import lab.grpclb.config.DnsConfig;

/**
 * The Services local mode runs as they are: greeter-server (the service address, {@link EndpointController} writes
 * it) and greeter-server-headless (the cluster DNS answers its name). kubectl apply of deploy/server.yaml patches
 * them: their labels and annotations are taken (so the next apply reads "unchanged"), their spec is kept, and a
 * warning names the spec fields the patch would have changed, as local mode cannot move its addresses or ports.
 */
final class LocalServices {
  private final ControlPlane api;
  private final int port;

  LocalServices(ControlPlane api, int port) {
    this.api = api;
    this.port = port;
    api.serve(ApiVerb.PATCH, ApiResource.SERVICES, "", this::patch);
  }

  /** The headless Service's object, as kubectl apply of deploy/server.yaml would have made it. */
  void createHeadless() {
    JsonObject spec = appliedSpec().put("clusterIP", "None");
    JsonObject service = new JsonObject()
        .put("metadata", new JsonObject().put("name", DnsConfig.HEADLESS_SERVICE).put("labels", selector()))
        .put("spec", spec.copy().put("type", "ClusterIP").put("clusterIPs", new JsonArray().add("None")));
    api.apply(ApiResource.SERVICES, EndpointController.NAMESPACE,
        AppliedByKubectl.annotate(ApiResource.SERVICES, EndpointController.NAMESPACE, service, spec));
  }

  /** greeter-server's object, which {@link EndpointController} made, as kubectl apply would have left it. */
  void annotateService(String name) {
    api.get(ApiResource.SERVICES, EndpointController.NAMESPACE, name).ifPresent(service -> api.apply(ApiResource.SERVICES,
        EndpointController.NAMESPACE, AppliedByKubectl.annotate(ApiResource.SERVICES, EndpointController.NAMESPACE, service,
            appliedSpec().put("type", "ClusterIP"))));
  }

  /** What a manifest of these Services sets: the selector and the port, here local mode's. */
  private JsonObject appliedSpec() {
    return new JsonObject().put("selector", selector()).put("ports", new JsonArray().add(new JsonObject()
        .put("name", "grpc").put("port", port).put("targetPort", port).put("protocol", "TCP")));
  }

  private static JsonObject selector() {
    return new JsonObject().put(DeploymentSpec.SELECTOR_LABEL, LocalCluster.DEPLOYMENT);
  }

  private Future<ApiWrite.Reply> patch(ApiWrite write) {
    JsonObject current = api.get(ApiResource.SERVICES, write.namespace(), write.name())
        .orElseThrow(() -> ApiError.notFound(ApiResource.SERVICES, write.name()));
    JsonObject candidate = ObjectPatch.apply(current, write.patchType(), write.body());
    JsonObject spec = current.getJsonObject("spec");
    JsonObject wanted = candidate.getJsonObject("spec", new JsonObject());
    TreeSet<String> changed = new TreeSet<>(wanted.fieldNames());
    changed.addAll(spec.fieldNames());
    changed.removeIf(field -> Objects.equals(wanted.getValue(field), spec.getValue(field)));
    List<String> warnings = changed.isEmpty() ? List.of() : List.of("local mode runs Service " + write.name()
        + " as it is (its pods and its address listen on --port " + port + "): it kept the spec, without these changes: "
        + String.join(", ", changed.stream().map(f -> "spec." + f).toList()));
    JsonObject kept = current.copy().put("metadata", candidate.getJsonObject("metadata").copy().put("name", write.name()));
    if (write.dryRun()) {
      return Future.succeededFuture(ApiWrite.Reply.ok(ApiRoutes.typed(ApiResource.SERVICES, kept), warnings));
    }
    JsonObject stored = api.apply(ApiResource.SERVICES, write.namespace(), kept);
    return Future.succeededFuture(ApiWrite.Reply.ok(ApiRoutes.typed(ApiResource.SERVICES, stored), warnings));
  }
}
