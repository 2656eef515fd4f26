package lab.grpclb.local;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import lab.grpclb.config.ApiAccess;
import lab.grpclb.http.ApiGuard;

/**
 * The API server's HTTP routes: list, get and watch of each resource in a namespace (list and watch in all of them
 * too), as JSON objects or as the Table kubectl asks for, with label and field selectors; the writes and
 * subresources a controller serves ({@link ApiWrite.Handler}, 405 for the others); the discovery documents; a 404
 * Status for anything else. Every request passes auth, then the injected faults, before it is served.
 */
final class ApiRoutes {
  /** An object kubectl sends is a few KB; this bounds what a stranger can make the server hold. */
  private static final long BODY_LIMIT = 1 << 20;

  private final Vertx vertx;
  private final ObjectStore store;
  private final WatchHub watches;
  private final ApiAuth auth;
  private final ControlPlaneFaults faults;
  private final long watchTimeoutMs;
  private final Map<String, ApiWrite.Handler> handlers;

  ApiRoutes(Vertx vertx, ObjectStore store, WatchHub watches, ApiAuth auth, ControlPlaneFaults faults, long watchTimeoutMs,
            Map<String, ApiWrite.Handler> handlers) {
    this.vertx = vertx;
    this.store = store;
    this.watches = watches;
    this.auth = auth;
    this.faults = faults;
    this.watchTimeoutMs = watchTimeoutMs;
    this.handlers = handlers;
  }

  /** The key a handler is registered under: "patch deployments/scale". */
  static String handlerKey(ApiVerb verb, ApiResource resource, String subresource) {
    return verb.rbac() + " " + resource.plural + (subresource.isEmpty() ? "" : "/" + subresource);
  }

