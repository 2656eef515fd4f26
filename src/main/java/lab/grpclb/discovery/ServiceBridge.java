package lab.grpclb.discovery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import io.vertx.servicediscovery.kubernetes.KubernetesServiceImporter;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import lab.grpclb.config.KubeConfig;

/**
 * The Vert.x Kubernetes discovery bridge, used for what it does: it imports the Service (its existence,
 * cluster IP, port, labels) into a Vert.x ServiceDiscovery. It never sees pods, so routing does not depend
 * on it (our {@link EndpointSliceImporter}, on the same discovery, publishes those). It talks only to its {@link BridgeGuard} on a loopback port, which reaches the API server through our
 * API client (verified TLS, token re-read) and keeps from the bridge what it mishandles.
 */
public final class ServiceBridge {
  private static final Logger LOG = Logger.getLogger(ServiceBridge.class.getName());
  /** The bridge reads these over its configured host and port (KubernetesServiceImporter.init, 5.0.7). */
  static final String HOST_ENV = "KUBERNETES_SERVICE_HOST";
  static final String PORT_ENV = "KUBERNETES_SERVICE_PORT";
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1");
  private static final long RETRY_BASE_MS = 1_000;
  private static final long RETRY_CAP_MS = 30_000;

  private final Vertx vertx;
  private final KubeConfig config;
  private final KubeApiClient api;
  private final Map<String, String> env;
  private final BridgeGuard guard;
  private final Backoff backoff = new Backoff(RETRY_BASE_MS, RETRY_CAP_MS);
  private final ServiceDiscovery discovery;
  private boolean started;
  private volatile String error;
  private volatile boolean closed;
  private long retryTimer = -1;

  public ServiceBridge(Vertx vertx, KubeApiClient api, ServiceDiscovery discovery) {
    this(vertx, api, discovery, System.getenv());
  }

  ServiceBridge(Vertx vertx, KubeApiClient api, ServiceDiscovery discovery, Map<String, String> env) {
    this.vertx = vertx;
    this.discovery = discovery;
    this.api = api;
    this.config = api.config();
    this.env = env;
    this.guard = new BridgeGuard(vertx, api);
  }

  public void start() {
    BridgeLog.quietWatchFailures();
    started = true;
    String host = env.getOrDefault(HOST_ENV, "127.0.0.1");
    int port;
    try {
      port = guardPort(env, config);
    } catch (IllegalStateException unusable) {
      fail(unusable.getMessage());
      return;
    }
    guard.listen(LOOPBACK.contains(host) ? host : "127.0.0.1", port)
        .onSuccess(actual -> register(host, actual))
        .onFailure(err -> fail("the bridge guard cannot listen on " + host + ":" + port + ": " + err.getMessage()));
  }

  /**
   * The port the guard must listen on for the bridge to reach it: any free one, unless the bridge's environment
   * names one. The bridge takes its API address from KUBERNETES_SERVICE_HOST/PORT whenever they are set, over its
   * configuration; in a pod they name the real API server, and the bridge would bypass the guard.
   */
  public static int guardPort(Map<String, String> env, KubeConfig config) {
    String host = env.get(HOST_ENV);
    String port = env.get(PORT_ENV);
    if (host == null) {
      return 0;
    }
    if (!LOOPBACK.contains(host)) {
      throw new IllegalStateException("the Vert.x bridge is not started: it would take the API address from "
          + HOST_ENV + "/" + PORT_ENV + " (" + host + ":" + port + ") over its configuration and bypass its guard;"
          + " set " + HOST_ENV + "=127.0.0.1 and " + PORT_ENV + "=<a free port> for the client container, and --kube-api");
    }
    int guardPort;
    try {
      guardPort = port == null ? 0 : Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalStateException(PORT_ENV + " must be a port number, got '" + port + "'");
    }
    if (LOOPBACK.contains(config.apiUrl().getHost()) && config.apiPort() == guardPort) {
      throw new IllegalStateException("the Vert.x bridge is not started: " + HOST_ENV + "/" + PORT_ENV
          + " point the bridge at its guard, so pass --kube-api with the API server's address");
    }
    return guardPort;
  }

  /**
   * Registers the importer once the API answers the list it starts with: a failed first list makes the bridge
   * log stack traces and give up for good, where later failures only make it retry every 2 s.
   */
  private void register(String host, int port) {
    if (closed) {
      return;
    }
    KubernetesServiceImporter importer = new KubernetesServiceImporter();
    JsonObject importerConfig = new JsonObject()
        .put("host", host)
        .put("port", port)
        .put("ssl", false)
        .put("namespace", config.namespace())
        .put("token", guard.token());
    api.list("/api/v1/namespaces/" + config.namespace() + "/services").result()
        .compose(firstListWorks -> discovery.registerServiceImporter(importer, importerConfig))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            error = null;
            backoff.reset();
            return;
          }
          importer.close(null); // a failed start leaves its HTTP client open
          String reason = "Vert.x Kubernetes bridge could not import services: " + ar.cause().getMessage();
          if (error == null) {
            LOG.warning(reason + " (retrying)");
          }
          error = reason;
          if (!closed) {
            retryTimer = vertx.setTimer(backoff.nextDelayMs(), id -> register(host, port));
          }
        });
  }

  private void fail(String reason) {
    error = reason;
    LOG.warning(reason);
  }

  /** The Service as the bridge imported it: name, cluster IP, port, labels; or why it is not known. And the guard's counts. */
  public Future<JsonObject> service() {
    if (!started) {
      return Future.succeededFuture(new JsonObject().put("error", "bridge not started"));
    }
    return discovery.getRecord(r -> config.service().equals(r.getName()) && !EndpointSliceImporter.TYPE.equals(r.getType()))
        .map(record -> (record == null
        ? new JsonObject().put("error", error != null ? error : "Service " + config.namespace() + "/" + config.service() + " not (yet) imported")
        : describe(record))
        .put("guard", guard.counts().toJson().put("bridge_watch_failures_unlogged", BridgeLog.dropped())));
  }

  private static JsonObject describe(Record record) {
    JsonObject location = record.getLocation();
    return new JsonObject()
        .put("name", record.getName())
        .put("cluster_ip", location.getString("host"))
        .put("port", location.getInteger("port"))
        .put("port_name", location.getString("name"))
        .put("labels", record.getMetadata());
  }

  /** Stops retrying and closes the guard (stopping the watches it forwards); the discovery's owner closes it. */
  public Future<Void> close() {
    closed = true;
    vertx.cancelTimer(retryTimer);
    return guard.close();
  }
}
