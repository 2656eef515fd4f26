package lab.grpclb.discovery;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of the Service's endpoints, merged from all its EndpointSlices, and which of them
 * calls may go to: the ready ones; when none is ready, the serving ones that are terminating (what
 * kube-proxy does), flagged as a fallback.
 */
public record EndpointSet(List<Endpoint> all, List<Endpoint> routable, boolean fallback) {
  public static final EndpointSet EMPTY = new EndpointSet(List.of(), List.of(), false);

  /** Merges slices; servicePort is a port name, or a number, or empty for the first port. */
  public static EndpointSet fromSlices(Collection<JsonObject> slices, String servicePort) {
    Map<String, Endpoint> byAddress = new LinkedHashMap<>();
    for (JsonObject slice : slices) {
      Integer port = port(slice, servicePort);
      if (port == null || slice.getJsonArray("endpoints") == null) {
        continue; // "endpoints": null is a slice with no pods yet
      }
      for (Object item : slice.getJsonArray("endpoints")) {
        JsonObject endpoint = (JsonObject) item;
        JsonObject conditions = endpoint.getJsonObject("conditions", new JsonObject());
        boolean ready = conditions.getBoolean("ready", true); // nil means unknown: treat as ready, as kube-proxy does
        boolean serving = conditions.getBoolean("serving", ready);
        boolean terminating = conditions.getBoolean("terminating", false);
        JsonObject targetRef = endpoint.getJsonObject("targetRef", new JsonObject());
        for (Object address : endpoint.getJsonArray("addresses", new JsonArray())) {
          Endpoint e = new Endpoint((String) address, port, targetRef.getString("name", ""), ready, serving, terminating,
              endpoint.getString("zone"), forZones(endpoint));
          byAddress.put(e.key(), e);
        }
      }
    }
    return of(byAddress.values());
  }

  /** The set of these endpoints, in address order, with the ones calls may go to. */
  public static EndpointSet of(Collection<Endpoint> endpoints) {
    List<Endpoint> all = new ArrayList<>(endpoints);
    all.sort(Comparator.comparing(Endpoint::key));
    List<Endpoint> ready = all.stream().filter(Endpoint::ready).toList();
    if (!ready.isEmpty()) {
      return new EndpointSet(List.copyOf(all), ready, false);
    }
    List<Endpoint> serving = all.stream().filter(e -> e.serving() && e.terminating()).toList();
    return new EndpointSet(List.copyOf(all), serving, !serving.isEmpty());
  }

  /** {@code hints.forZones[].name} (discovery.k8s.io/v1), empty when the slice gives no hint. */
  static List<String> forZones(JsonObject endpoint) {
    JsonObject hints = endpoint.getJsonObject("hints");
    JsonArray zones = hints == null ? null : hints.getJsonArray("forZones");
    if (zones == null) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (Object zone : zones) {
      if (zone instanceof JsonObject named && named.getString("name") != null) {
        names.add(named.getString("name"));
      }
    }
    return List.copyOf(names);
  }

  private static Integer port(JsonObject slice, String servicePort) {
    JsonArray ports = slice.getJsonArray("ports");
    if (ports == null || ports.isEmpty()) {
      return null;
    }
    for (Object item : ports) {
      JsonObject port = (JsonObject) item;
      if (servicePort.equals(port.getString("name")) || servicePort.equals(String.valueOf(port.getInteger("port")))) {
        return port.getInteger("port");
      }
    }
    return ports.getJsonObject(0).getInteger("port"); // no port named so: the first, as the flag's doc says
  }
}