  /**
   * The API's routes: kubectl's requests pass, a web page's (another site's, or one that rebound its name to this
   * address) are refused as on the experiment API.
   */
  Router router() {
    Router router = Router.router(vertx);
    router.route().handler(new ApiGuard(ApiAccess.OPEN, reason -> { }));
    for (HttpMethod method : new HttpMethod[] {HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE}) {
      router.route().method(method).handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
    }
    for (ApiResource resource : ApiResource.values()) {
      String collection = resource.prefix + "/namespaces/:namespace/" + resource.plural;
      router.get(resource.prefix + "/" + resource.plural).handler(ctx -> collection(ctx, resource)); // kubectl get -A
      router.get(collection).handler(ctx -> collection(ctx, resource));
      router.post(collection).handler(ctx -> write(ctx, ApiVerb.CREATE, resource, ""));
      router.get(collection + "/:name").handler(ctx -> single(ctx, resource));
      router.put(collection + "/:name").handler(ctx -> write(ctx, ApiVerb.UPDATE, resource, ""));
      router.patch(collection + "/:name").handler(ctx -> write(ctx, ApiVerb.PATCH, resource, ""));
      router.delete(collection + "/:name").handler(ctx -> write(ctx, ApiVerb.DELETE, resource, ""));
      for (String subresource : resource.subresources) {
        String path = collection + "/:name/" + subresource;
        router.get(path).handler(ctx -> write(ctx, ApiVerb.GET, resource, subresource));
        router.put(path).handler(ctx -> write(ctx, ApiVerb.UPDATE, resource, subresource));
        router.patch(path).handler(ctx -> write(ctx, ApiVerb.PATCH, resource, subresource));
      }
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
    if (!admitted(ctx, watching ? ApiVerb.WATCH : ApiVerb.LIST, resource, "")) {
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
    if (!admitted(ctx, ApiVerb.GET, resource, "")) {
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
      error(ctx.response(), ApiError.notFound(resource, name));
    } else if (table.isPresent()) {
      json(ctx.response(), TableOutput.CONTENT_TYPE, table.get().table(resource, object.get()));
    } else {
      json(ctx.response(), "application/json", typed(resource, object.get()));
    }
  }

  /** A write, or a subresource's read: the registered handler answers it, or 405 says the server allows none. */
  private void write(RoutingContext ctx, ApiVerb verb, ApiResource resource, String subresource) {
    if (!admitted(ctx, verb, resource, subresource)) {
      return;
    }
    ApiWrite.Handler handler = handlers.get(handlerKey(verb, resource, subresource));
    if (handler == null) {
      error(ctx.response(), ApiError.methodNotAllowed("the server does not allow this method on the requested resource"));
      return;
    }
    ApiWrite write;
    try {
      write = new ApiWrite(verb, resource, subresource, namespace(ctx), name(ctx), patchType(ctx, verb), body(ctx),
          dryRun(ctx));
    } catch (ApiError e) {
      error(ctx.response(), e);
      return;
    }
    Future<ApiWrite.Reply> answer;
    try {
      answer = handler.handle(write);
    } catch (ApiError refused) {
      answer = Future.failedFuture(refused);
    }
    answer.onComplete(ar -> {
      if (ar.succeeded()) {
        ApiWrite.Reply result = ar.result();
        // RFC 7234's warn-code 299, "Miscellaneous persistent warning": kubectl prints each as "Warning: TEXT"
        result.warnings().forEach(w -> ctx.response().headers().add("Warning", "299 - \"" + w.replace("\\", "\\\\")
            .replace("\"", "\\\"") + "\""));
        ctx.response().setStatusCode(result.code());
        json(ctx.response(), "application/json", result.object());
      } else if (ar.cause() instanceof ApiError refused) {
        error(ctx.response(), refused);
      } else {
        status(ctx.response(), 500, "InternalError", String.valueOf(ar.cause().getMessage()));
      }
    });
  }

  private static ApiWrite.PatchType patchType(RoutingContext ctx, ApiVerb verb) {
    if (verb != ApiVerb.PATCH) {
      return null;
    }
    String contentType = String.valueOf(ctx.request().getHeader("Content-Type")).split(";")[0].trim();
    for (ApiWrite.PatchType type : ApiWrite.PatchType.values()) {
      if (type.contentType.equals(contentType)) {
        return type;
      }
    }
    throw ApiError.unsupportedMediaType("the body of the request was in an unknown format - accepted media types include: "
        + String.join(", ", Arrays.stream(ApiWrite.PatchType.values()).map(t -> t.contentType).toList()));
  }

  /** The JSON object sent, or an empty one for none (a DELETE's DeleteOptions are optional). */
  private static JsonObject body(RoutingContext ctx) {
    String text = ctx.body() == null ? "" : ctx.body().asString();
    if (text == null || text.isBlank()) {
      return new JsonObject();
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw ApiError.badRequest("the body must be one JSON object (kubectl sends JSON): " + e.getMessage());
    }
  }

  private static boolean dryRun(RoutingContext ctx) {
    String dryRun = ctx.queryParams().get("dryRun");
    if (dryRun != null && !dryRun.equals("All")) {
      throw ApiError.badRequest("Invalid dry run value: '" + dryRun + "' (the only valid value is All)");
    }
    return dryRun != null;
  }

  private static Optional<TableOutput> tableRequested(RoutingContext ctx) {
    return TableOutput.requested(ctx.request().getHeader("Accept"), ctx.queryParams().get("includeObject"));
  }

  private boolean admitted(RoutingContext ctx, ApiVerb verb, ApiResource resource, String subresource) {
    Optional<ApiAuth.Refusal> refusal = auth.check(ctx.request().getHeader("Authorization"), verb, resource, subresource,
        namespace(ctx), name(ctx));
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

  private static String name(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    return name == null ? "" : name;
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

  private static void error(HttpServerResponse response, ApiError error) {
    response.setStatusCode(error.code).putHeader("content-type", "application/json").end(error.status().encode());
  }

  static void status(HttpServerResponse response, int code, String reason, String message) {
    response.setStatusCode(code).putHeader("content-type", "application/json").end(statusObject(code, reason, message).encode());
  }

  static JsonObject statusObject(int code, String reason, String message) {
    return new JsonObject().put("kind", "Status").put("apiVersion", "v1").put("metadata", new JsonObject())
        .put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
  }
}
