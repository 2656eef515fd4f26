package lab.grpclb.local;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import lab.grpclb.config.ApiAccess;
import lab.grpclb.http.ApiGuard;

/**
 * The API server's HTTP routes: list, get and watch of each resource in a namespace (list and watch in all
 * of them too), as JSON objects or as
 * the Table kubectl asks for, with label and field selectors; the discovery documents; a 404 Status for
 * anything else. Every request passes auth, then the injected faults, before it is served.
 */
final class ApiRoutes {
  private final Vertx vertx;
  private final ObjectStore store;
  private final WatchHub watches;
  private final ApiAuth auth;
  private final ControlPlaneFaults faults;
  private final long watchTimeoutMs;

  ApiRoutes(Vertx vertx, ObjectStore store, WatchHub watches, ApiAuth auth, ControlPlaneFaults faults, long watchTimeoutMs) {
    this.vertx = vertx;
    this.store = store;
    this.watches = watches;
    this.auth = auth;
    this.faults = faults;
    this.watchTimeoutMs = watchTimeoutMs;
  }

  /**
   * The API's routes: kubectl's requests pass, a web page's (another site's, or one that rebound its name to this
   * address) are refused as on the experiment API.
   */
  Router router() {
    Router router = Router.router(vertx);
    router.route().handler(new ApiGuard(ApiAccess.OPEN, reason -> { }));
    for (ApiResource resource : ApiResource.values()) {
      router.get(resource.prefix + "/" + resource.plural).handler(ctx -> collection(ctx, resource)); // kubectl get -A
      router.get(resource.prefix + "/namespaces/:namespace/" + resource.plural).handler(ctx -> collection(ctx, resource));
      router.get(resource.prefix + "/namespaces/:namespace/" + resource.plural + "/:name").handler(ctx -> single(ctx, resource));
    }
    KubectlDiscovery.mount(router);
    router.route().last().handler(ctx -> status(ctx.response(), 404, "NotFound", "the server could not find the requested resource"));
    return router;
  }

  /** The object as the API answers it, with its kind and apiVersion. */
  static JsonObject typed(ApiResource resource, JsonObject object) {
    return new JsonObject().put("kind", resource.kind).put("apiVersion", resource.apiVersion).mergeIn(object);
  }

  private void collection(RoutingContext ctx, ApiResource resource) {
    String watch = ctx.queryParams().get("watch");
    boolean watching = "true".equals(watch) || "1".equals(watch);
    String namespace = namespace(ctx);
    if (!admitted(ctx, resource, watching ? "watch" : "list")) {
      return;
    }
    Predicate<JsonObject> selector;
    Optional<TableOutput> table;
    try {
      selector = Selector.of(ctx.queryParams().get("labelSelector"), ctx.queryParams().get("fieldSelector"));
      table = tableRequested(ctx);
    } catch (IllegalArgumentException e) {
      status(ctx.response(), 400, "BadRequest", e.getMessage());
      return;
    }
    if (watching) {
      Function<JsonObject, JsonObject> encode = table.isPresent() ? o -> table.get().table(resource, o) : o -> typed(resource, o);
      watches.open(ctx.request(), new WatchHub.Request(resource, namespace, selector, ctx.queryParams().get("resourceVersion"),
          "true".equals(ctx.queryParams().get("allowWatchBookmarks")), timeoutMs(ctx)), encode);
      return;
    }
    ObjectStore.Snapshot snapshot = store.list(resource, namespace, selector);
    if (table.isPresent()) {
      json(ctx.response(), TableOutput.CONTENT_TYPE, table.get().table(resource, snapshot.items(), snapshot.resourceVersion()));
      return;
    }
    json(ctx.response(), "application/json", new JsonObject()
        .put("apiVersion", resource.apiVersion)
        .put("kind", resource.kind + "List")
        .put("metadata", new JsonObject().put("resourceVersion", String.valueOf(snapshot.resourceVersion())))
        .put("items", new JsonArray(snapshot.items())));
  }

  private void single(RoutingContext ctx, ApiResource resource) {
    if (!admitted(ctx, resource, "get")) {
      return;
    }
    Optional<TableOutput> table;
    try {
      table = tableRequested(ctx);
    } catch (IllegalArgumentException e) {
      status(ctx.response(), 400, "BadRequest", e.getMessage());
      return;
    }
    String name = ctx.pathParam("name");
    Optional<JsonObject> object = store.get(resource, ctx.pathParam("namespace"), name);
    if (object.isEmpty()) {
      status(ctx.response(), 404, "NotFound", resource.plural + " \"" + name + "\" not found");
    } else if (table.isPresent()) {
      json(ctx.response(), TableOutput.CONTENT_TYPE, table.get().table(resource, object.get()));
    } else {
      json(ctx.response(), "application/json", typed(resource, object.get()));
    }
  }

  private static Optional<TableOutput> tableRequested(RoutingContext ctx) {
    return TableOutput.requested(ctx.request().getHeader("Accept"), ctx.queryParams().get("includeObject"));
  }

  private boolean admitted(RoutingContext ctx, ApiResource resource, String verb) {
    Optional<ApiAuth.Refusal> refusal = auth.check(ctx.request().getHeader("Authorization"), verb, resource, namespace(ctx));
    if (refusal.isPresent()) {
      status(ctx.response(), refusal.get().code(), refusal.get().reason(), refusal.get().message());
      return false;
    }
    int failure = faults.takeFailure();
    if (failure != 0) {
      status(ctx.response(), failure, "InternalError", "injected failure");
      return false;
    }
    return true;
  }

  /** The path's namespace; none means all of them. */
  private static String namespace(RoutingContext ctx) {
    String namespace = ctx.pathParam("namespace");
    return namespace == null ? ObjectStore.ALL_NAMESPACES : namespace;
  }

  private long timeoutMs(RoutingContext ctx) {
    String seconds = ctx.queryParams().get("timeoutSeconds");
    if (seconds != null) {
      try {
        return Math.max(1, Long.parseLong(seconds) * 1000);
      } catch (NumberFormatException ignored) {
        // fall back to the server's own limit
      }
    }
    return watchTimeoutMs;
  }

  private static void json(HttpServerResponse response, String contentType, JsonObject body) {
    response.putHeader("content-type", contentType).end(body.encode());
  }

  static void status(HttpServerResponse response, int code, String reason, String message) {
    response.setStatusCode(code).putHeader("content-type", "application/json").end(new JsonObject()
        .put("kind", "Status").put("apiVersion", "v1").put("metadata", new JsonObject())
        .put("status", "Failure").put("message", message).put("reason", reason).put("code", code).encode());
  }
}
