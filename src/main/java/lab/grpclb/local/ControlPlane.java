package lab.grpclb.local;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyCertOptions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Kubernetes-API-shaped control plane: Services, EndpointSlices, Pods and Deployments per namespace, with list,
 * get and watch, label and field selectors, watches that resume from a resourceVersion, bookmarks, 410
 * Expired for a resourceVersion older than the kept history, the Table output kubectl asks for, bearer
 * tokens, writes handed to the controller that serves them ({@link #serve}), and a Java API to change objects
 * (what the controllers do). It answers the shapes the real API server answers, so the client's discovery code
 * and kubectl run against it unchanged.
 *
 * <p>Its jobs are its parts: the {@link ObjectStore}, the {@link WatchHub}, the {@link ApiRoutes}, the
 * {@link ApiAuth} and the {@link ControlPlaneFaults}. Their I/O and timers all run on one context, the one
 * it was made on.
 */
public final class ControlPlane {
  /** Events kept for watches to resume from; older resourceVersions get 410 Expired. */
  private static final int HISTORY = 1_000;

  private final Vertx vertx;
  private final Context context;
  private final Options options;
  private final ObjectStore store = new ObjectStore(HISTORY);
  private final ApiAuth auth = new ApiAuth();
  private final WatchHub watches;
  private final ControlPlaneFaults faults;
  private final Map<String, ApiWrite.Handler> handlers = new ConcurrentHashMap<>();
  private volatile HttpServer server;
  private volatile String scheme = "http";

  /** Tunables: bookmarks and watch lifetimes are long in a real cluster, short in tests. */
  public record Options(long bookmarkIntervalMs, long watchTimeoutMs) {
    public static Options realistic() {
      return new Options(60_000, 30 * 60_000);
    }
  }

  public ControlPlane(Vertx vertx, Options options) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.options = options;
    this.faults = new ControlPlaneFaults(this::cutWatches, store::compact);
    this.watches = new WatchHub(vertx, context, store, options.bookmarkIntervalMs(), faults::answeredExpired);
    store.onChange(watches::publish);
  }

  public Future<ControlPlane> listen(String host, int port) {
    return listen(new HttpServerOptions().setHost(host).setPort(port));
  }

  /** Serves HTTPS with the given certificate, as a real API server does. */
  public Future<ControlPlane> listenTls(String host, int port, KeyCertOptions certificate) {
    return listen(new HttpServerOptions().setHost(host).setPort(port).setSsl(true).setKeyCertOptions(certificate));
  }

  /** Listens from the control plane's context, so that every request is served on it. */
  private Future<ControlPlane> listen(HttpServerOptions serverOptions) {
    scheme = serverOptions.isSsl() ? "https" : "http";
    ApiRoutes routes = new ApiRoutes(vertx, store, watches, auth, faults, options.watchTimeoutMs(), handlers);
    Promise<ControlPlane> listening = Promise.promise();
    context.runOnContext(v -> {
      server = vertx.createHttpServer(serverOptions).requestHandler(routes.router());
      server.listen().map(this).onComplete(listening);
    });
    return listening.future();
  }

  /** The context every request, watch and handler runs on. */
  Context context() {
    return context;
  }

  public String url() {
    return scheme + "://" + (server == null ? "?" : "127.0.0.1:" + server.actualPort());
  }

  public int port() {
    return server.actualPort();
  }

  // ---- the Java API: what controllers and tests do ----

  /** Creates or replaces an object (metadata.name and the namespace identify it); returns it as stored. */
  public JsonObject apply(ApiResource resource, String namespace, JsonObject object) {
    return store.apply(resource, namespace, object);
  }

  public void delete(ApiResource resource, String namespace, String name) {
    store.delete(resource, namespace, name);
  }

  /** The object as stored now, without its kind and apiVersion. */
  Optional<JsonObject> get(ApiResource resource, String namespace, String name) {
    return store.get(resource, namespace, name);
  }

  /**
   * Hands requests of this verb on the resource (or its subresource; "" for the object itself) to {@code handler},
   * as the API server hands them to a resource's storage; without one they are 405. Handlers run on the control
   * plane's context.
   */
  void serve(ApiVerb verb, ApiResource resource, String subresource, ApiWrite.Handler handler) {
    handlers.put(ApiRoutes.handlerKey(verb, resource, subresource), handler);
  }

  /** Requires {@code Authorization: Bearer <token>} from now on, a token that may do anything (null: no check). */
  public void requireToken(String token) {
    auth.requireToken(token);
  }

  /** A token that may only read, as {@code user} (a service account's); its writes are 403 naming the user. */
  public void addReader(String token, String user) {
    auth.addReader(token, user);
  }

  /**
   * Lets requests without any Authorization header read, as an API server whose RBAC grants system:anonymous
   * reads does; their writes are 403 and a wrong token is still refused.
   */
  public void allowAnonymous(boolean allow) {
    auth.allowAnonymous(allow);
  }

  /** Answers 403 Forbidden for a resource, as missing RBAC would. */
  public void forbid(ApiResource resource, boolean forbid) {
    auth.forbid(resource, forbid);
  }

  /** Every (verb, resource) asked for so far, such as "watch endpointslices.discovery.k8s.io". */
  public Set<String> requestsSeen() {
    return auth.requestsSeen();
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
    watches.endAll();
  }

  /**
   * Forgets the event history, as an API server restarting with a fresh watch cache does: a watch resuming
   * from any resourceVersion handed out so far gets 410 Expired and must relist.
   */
  public void compact() {
    faults.compact();
  }

  private int cutWatches() {
    return watches.cutAll();
  }

  public int openWatches() {
    return watches.count();
  }

  public Future<Void> close() {
    closeWatches();
    return server == null ? Future.succeededFuture() : server.close();
  }
}
