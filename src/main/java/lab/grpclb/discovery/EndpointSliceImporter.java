package lab.grpclb.discovery;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.spi.ServiceImporter;
import io.vertx.servicediscovery.spi.ServicePublisher;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;
import lab.grpclb.config.KubeConfig;

/**
 * The EndpointSlice watch as a discovery bridge in Vert.x's own sense: a {@link ServiceImporter}, registered on
 * the same ServiceDiscovery as the stock KubernetesServiceImporter, that publishes one record per pod endpoint
 * and updates and unpublishes them as the slices change. A ready endpoint's record is UP, any other
 * OUT_OF_SERVICE, so {@code discovery.getRecords(...)} shows exactly the ready pods and, with
 * out-of-service records, every pod the slices list. The balancer routes from those records
 * ({@link DiscoveredEndpoints}).
 */
public final class EndpointSliceImporter implements ServiceImporter {
  private static final Logger LOG = Logger.getLogger(EndpointSliceImporter.class.getName());
  /** The records' type: one gRPC server endpoint (a pod IP and port). */
  public static final String TYPE = EndpointRecords.TYPE;

  private final String id = UUID.randomUUID().toString();
  private final KubeConfig config;
  private final EndpointRecords codec;
  private final EndpointSliceWatch watch;
  private ServicePublisher publisher;
  /** By endpoint key, what was last published, and the record it became (chained, so updates keep their order). */
  private Map<String, Endpoint> published = new HashMap<>();
  private final Map<String, Future<Record>> records = new HashMap<>();
  private boolean failureLogged;

  public EndpointSliceImporter(Vertx vertx, KubeApiClient api) {
    this.config = api.config();
    this.codec = new EndpointRecords(id, config.namespace(), config.service());
    this.watch = new EndpointSliceWatch(vertx, api, this::sync);
  }

  @Override
  public void start(Vertx vertx, ServicePublisher publisher, JsonObject configuration, Promise<Void> future) {
    this.publisher = publisher;
    watch.start();
    future.complete();
  }

  public WatchStatus status() {
    return watch.status();
  }

  public long errors(WatchErrorKind kind) {
    return watch.errors(kind);
  }

  /** How this importer's records are written, and read back. */
  EndpointRecords records() {
    return codec;
  }

  /** Stops the watch for good (see {@link EndpointSliceWatch#close()}), then unpublishes every record it published. */
  public Future<Void> close() {
    return watch.close().compose(v -> {
      if (publisher == null) {
        return Future.succeededFuture();
      }
      List<Future<Void>> removed = records.values().stream()
          .map(record -> record.compose(r -> publisher.unpublish(r.getRegistration()))).toList();
      records.clear();
      published = new HashMap<>();
      return Future.join(removed).<Void>mapEmpty().otherwiseEmpty();
    });
  }

  @Override
  public void close(Handler<Void> closeHandler) {
    close().onComplete(ar -> closeHandler.handle(null));
  }

  @Override
  public String toString() {
    return "EndpointSliceImporter[" + config.namespace() + "/" + config.service() + "]";
  }

  /** Runs on the watch's context with each new snapshot: publishes, updates and unpublishes the difference. */
  private void sync(EndpointSet set) {
    Map<String, Endpoint> next = new LinkedHashMap<>();
    set.all().forEach(endpoint -> next.put(endpoint.key(), endpoint));
    next.forEach((key, endpoint) -> {
      Endpoint before = published.get(key);
      if (before == null) {
        records.put(key, watchFailure(publisher.publish(codec.toRecord(endpoint))));
      } else if (!before.equals(endpoint)) {
        records.put(key, watchFailure(records.get(key).compose(old -> publisher.update(codec.update(old, endpoint)))));
      }
    });
    published.keySet().stream().filter(key -> !next.containsKey(key)).toList().forEach(key ->
        watchFailure(records.remove(key).compose(old -> publisher.unpublish(old.getRegistration()).map(old))));
    published = next;
  }

  private <T> Future<T> watchFailure(Future<T> operation) {
    return operation.onFailure(err -> {
      if (!failureLogged) { // the local registry does not fail; if a custom backend does, say so once
        failureLogged = true;
        LOG.warning("could not publish an endpoint record: " + err.getMessage());
      }
    });
  }
}
