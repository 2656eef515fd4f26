package lab.grpclb.discovery;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.util.List;

/**
 * One pod endpoint of the Service, as its EndpointSlice describes it: {@code zone} is the slice's
 * {@code endpoints[].zone} (null when it has none), {@code forZones} its {@code endpoints[].hints.forZones[].name},
 * the zones Kubernetes' topology-aware routing asks to send this endpoint's traffic from (empty when no hint).
 */
public record Endpoint(String ip, int port, String pod, boolean ready, boolean serving, boolean terminating, String zone,
                       List<String> forZones) {

  public Endpoint {
    forZones = forZones == null ? List.of() : List.copyOf(forZones);
  }

  public Endpoint(String ip, int port, String pod, boolean ready, boolean serving, boolean terminating) {
    this(ip, port, pod, ready, serving, terminating, null, List.of());
  }

  public String key() {
    return ip + ":" + port;
  }

  public SocketAddress address() {
    return SocketAddress.inetSocketAddress(port, ip);
  }

  /** This endpoint in zone {@code newZone} with the hints {@code hints}. */
  public Endpoint inZone(String newZone, List<String> hints) {
    return new Endpoint(ip, port, pod, ready, serving, terminating, newZone, hints);
  }

  public JsonObject toJson() {
    return new JsonObject().put("ip", ip).put("port", port).put("pod", pod)
        .put("ready", ready).put("serving", serving).put("terminating", terminating).put("zone", zone)
        .put("for_zones", forZones.isEmpty() ? null : new JsonArray(forZones));
  }
}
