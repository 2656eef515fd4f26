package lab.grpclb.discovery;

import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;

/** One pod endpoint of the Service, as its EndpointSlice describes it ({@code zone} is null when the slice has none). */
public record Endpoint(String ip, int port, String pod, boolean ready, boolean serving, boolean terminating, String zone) {

  public Endpoint(String ip, int port, String pod, boolean ready, boolean serving, boolean terminating) {
    this(ip, port, pod, ready, serving, terminating, null);
  }

  public String key() {
    return ip + ":" + port;
  }

  public SocketAddress address() {
    return SocketAddress.inetSocketAddress(port, ip);
  }

  public JsonObject toJson() {
    return new JsonObject().put("ip", ip).put("port", port).put("pod", pod)
        .put("ready", ready).put("serving", serving).put("terminating", terminating).put("zone", zone);
  }
}
