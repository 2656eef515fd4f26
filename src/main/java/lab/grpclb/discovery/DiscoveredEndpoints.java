package lab.grpclb.discovery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import java.util.List;

/**
 * The balancer's side of discovery: the endpoint set read from the ServiceDiscovery's records of the Service,
 * rebuilt on each announcement. Announcements of one slice change arrive together (a scale-up of 10 publishes 10
 * records): while a read is in flight, further ones only mark it dirty, so the balancer sees a few snapshots,
 * not one per record.
 */
final class DiscoveredEndpoints {
  private final Vertx vertx;
  private final ServiceDiscovery discovery;
  private final String announceAddress;
  private final EndpointRecords codec;
  private final EndpointsListener listener;
  private MessageConsumer<JsonObject> consumer;
  private EndpointSet last;
  private boolean reading;
  private boolean dirty;
  private volatile long snapshots;

  DiscoveredEndpoints(Vertx vertx, ServiceDiscovery discovery, String announceAddress, EndpointRecords codec,
                      EndpointsListener listener) {
    this.vertx = vertx;
    this.discovery = discovery;
    this.announceAddress = announceAddress;
    this.codec = codec;
    this.listener = listener;
  }

  /** Call on the context the reads should run on (one context: the flags need no locks). */
  void start() {
    consumer = vertx.eventBus().consumer(announceAddress, message -> {
      if (codec.announces(message.body())) {
        read();
      }
    });
  }

  Future<Void> close() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  private void read() {
    if (reading) {
      dirty = true;
      return;
    }
    reading = true;
    discovery.getRecords(codec::written, true).onComplete(ar -> {
      reading = false;
      if (ar.succeeded()) {
        EndpointSet set = EndpointSet.of(ar.result().stream().map(EndpointRecords::fromRecord).toList());
        if (!set.equals(last)) {
          last = set;
          snapshots++;
          listener.endpointsChanged(set);
        }
      }
      if (dirty) {
        dirty = false;
        read();
      }
    });
  }

  /** Endpoint sets handed to the balancer so far: each one may swap its picker. */
  long snapshots() {
    return snapshots;
  }

  /** The records the balancer routes from: every endpoint of the Service, ready (UP) or not. */
  Future<List<Record>> records() {
    return discovery.getRecords(codec::written, true);
  }
}
