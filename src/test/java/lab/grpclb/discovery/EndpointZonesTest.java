package lab.grpclb.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An endpoint's zone and topology hints, read from EndpointSlice JSON as discovery.k8s.io/v1 writes them and carried
 * through the one codec between endpoints and ServiceDiscovery records. No socket: the slice JSON is built here.
 */
class EndpointZonesTest {

  static JsonObject endpoint(String ip, String zone, String... forZones) {
    JsonObject endpoint = new JsonObject().put("addresses", new JsonArray().add(ip))
        .put("conditions", new JsonObject().put("ready", true))
        .put("targetRef", new JsonObject().put("kind", "Pod").put("name", "pod-" + ip));
    if (zone != null) {
      endpoint.put("zone", zone);
    }
    if (forZones.length > 0) {
      JsonArray hints = new JsonArray();
      for (String name : forZones) {
        hints.add(new JsonObject().put("name", name));
      }
      endpoint.put("hints", new JsonObject().put("forZones", hints));
    }
    return endpoint;
  }

  static EndpointSet parse(JsonObject... endpoints) {
    JsonObject slice = new JsonObject().put("endpoints", new JsonArray(List.of((Object[]) endpoints)))
        .put("ports", new JsonArray().add(new JsonObject().put("name", "grpc").put("port", 50051)));
    return EndpointSet.fromSlices(List.of(slice), "grpc");
  }

  @Test
  void readsTheZoneAndTheHintsOfEachEndpoint() {
    EndpointSet set = parse(endpoint("10.0.0.1", "zone-a", "zone-a"), endpoint("10.0.0.2", "zone-b", "zone-b", "zone-c"),
        endpoint("10.0.0.3", null));
    assertEquals(List.of("zone-a", "zone-b"), set.all().subList(0, 2).stream().map(Endpoint::zone).toList());
    assertEquals(List.of("zone-a"), set.all().get(0).forZones());
    assertEquals(List.of("zone-b", "zone-c"), set.all().get(1).forZones());
    assertEquals(null, set.all().get(2).zone(), "a slice without zones");
    assertEquals(List.of(), set.all().get(2).forZones(), "no hints");
  }

  @Test
  void hintsWithoutForZonesOrNamesAreNoHints() {
    JsonObject odd = endpoint("10.0.0.1", "zone-a").put("hints", new JsonObject());
    JsonObject unnamed = endpoint("10.0.0.2", "zone-a").put("hints", new JsonObject()
        .put("forZones", new JsonArray().add(new JsonObject())));
    EndpointSet set = parse(odd, unnamed);
    assertEquals(List.of(List.of(), List.of()), set.all().stream().map(Endpoint::forZones).toList());
  }

  @Test
  void theRecordCodecKeepsZoneAndHints() {
    EndpointRecords codec = new EndpointRecords("importer-1", "default", "greeter-server");
    Endpoint hinted = new Endpoint("10.0.0.1", 50051, "pod-a", true, true, false, "zone-a", List.of("zone-a", "zone-b"));
    Endpoint plain = new Endpoint("10.0.0.2", 50051, "pod-b", true, true, false);
    assertEquals(hinted, EndpointRecords.fromRecord(codec.toRecord(hinted)));
    assertEquals(plain, EndpointRecords.fromRecord(codec.toRecord(plain)));
    Endpoint moved = hinted.inZone("zone-c", List.of());
    assertEquals(moved, EndpointRecords.fromRecord(codec.update(codec.toRecord(hinted), moved)), "an update drops them");
  }
}
