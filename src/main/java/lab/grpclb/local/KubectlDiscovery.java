package lab.grpclb.local;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;

/**
 * The discovery documents kubectl reads before it lists, watches or writes: the groups, versions and resources
 * served, each with the verbs it allows (kubectl picks a resource's name and its scale subresource from them).
 */
final class KubectlDiscovery {
  /** The category {@code kubectl get all} lists: services, pods and deployments are in it on a real server too. */
  private static final JsonArray ALL = new JsonArray().add("all");
  private static final List<String> READ = List.of("get", "list", "watch");

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
        .put("groups", new JsonArray().add(group("apps")).add(group("discovery.k8s.io")))));
    mountOpenApi(router);
    router.get("/api/v1").handler(ctx -> json(ctx.response(), resources("v1",
        entry(ApiResource.SERVICES, READ, "patch").put("shortNames", new JsonArray().add("svc")).put("categories", ALL),
        entry(ApiResource.PODS, READ, "delete").put("shortNames", new JsonArray().add("po")).put("categories", ALL),
        entry(ApiResource.EVENTS, READ).put("shortNames", new JsonArray().add("ev")))));
    router.get("/apis/discovery.k8s.io/v1").handler(ctx ->
        json(ctx.response(), resources("discovery.k8s.io/v1", entry(ApiResource.ENDPOINTSLICES, READ))));
    router.get("/apis/apps/v1").handler(ctx -> json(ctx.response(), resources("apps/v1",
        entry(ApiResource.DEPLOYMENTS, READ, "patch", "update").put("shortNames", new JsonArray().add("deploy"))
            .put("categories", ALL),
        new JsonObject().put("name", "deployments/scale").put("singularName", "").put("namespaced", true)
            .put("group", "autoscaling").put("version", "v1").put("kind", "Scale")
            .put("verbs", new JsonArray().add("get").add("patch").add("update")))));
  }

  /**
   * The OpenAPI v3 documents kubectl apply reads before it sends an object: only whether a PATCH of the object's kind
   * takes the fieldValidation parameter (it does: the server validates, and kubectl needs no schema of its own). No
   * schemas are served, so kubectl computes its strategic merge patch from its compiled-in types.
   */
  private static void mountOpenApi(Router router) {
    router.get("/openapi/v3").handler(ctx -> json(ctx.response(), new JsonObject().put("paths", new JsonObject()
        .put("api/v1", new JsonObject().put("serverRelativeURL", "/openapi/v3/api/v1"))
        .put("apis/apps/v1", new JsonObject().put("serverRelativeURL", "/openapi/v3/apis/apps/v1")))));
    router.get("/openapi/v3/api/v1").handler(ctx -> json(ctx.response(), openApi(ApiResource.SERVICES)));
    router.get("/openapi/v3/apis/apps/v1").handler(ctx -> json(ctx.response(), openApi(ApiResource.DEPLOYMENTS)));
  }

  private static JsonObject openApi(ApiResource resource) {
    String[] groupVersion = resource.apiVersion.contains("/") ? resource.apiVersion.split("/") : new String[] {"", "v1"};
    JsonObject patch = new JsonObject()
        .put("x-kubernetes-group-version-kind", new JsonObject().put("group", groupVersion[0]).put("version", groupVersion[1])
            .put("kind", resource.kind))
        .put("parameters", new JsonArray().add(query("dryRun")).add(query("fieldManager")).add(query("fieldValidation"))
            .add(query("force")))
        .put("responses", new JsonObject());
    return new JsonObject().put("openapi", "3.0.0").put("info", new JsonObject().put("title", "Kubernetes").put("version", "v1.33.0"))
        .put("paths", new JsonObject().put(resource.path("{namespace}") + "/{name}", new JsonObject().put("patch", patch)));
  }

  private static JsonObject query(String name) {
    return new JsonObject().put("name", name).put("in", "query").put("schema", new JsonObject().put("type", "string"));
  }

  private static JsonObject group(String name) {
    JsonObject version = new JsonObject().put("groupVersion", name + "/v1").put("version", "v1");
    return new JsonObject().put("name", name).put("versions", new JsonArray().add(version)).put("preferredVersion", version);
  }

  private static JsonObject entry(ApiResource resource, List<String> read, String... writes) {
    JsonArray verbs = new JsonArray(new ArrayList<>(read));
    List.of(writes).forEach(verbs::add);
    return new JsonObject().put("name", resource.plural).put("singularName", resource.kind.toLowerCase())
        .put("namespaced", true).put("kind", resource.kind).put("verbs", verbs);
  }

  private static JsonObject resources(String groupVersion, JsonObject... entries) {
    return new JsonObject().put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", groupVersion)
        .put("resources", new JsonArray(List.of(entries)));
  }

  private static void json(HttpServerResponse response, JsonObject body) {
    response.putHeader("content-type", "application/json").end(body.encode());
  }
}
