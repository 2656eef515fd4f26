package lab.grpclb.discovery;

import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;

/** One pod endpoint of the Service, as its EndpointSlice describes it. */
public record Endpoint(String ip, int port, String pod, boolean ready, boolean serving, boolean terminating) {

  public String key() {
    return ip + ":" + port;
  }

  public SocketAddress address() {
    return SocketAddress.inetSocketAddress(port, ip);
  }

  public JsonObject toJson() {
    return new JsonObject().put("ip", ip).put("port", port).put("pod", pod)
        .put("ready", ready).put("serving", serving).put("terminating", terminating);
  }
}
