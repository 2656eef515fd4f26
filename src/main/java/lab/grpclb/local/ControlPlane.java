package lab.grpclb.local;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A Kubernetes-API-shaped control plane: Services and EndpointSlices per namespace, with list, label and
 * field selectors, chunked watches that resume from a resourceVersion, bookmarks, 410 Expired for a
 * resourceVersion older than the kept history, an optional bearer token, and a Java API to change objects
 * (what the endpoint controller does). It answers the shapes the real API server answers, so the client's
 * discovery code runs against it unchanged.
 */
public final class ControlPlane {
  /** Events kept for watches to resume from; older resourceVersions get 410 Expired. */
  private static final int HISTORY = 1_000;

  private final Vertx vertx;
  private final Options options;
  private final Map<String, JsonObject> objects = new TreeMap<>();
  private final Deque<Event> history = new ArrayDeque<>();
  private final List<Watch> watches = new CopyOnWriteArrayList<>();
  private final Set<ApiResource> forbidden = ConcurrentHashMap.newKeySet();
  private final Set<String> requestsSeen = ConcurrentHashMap.newKeySet();
  private long resourceVersion = 1;
  private long oldestResumable = 1;
  private final ControlPlaneFaults faults = new ControlPlaneFaults(this::dropWatchStreams, this::forgetHistory);
  private volatile String token;
  private volatile boolean allowAnonymous;
  private HttpServer server;
  private String scheme = "http";

  /** Tunables: bookmarks and watch lifetimes are long in a real cluster, short in tests. */
  public record Options(long bookmarkIntervalMs, long watchTimeoutMs) {
    public static Options realistic() {
      return new Options(60_000, 30 * 60_000);
    }
  }

  private record Event(long rv, ApiResource resource, String namespace, String type, JsonObject object) {
  }

  public ControlPlane(Vertx vertx, Options options) {
    this.vertx = vertx;
    this.options = options;
  }

  public Future<ControlPlane> listen(String host, int port) {
    return listen(new HttpServerOptions().setHost(host).setPort(port));
  }

  /** Serves HTTPS with the given certificate, as a real API server does. */
  public Future<ControlPlane> listenTls(String host, int port, KeyCertOptions certificate) {
    return listen(new HttpServerOptions().setHost(host).setPort(port).setSsl(true).setKeyCertOptions(certificate));
  }

  private Future<ControlPlane> listen(HttpServerOptions options) {
    scheme = options.isSsl() ? "https" : "http";
    Router router = Router.router(vertx);
    for (ApiResource resource : ApiResource.values()) {
      router.get(resource.prefix + "/namespaces/:namespace/" + resource.plural).handler(ctx -> collection(ctx, resource));
      router.get(resource.prefix + "/namespaces/:namespace/" + resource.plural + "/:name").handler(ctx -> single(ctx, resource));
    }
    KubectlDiscovery.mount(router);
    router.route().last().handler(ctx -> status(ctx.response(), 404, "NotFound", "the server could not find the requested resource"));
    server = vertx.createHttpServer(options).requestHandler(router);
    return server.listen().map(this);
  }

  public String url() {
    return scheme + "://" + (server == null ? "?" : "127.0.0.1:" + server.actualPort());
  }

  public int port() {
    return server.actualPort();
  }

  // ---- the Java API: what controllers and tests do ----

  /** Creates or replaces an object (metadata.name and the namespace identify it); returns it as stored. */
  public synchronized JsonObject apply(ApiResource resource, String namespace, JsonObject object) {
    JsonObject stored = object.copy();
    stored.remove("kind");
    stored.remove("apiVersion");
    JsonObject metadata = stored.getJsonObject("metadata");
    String key = key(resource, namespace, metadata.getString("name"));
    JsonObject previous = objects.get(key);
    metadata.put("namespace", namespace).put("resourceVersion", String.valueOf(++resourceVersion));
    if (previous == null) {
      metadata.put("uid", UUID.randomUUID().toString()).put("creationTimestamp", Instant.now().toString());
    } else {
      JsonObject before = previous.getJsonObject("metadata");
      metadata.put("uid", before.getString("uid")).put("creationTimestamp", before.getString("creationTimestamp"));
    }
    objects.put(key, stored);
    record(new Event(resourceVersion, resource, namespace, previous == null ? "ADDED" : "MODIFIED", stored));
    return stored.copy();
  }

  public synchronized void delete(ApiResource resource, String namespace, String name) {
    JsonObject removed = objects.remove(key(resource, namespace, name));
    if (removed != null) {
      removed.getJsonObject("metadata").put("resourceVersion", String.valueOf(++resourceVersion));
      record(new Event(resourceVersion, resource, namespace, "DELETED", removed));
    }
  }

  /** Requires {@code Authorization: Bearer <token>} from now on (null: no check). */
  public void requireToken(String token) {
    this.token = token;
  }

  /**
   * Lets requests without any Authorization header read, as an API server with anonymous access does
   * (kubectl sends no token over plain HTTP); a wrong token is still refused.
   */
  public void allowAnonymous(boolean allow) {
    this.allowAnonymous = allow;
  }

