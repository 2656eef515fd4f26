package lab.grpclb.discovery;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.Status;

/**
 * The one codec between a pod {@link Endpoint} and its Vert.x ServiceDiscovery {@link Record}: the importer writes
 * records with it and the balancer's side reads them back with it. A ready endpoint's record is UP, any other
 * OUT_OF_SERVICE. Each record is marked with the importer that wrote it, because every ServiceDiscovery of one Vert.x
 * shares one registry, and two clients in one process (tests do that) must not route to each other's pods.
 */
final class EndpointRecords {
  /** The records' type: one gRPC server endpoint (a pod IP and port). */
  static final String TYPE = "grpc-endpoint";

  private final String importer;
  private final String namespace;
  private final String service;

  EndpointRecords(String importer, String namespace, String service) {
    this.importer = importer;
    this.namespace = namespace;
    this.service = service;
  }

  /** A new record for {@code endpoint}. */
  Record toRecord(Endpoint endpoint) {
    return update(new Record()
        .setType(TYPE)
        .setName(service)
        .setLocation(new JsonObject().put("host", endpoint.ip()).put("port", endpoint.port())
            .put("endpoint", endpoint.key())), endpoint);
  }

  /** {@code record}, published before, now saying what {@code endpoint} says (its conditions changed). */
  Record update(Record record, Endpoint endpoint) {
    return record
        .setMetadata(new JsonObject().put("importer", importer).put("service", service).put("namespace", namespace)
            .put("pod", endpoint.pod()).put("ready", endpoint.ready()).put("serving", endpoint.serving())
            .put("terminating", endpoint.terminating()).put("zone", endpoint.zone())
            .put("for_zones", endpoint.forZones().isEmpty() ? null : new JsonArray(endpoint.forZones())))
        .setStatus(endpoint.ready() ? Status.UP : Status.OUT_OF_SERVICE);
  }

  /** The record as an endpoint again: what the balancer routes to. */
  static Endpoint fromRecord(Record record) {
    JsonObject location = record.getLocation();
    JsonObject metadata = record.getMetadata();
    return new Endpoint(location.getString("host"), location.getInteger("port"), metadata.getString("pod", ""),
        metadata.getBoolean("ready", false), metadata.getBoolean("serving", false),
        metadata.getBoolean("terminating", false), metadata.getString("zone"), forZones(metadata));
  }

  private static List<String> forZones(JsonObject metadata) {
    JsonArray zones = metadata.getJsonArray("for_zones");
    return zones == null ? List.of() : zones.stream().map(String::valueOf).toList();
  }

  /** Whether {@code record} is one of this codec's (its importer's, for its Service). */
  boolean written(Record record) {
    return TYPE.equals(record.getType()) && service.equals(record.getName())
        && importer.equals(record.getMetadata().getString("importer"));
  }

  /** Whether an announcement (a record as JSON) is about one of this codec's records. */
  boolean announces(JsonObject record) {
    return TYPE.equals(record.getString("type"))
        && importer.equals(record.getJsonObject("metadata", new JsonObject()).getString("importer"));
  }
}
