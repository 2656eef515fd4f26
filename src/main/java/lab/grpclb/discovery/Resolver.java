package lab.grpclb.discovery;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Where a balanced channel's endpoints come from (grpc-java's {@code NameResolver}): Kubernetes EndpointSlices
 * through the ServiceDiscovery ({@link KubeDiscovery}), or a headless Service's DNS name ({@link DnsDiscovery}).
 * Each tells the {@link EndpointsListener} it was made with every new snapshot.
 */
public interface Resolver {

  /** Starts resolving; the first snapshot follows. */
  void start();

  /** A connection failed: resolve again if this resolver polls. From any thread. */
  default void requestResolution() {
  }

  /** Null when calls can be routed; else what is wrong and which setting to check. */
  String unavailableReason();

  /** What the resolver sees, for {@code GET /status}. */
  Future<JsonObject> status();

  /** Stops resolving and releases what it holds. */
  Future<Void> close();
}
