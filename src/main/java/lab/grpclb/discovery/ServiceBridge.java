package lab.grpclb.discovery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import io.vertx.servicediscovery.kubernetes.KubernetesServiceImporter;
import java.util.logging.Logger;
import lab.grpclb.config.KubeConfig;

/**
 * The Vert.x Kubernetes discovery bridge, used for what it does: it imports the Service (its existence,
 * cluster IP, port, labels) into a Vert.x ServiceDiscovery. It never sees pods, so routing does not depend
 * on it. Note: the bridge connects to the API server with trust-all TLS and reads the token once; our
 * EndpointSlice watch verifies the server and re-reads the token.
 */
public final class ServiceBridge {
  private static final Logger LOG = Logger.getLogger(ServiceBridge.class.getName());

  private final Vertx vertx;
  private final KubeConfig config;
  private final KubeApiClient api;
  private ServiceDiscovery discovery;
  private volatile String error;

  public ServiceBridge(Vertx vertx, KubeApiClient api) {
    this.vertx = vertx;
    this.api = api;
    this.config = api.config();
  }

  public void start() {
    discovery = ServiceDiscovery.create(vertx);
    api.token().compose(token -> {
      JsonObject importerConfig = new JsonObject()
          .put("host", config.apiUrl().getHost())
          .put("port", config.apiPort())
          .put("ssl", config.tls())
          .put("namespace", config.namespace());
      if (token != null) {
        importerConfig.put("token", token);
      } else {
        importerConfig.put("token", "none"); // an API without auth: keep the bridge off the pod token file
      }
      return discovery.registerServiceImporter(new KubernetesServiceImporter(), importerConfig);
    }).onComplete(ar -> {
      error = ar.failed() ? "Vert.x Kubernetes bridge could not import services: " + ar.cause().getMessage() : null;
      if (ar.failed()) {
        LOG.warning(error);
      }
    });
  }

  /** The Service as the bridge imported it: name, cluster IP, port, labels; or why it is not known. */
  public Future<JsonObject> service() {
    if (discovery == null) {
      return Future.succeededFuture(new JsonObject().put("error", "bridge not started"));
    }
    return discovery.getRecord(r -> config.service().equals(r.getName())).map(record -> record == null
        ? new JsonObject().put("error", error != null ? error : "Service " + config.namespace() + "/" + config.service() + " not (yet) imported")
        : describe(record));
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

  public void close() {
    if (discovery != null) {
      discovery.close();
    }
  }
}