  /** Answers 403 Forbidden for a resource, as missing RBAC would. */
  public void forbid(ApiResource resource, boolean forbid) {
    if (forbid) {
      forbidden.add(resource);
    } else {
      forbidden.remove(resource);
    }
  }

  /** The next {@code count} requests fail with the given HTTP status, as an overloaded API server would. */
  public void failNextRequests(int count, int status) {
    faults.failNext(count, status);
  }

  /** The fault switches: dropped watch streams, compaction, injected error answers. */
  public ControlPlaneFaults faults() {
    return faults;
  }

  /** Ends every open watch, as the API server does when a watch times out or the server restarts. */
  public void closeWatches() {
    watches.forEach(Watch::end);
  }

  /**
   * Forgets the event history, as an API server restarting with a fresh watch cache does: a watch resuming
   * from any resourceVersion handed out so far gets 410 Expired and must relist.
   */
  public void compact() {
    faults.compact();
  }

  private synchronized void forgetHistory() {
    history.clear();
    oldestResumable = ++resourceVersion;
  }

  private int dropWatchStreams() {
    List<Watch> open = List.copyOf(watches);
    open.forEach(Watch::cut);
    return open.size();
  }

  public int openWatches() {
    return watches.size();
  }

  public Future<Void> close() {
    closeWatches();
    return server == null ? Future.succeededFuture() : server.close();
  }

  // ---- HTTP ----

  private void collection(RoutingContext ctx, ApiResource resource) {
    if (!admitted(ctx, resource, "true".equals(ctx.queryParams().get("watch")) ? "watch" : "list")) {
      return;
    }
    Predicate<JsonObject> selector;
    try {
      selector = Selector.of(ctx.queryParams().get("labelSelector"), ctx.queryParams().get("fieldSelector"));
    } catch (IllegalArgumentException e) {
      status(ctx.response(), 400, "BadRequest", e.getMessage());
      return;
    }
    String namespace = ctx.pathParam("namespace");
    if ("true".equals(ctx.queryParams().get("watch"))) {
      watch(ctx, resource, namespace, selector);
      return;
    }
    JsonObject list;
    synchronized (this) {
      list = new JsonObject()
          .put("apiVersion", resource.apiVersion)
          .put("kind", resource.kind + "List")
          .put("metadata", new JsonObject().put("resourceVersion", String.valueOf(resourceVersion)))
          .put("items", new JsonArray(new ArrayList<>(matching(resource, namespace, selector))));
    }
    ctx.response().putHeader("content-type", "application/json").end(list.encode());
  }

  private void single(RoutingContext ctx, ApiResource resource) {
    if (!admitted(ctx, resource, "get")) {
      return;
    }
    JsonObject object;
    synchronized (this) {
      object = objects.get(key(resource, ctx.pathParam("namespace"), ctx.pathParam("name")));
    }
    if (object == null) {
      status(ctx.response(), 404, "NotFound", resource.plural + " \"" + ctx.pathParam("name") + "\" not found");
      return;
    }
    JsonObject typed = new JsonObject().put("kind", resource.kind).put("apiVersion", resource.apiVersion).mergeIn(object);
    ctx.response().putHeader("content-type", "application/json").end(typed.encode());
  }

  /** Every (verb, resource) asked for so far, such as "watch endpointslices.discovery.k8s.io". */
  public Set<String> requestsSeen() {
    return Set.copyOf(requestsSeen);
  }

  private boolean admitted(RoutingContext ctx, ApiResource resource, String verb) {
    requestsSeen.add(verb + " " + resource.plural + (resource.group.isEmpty() ? "" : "." + resource.group));
    String expected = token;
    String presented = ctx.request().getHeader("Authorization");
    boolean anonymousOk = allowAnonymous && presented == null;
    if (expected != null && !anonymousOk && !("Bearer " + expected).equals(presented)) {
      status(ctx.response(), 401, "Unauthorized", "Unauthorized");
      return false;
    }
    if (forbidden.contains(resource)) {
      String group = resource.group.isEmpty() ? "\"\"" : "\"" + resource.group + "\"";
      status(ctx.response(), 403, "Forbidden", resource.plural + (resource.group.isEmpty() ? "" : "." + resource.group)
          + " is forbidden: User \"system:serviceaccount:" + ctx.pathParam("namespace") + ":greeter-client\" cannot "
          + verb + " resource \"" + resource.plural + "\" in API group " + group + " in the namespace \""
          + ctx.pathParam("namespace") + "\"");
      return false;
    }
    int failure = faults.takeFailure();
    if (failure != 0) {
      status(ctx.response(), failure, "InternalError", "injected failure");
      return false;
    }
    return true;
  }

