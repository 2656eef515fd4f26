package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cells kubectl prints, computed as the real API server's printers compute them. */
class TablePrinterTest {
  static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

  static JsonObject metadata(String name, Duration age) {
    return new JsonObject().put("name", name).put("creationTimestamp", NOW.minus(age).toString());
  }

  static JsonObject pod(String name, String phase, JsonObject state, boolean ready, boolean deleting) {
    JsonObject metadata = metadata(name, Duration.ofSeconds(42));
    if (deleting) {
      metadata.put("deletionTimestamp", NOW.plusSeconds(20).toString());
    }
    return new JsonObject().put("metadata", metadata)
        .put("spec", new JsonObject().put("nodeName", "local").put("containers", new JsonArray().add(new JsonObject().put("name", "c"))))
        .put("status", new JsonObject().put("phase", phase).put("podIPs", new JsonArray().add(new JsonObject().put("ip", "127.0.0.9")))
            .put("containerStatuses", new JsonArray().add(new JsonObject().put("ready", ready).put("restartCount", 0).put("state", state))));
  }

  static final JsonObject RUNNING = new JsonObject().put("running", new JsonObject());
  static final JsonObject CREATING = new JsonObject().put("waiting", new JsonObject().put("reason", "ContainerCreating"));

  @Test
  void ageIsApimachinerysHumanDuration() {
    String[][] cases = {{"0", "0s"}, {"119", "119s"}, {"120", "2m"}, {"125", "2m5s"}, {"600", "10m"}, {"10799", "179m"},
        {"10800", "3h"}, {"27000", "7h30m"}, {"28800", "8h"}, {"172799", "47h"}, {"273600", "3d4h"}, {"864000", "10d"},
        {"69120000", "2y70d"}, {"315360000", "10y"}};
    for (String[] c : cases) {
      assertEquals(c[1], TablePrinter.humanDuration(Duration.ofSeconds(Long.parseLong(c[0]))), c[0] + " s");
    }
    assertEquals("0s", TablePrinter.humanDuration(Duration.ofMillis(-900)), "a clock a little ahead is now");
    assertEquals("<invalid>", TablePrinter.humanDuration(Duration.ofSeconds(-5)));
  }

  @Test
  void aPodReadsReadyStatusRestartsAgeThenIpNodeAndTheGatesWide() {
    assertEquals(List.of("p", "1/1", "Running", "0", "42s", "127.0.0.9", "local", "<none>", "<none>"),
        TablePrinter.cells(ApiResource.PODS, pod("p", "Running", RUNNING, true, false), NOW));
    assertEquals(List.of("p", "0/1", "ContainerCreating"),
        TablePrinter.cells(ApiResource.PODS, pod("p", "Pending", CREATING, false, false), NOW).subList(0, 3));
    assertEquals(List.of("p", "1/1", "Terminating"),
        TablePrinter.cells(ApiResource.PODS, pod("p", "Running", RUNNING, true, true), NOW).subList(0, 3),
        "a deletion under way reads Terminating whatever the containers say");
    assertEquals("Succeeded", TablePrinter.cells(ApiResource.PODS, pod("p", "Succeeded", new JsonObject(), false, true), NOW).get(2),
        "a finished pod is not terminating");
  }

  @Test
  void anEndpointSliceShowsThreeAddressesThenHowManyMore() {
    JsonArray endpoints = new JsonArray();
    for (int i = 2; i <= 6; i++) {
      endpoints.add(new JsonObject().put("addresses", new JsonArray().add("127.0.0." + i)));
    }
    JsonObject slice = new JsonObject().put("metadata", metadata("s", Duration.ofMinutes(5))).put("addressType", "IPv4")
        .put("ports", new JsonArray().add(new JsonObject().put("name", "grpc").put("port", 50051)))
        .put("endpoints", endpoints);
    assertEquals(List.of("s", "IPv4", "50051", "127.0.0.2,127.0.0.3,127.0.0.4 + 2 more...", "5m"),
        TablePrinter.cells(ApiResource.ENDPOINTSLICES, slice, NOW));
    JsonObject empty = new JsonObject().put("metadata", metadata("e", Duration.ZERO)).put("addressType", "IPv4");
    assertEquals(List.of("e", "IPv4", "<unset>", "<unset>", "0s"), TablePrinter.cells(ApiResource.ENDPOINTSLICES, empty, NOW));
  }

  @Test
  void aServiceShowsTypeClusterIpExternalIpPortsAgeAndItsSelectorWide() {
    JsonObject service = new JsonObject().put("metadata", metadata("greeter-server", Duration.ofHours(2)))
        .put("spec", new JsonObject().put("type", "ClusterIP").put("clusterIPs", new JsonArray().add("10.96.0.10"))
            .put("selector", new JsonObject().put("tier", "b").put("app", "a"))
            .put("ports", new JsonArray().add(new JsonObject().put("port", 50051).put("protocol", "TCP"))
                .add(new JsonObject().put("port", 80).put("nodePort", 30080).put("protocol", "TCP"))));
    assertEquals(List.of("greeter-server", "ClusterIP", "10.96.0.10", "<none>", "50051/TCP,80:30080/TCP", "120m", "app=a,tier=b"),
        TablePrinter.cells(ApiResource.SERVICES, service, NOW));
    List<String> wide = TablePrinter.columns(ApiResource.PODS).stream().filter(c -> c.priority() == 1).map(TablePrinter.Column::name).toList();
    assertEquals(List.of("IP", "Node", "Nominated Node", "Readiness Gates"), wide, "shown with -o wide only");
  }
}
