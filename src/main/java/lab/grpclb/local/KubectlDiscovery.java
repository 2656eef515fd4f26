package lab.grpclb.local;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;

/** The discovery documents kubectl reads before it lists or watches: the groups, versions and resources served. */
final class KubectlDiscovery {
  /** The category {@code kubectl get all} lists: services and pods are in it on a real server too. */
  private static final JsonArray ALL = new JsonArray().add("all");

  private KubectlDiscovery() {
  }

  static void mount(Router router) {
    router.get("/version").handler(ctx -> json(ctx.response(), new JsonObject()
        .put("major", "1").put("minor", "33").put("gitVersion", "v1.33.0-grpc-lb-lab").put("platform", "local")));
    router.get("/api").handler(ctx -> json(ctx.response(), new JsonObject()
        .put("kind", "APIVersions").put("versions", new JsonArray().add("v1"))
        .put("serverAddressByClientCIDRs", new JsonArray())));
    router.get("/apis").handler(ctx -> json(ctx.response(), new JsonObject()
        .put("kind", "APIGroupList").put("apiVersion", "v1")
        .put("groups", new JsonArray().add(new JsonObject().put("name", "discovery.k8s.io")
            .put("versions", new JsonArray().add(version()))
            .put("preferredVersion", version())))));
    router.get("/api/v1").handler(ctx -> json(ctx.response(), resources("v1",
        entry(ApiResource.SERVICES).put("shortNames", new JsonArray().add("svc")).put("categories", ALL),
        entry(ApiResource.PODS).put("shortNames", new JsonArray().add("po")).put("categories", ALL))));
    router.get("/apis/discovery.k8s.io/v1").handler(ctx ->
        json(ctx.response(), resources("discovery.k8s.io/v1", entry(ApiResource.ENDPOINTSLICES))));
  }

  private static JsonObject version() {
    return new JsonObject().put("groupVersion", "discovery.k8s.io/v1").put("version", "v1");
  }

  private static JsonObject entry(ApiResource resource) {
    return new JsonObject().put("name", resource.plural).put("singularName", resource.kind.toLowerCase())
        .put("namespaced", true).put("kind", resource.kind)
        .put("verbs", new JsonArray().add("get").add("list").add("watch"));
  }

  private static JsonObject resources(String groupVersion, JsonObject... entries) {
    return new JsonObject().put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", groupVersion)
        .put("resources", new JsonArray(List.of(entries)));
  }

  private static void json(io.vertx.core.http.HttpServerResponse response, JsonObject body) {
    response.putHeader("content-type", "application/json").end(body.encode());
  }
}
