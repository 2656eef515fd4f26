package lab.grpclb.discovery;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import lab.grpclb.server.GreeterServer;

/** EndpointSlices as the endpoint controller writes them, for tests. */
public final class Slices {
  private Slices() {
  }

  public static JsonObject endpoint(GreeterServer server, boolean ready, boolean terminating) {
    return new JsonObject()
        .put("addresses", new JsonArray().add(server.config().podIp()))
        .put("conditions", new JsonObject().put("ready", ready).put("serving", ready || terminating).put("terminating", terminating))
        .put("targetRef", new JsonObject().put("kind", "Pod").put("name", "pod-" + server.config().podIp()));
  }

  /** A slice of ready endpoints; all servers of one test listen on one port, as pods of one Deployment do. */
  public static JsonObject slice(String name, int port, List<GreeterServer> servers) {
    JsonArray endpoints = new JsonArray();
    servers.forEach(s -> endpoints.add(endpoint(s, true, false)));
    return slice(name, port, endpoints);
  }

  public static JsonObject slice(String name, int port, JsonArray endpoints) {
    return new JsonObject()
        .put("metadata", new JsonObject().put("name", name)
            .put("labels", new JsonObject().put("kubernetes.io/service-name", "greeter-server")))
        .put("addressType", "IPv4")
        .put("endpoints", endpoints == null || endpoints.isEmpty() ? null : endpoints)
        .put("ports", new JsonArray().add(new JsonObject().put("name", "grpc").put("port", port).put("protocol", "TCP")));
  }
}