  private void watch(RoutingContext ctx, ApiResource resource, String namespace, Predicate<JsonObject> selector) {
    HttpServerResponse response = ctx.response().setChunked(true).putHeader("content-type", "application/json");
    String from = ctx.queryParams().get("resourceVersion");
    boolean bookmarks = "true".equals(ctx.queryParams().get("allowWatchBookmarks"));
    Watch watch = new Watch(vertx.getOrCreateContext(), ctx.request(), resource, namespace, selector);
    List<JsonObject> initial = new ArrayList<>();
    synchronized (this) {
      if (from == null || from.isEmpty() || from.equals("0")) {
        matching(resource, namespace, selector).forEach(o -> initial.add(event("ADDED", resource, o)));
      } else {
        long rv = parseRv(from);
        if (rv < oldestResumable) {
          faults.answeredExpired();
          response.end(event("ERROR", null, expiredStatus(from)).encode() + "\n");
          return;
        }
        for (Event e : history) {
          if (e.rv > rv && watch.wants(e)) {
            initial.add(event(e.type, e.resource, e.object));
          }
        }
      }
      watches.add(watch); // from here on, record() delivers new events to it
    }
    response.write(String.join("", initial.stream().map(e -> e.encode() + "\n").toList()));
    long lifetime = timeoutMs(ctx);
    long endTimer = vertx.setTimer(lifetime, id -> watch.end());
    long bookmarkTimer = bookmarks ? vertx.setPeriodic(options.bookmarkIntervalMs(), id -> watch.bookmark()) : -1;
    response.closeHandler(v -> forget(watch, endTimer, bookmarkTimer));
    response.endHandler(v -> forget(watch, endTimer, bookmarkTimer));
  }

  private void forget(Watch watch, long endTimer, long bookmarkTimer) {
    watches.remove(watch);
    vertx.cancelTimer(endTimer);
    vertx.cancelTimer(bookmarkTimer);
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
    return options.watchTimeoutMs();
  }

  /** One open watch stream; everything it writes goes through its own context. */
  private final class Watch {
    private final Context context;
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final ApiResource resource;
    private final String namespace;
    private final Predicate<JsonObject> selector;

    Watch(Context context, HttpServerRequest request, ApiResource resource, String namespace, Predicate<JsonObject> selector) {
      this.context = context;
      this.request = request;
      this.response = request.response();
      this.resource = resource;
      this.namespace = namespace;
      this.selector = selector;
    }

    boolean wants(Event e) {
      return e.resource == resource && e.namespace.equals(namespace) && selector.test(e.object);
    }

    void send(JsonObject event) {
      String line = event.encode() + "\n";
      context.runOnContext(v -> {
        if (!response.ended() && !response.closed()) {
          response.write(line);
        }
      });
    }

    void bookmark() {
      long rv;
      synchronized (ControlPlane.this) {
        rv = resourceVersion;
      }
      send(new JsonObject().put("type", "BOOKMARK").put("object", new JsonObject()
          .put("kind", resource.kind).put("apiVersion", resource.apiVersion)
          .put("metadata", new JsonObject().put("resourceVersion", String.valueOf(rv)))));
    }

    void end() {
      watches.remove(this);
      context.runOnContext(v -> {
        if (!response.ended() && !response.closed()) {
          response.end();
        }
      });
    }

    /** Ends the stream without its last chunk: HTTP/1.1 can only say so by closing the connection. */
    void cut() {
      watches.remove(this);
      context.runOnContext(v -> {
        if (!response.ended() && !response.closed()) {
          if (request.version() == HttpVersion.HTTP_2) {
            response.reset();
          } else {
            request.connection().close();
          }
        }
      });
    }
  }

  // ---- internals ----

  private void record(Event e) {
    history.addLast(e);
    if (history.size() > HISTORY) {
      oldestResumable = history.removeFirst().rv;
    }
    JsonObject event = event(e.type, e.resource, e.object);
    for (Watch watch : watches) {
      if (watch.wants(e)) {
        watch.send(event);
      }
    }
  }

  private List<JsonObject> matching(ApiResource resource, String namespace, Predicate<JsonObject> selector) {
    String prefix = resource.name() + "/" + namespace + "/";
    List<JsonObject> found = new ArrayList<>();
    objects.forEach((key, object) -> {
      if (key.startsWith(prefix) && selector.test(object)) {
        found.add(object.copy());
      }
    });
    return found;
  }

  private static JsonObject event(String type, ApiResource resource, JsonObject object) {
    JsonObject typed = resource == null ? object
        : new JsonObject().put("kind", resource.kind).put("apiVersion", resource.apiVersion).mergeIn(object);
    return new JsonObject().put("type", type).put("object", typed);
  }

  private static JsonObject expiredStatus(String rv) {
    return new JsonObject().put("kind", "Status").put("apiVersion", "v1").put("metadata", new JsonObject())
        .put("status", "Failure").put("message", "too old resource version: " + rv)
        .put("reason", "Expired").put("code", 410);
  }

  private static void status(HttpServerResponse response, int code, String reason, String message) {
    response.setStatusCode(code).putHeader("content-type", "application/json").end(new JsonObject()
        .put("kind", "Status").put("apiVersion", "v1").put("metadata", new JsonObject())
        .put("status", "Failure").put("message", message).put("reason", reason).put("code", code).encode());
  }

  private static long parseRv(String rv) {
    try {
      return Long.parseLong(rv);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String key(ApiResource resource, String namespace, String name) {
    return resource.name() + "/" + namespace + "/" + name;
  }
}
