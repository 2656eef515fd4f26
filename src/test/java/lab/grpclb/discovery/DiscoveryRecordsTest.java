package lab.grpclb.discovery;

import static lab.grpclb.TestLab.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import lab.grpclb.Await;
import lab.grpclb.TestLab;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The EndpointSlice importer on the client's Vert.x ServiceDiscovery, against the control plane over real HTTP:
 * the discovery holds one UP record per ready endpoint, and the balancer routes to exactly those.
 */
@ExtendWith(VertxExtension.class)
class DiscoveryRecordsTest {
  private static final Logger LOG = Logger.getLogger(DiscoveryRecordsTest.class.getName());
  static final int PORT = 50093;

  TestLab lab;
  ServiceDiscovery discovery;
  List<GreeterServer> servers;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    lab = TestLab.kube(vertx).withGreeters("127.0.0.110", 3, PORT, 10).withClient().start();
    discovery = lab.client().kubeDiscovery().serviceDiscovery();
    servers = lab.servers();
  }

  @AfterEach
  void stop() throws Exception {
    lab.close();
  }

  /** The IPs of the UP records of the Service: what {@code discovery.getRecords(...)} shows a user. */
  Set<String> upRecords() throws Exception {
    List<Record> records = discovery.getRecords(new JsonObject().put("type", EndpointSliceImporter.TYPE)
        .put("name", "greeter-server")).await(5, TimeUnit.SECONDS);
    Set<String> ips = new TreeSet<>();
    records.forEach(r -> ips.add(r.getLocation().getString("host")));
    return ips;
  }

  Set<String> routed() {
    Set<String> ips = new TreeSet<>();
    lab.channel().endpoints().forEach(e -> ips.add(e.replaceFirst(":\\d+$", "")));
    return ips;
  }

  Set<String> ips(List<GreeterServer> list) {
    Set<String> ips = new TreeSet<>();
    list.forEach(s -> ips.add(s.config().podIp()));
    return ips;
  }

  long snapshots() {
    return lab.kubeStatus().getLong("endpoint_snapshots");
  }

  @Test
  void oneRecordPerReadyEndpointThroughScaleUpScaleDownAndARelist() throws Exception {
    assertEquals(ips(servers), upRecords(), "after the list");
    Record one = discovery.getRecord(r -> "127.0.0.110".equals(r.getLocation().getString("host"))).await(5, TimeUnit.SECONDS);
    assertEquals(PORT, one.getLocation().getInteger("port"));
    assertEquals(new JsonObject().put("service", "greeter-server").put("namespace", NS).put("pod", "pod-127.0.0.110")
        .put("ready", true).put("serving", true).put("terminating", false), copyWithout(one.getMetadata(), "importer", "zone", "for_zones"));

    long before = snapshots();
    lab.addGreeters(10, 10);
    long appliedAt = System.nanoTime();
    lab.publish();
    Await.until(() -> routed().size() == 13, "13 endpoints routable");
    LOG.info(() -> "10 new endpoints routable " + (System.nanoTime() - appliedAt) / 1_000_000 + " ms after the slice was written");
    assertEquals(ips(servers), upRecords(), "after the scale-up");
    long swaps = snapshots() - before;
    assertTrue(swaps >= 1 && swaps <= 3, "a scale-up of 10 reached the balancer in " + swaps + " snapshots");

    JsonArray endpoints = new JsonArray();
    servers.forEach(s -> endpoints.add(Slices.endpoint(s, servers.indexOf(s) < 2, servers.indexOf(s) >= 2)));
    lab.publish(endpoints);
    Await.until(() -> routed().size() == 2, "2 endpoints after the scale-down");
    assertEquals(ips(servers.subList(0, 2)), upRecords(), "after the scale-down: terminating records are out of service");
    List<Record> all = discovery.getRecords(r -> EndpointSliceImporter.TYPE.equals(r.getType()), true).await(5, TimeUnit.SECONDS);
    assertEquals(13, all.size(), "terminating endpoints stay listed, out of service");

    lab.api().compact();
    lab.api().closeWatches();
    lab.publish(servers.subList(0, 4));
    Await.until(() -> routed().size() == 4, "4 endpoints after the relist");
    assertEquals(ips(servers.subList(0, 4)), upRecords(), "after the 410 relist");
    assertEquals(routed(), upRecords(), "the balancer routes to exactly the UP records");
  }

  @Test
  void closingTheClientUnpublishesItsRecords() throws Exception {
    lab.closeClient(lab.client());
    ServiceDiscovery other = ServiceDiscovery.create(lab.vertx());
    try {
      List<Record> left = other.getRecords(r -> EndpointSliceImporter.TYPE.equals(r.getType()), true).await(5, TimeUnit.SECONDS);
      assertEquals(List.of(), left, "a closed client leaves no records in the shared registry");
    } finally {
      other.close();
    }
  }

  private static JsonObject copyWithout(JsonObject json, String... keys) {
    JsonObject copy = json.copy();
    for (String key : keys) {
      copy.remove(key);
    }
    return copy;
  }
}
