package lab.grpclb.discovery;

import static lab.grpclb.TestLab.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import lab.grpclb.TestLab;
import lab.grpclb.local.ApiResource;
import lab.grpclb.local.ControlPlane;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The EndpointSlice watch's lifecycle against the project's control plane over HTTP: stop() really stops
 * (the server sees the watch close, no retry fires, nothing reaches the listener), and the typed state.
 */
@ExtendWith(VertxExtension.class)
class EndpointSliceWatchTest {
  static final int PORT = 50070; // only written into slices: nothing connects to it

  TestLab lab;
  ControlPlane api;
  KubeApiClient client;
  final List<EndpointSet> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    lab = TestLab.kube(vertx).start();
    api = lab.api();
    api.apply(ApiResource.ENDPOINTSLICES, NS, Slices.slice("greeter-server-abc", PORT, endpoints("127.0.0.60")));
    client = new KubeApiClient(vertx, lab.kubeConfig());
  }

  @AfterEach
  void stop() throws Exception {
    client.close().await(5, TimeUnit.SECONDS);
    lab.close();
  }

  static JsonArray endpoints(String... ips) {
    JsonArray endpoints = new JsonArray();
    for (String ip : ips) {
      endpoints.add(new JsonObject().put("addresses", new JsonArray().add(ip))
          .put("conditions", new JsonObject().put("ready", true)));
    }
    return endpoints;
  }

  EndpointSliceWatch watch(List<EndpointSet> listener, Backoff backoff) {
    EndpointSliceWatch watch = new EndpointSliceWatch(lab.vertx(), client, listener::add, backoff);
    watch.start();
    return watch;
  }

  @Test
  void stopClosesTheWatchOnTheServerAndNoLaterSliceReachesTheListener() throws Exception {
    EndpointSliceWatch watch = watch(seen, new Backoff(250, 30_000));
    Await.until(() -> seen.size() == 1 && api.openWatches() == 1, "listed, then watching");

    watch.close().await(5, TimeUnit.SECONDS);
    assertEquals(WatchState.STOPPED, watch.status().state());
    assertFalse(watch.status().connected());
    Await.until(() -> api.openWatches() == 0, "the control plane saw the watch close");

    // A second, running watch is the witness: once it has the new slice, the stopped one would have had it.
    List<EndpointSet> witnessed = new CopyOnWriteArrayList<>();
    EndpointSliceWatch witness = watch(witnessed, new Backoff(250, 30_000));
    Await.until(() -> witnessed.size() == 1 && api.openWatches() == 1, "the witness watches");
    api.apply(ApiResource.ENDPOINTSLICES, NS, Slices.slice("greeter-server-abc", PORT, endpoints("127.0.0.60", "127.0.0.61")));
    Await.until(() -> witnessed.size() == 2, "the witness got the new slice");
    assertEquals(1, seen.size(), "nothing delivered after stop(): " + seen);
    witness.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void stopWhileBackingOffSendsNoFurtherRequest() throws Exception {
    api.failNextRequests(1_000, 500);
    EndpointSliceWatch watch = watch(seen, new Backoff(40, 40)); // retries 20-40 ms apart
    Await.until(() -> watch.status().state() == WatchState.BACKING_OFF, "backing off after a 500");
    assertNotNull(watch.status().nextRetryAt(), watch.status().toString());

    watch.close().await(5, TimeUnit.SECONDS);
    api.failNextRequests(0, 500); // a retry now would list, then open a watch
    lab.vertx().timer(120).await(5, TimeUnit.SECONDS); // well past any retry the backoff had scheduled

    assertEquals(Set.of("list endpointslices.discovery.k8s.io"), api.requestsSeen(), "no retry after stop()");
    assertEquals(0, api.openWatches());
    assertTrue(seen.isEmpty(), seen.toString());
    assertEquals(WatchState.STOPPED, watch.status().state());
    assertNull(watch.status().nextRetryAt());
  }

  @Test
  void statusShowsTheTypedStateThroughA401AndBack() throws Exception {
    api.requireToken("rotated");
    EndpointSliceWatch watch = watch(seen, new Backoff(20, 40));
    Await.until(() -> watch.status().state() == WatchState.UNAUTHORIZED, "the 401 is seen");
    WatchStatus refused = watch.status();
    assertFalse(refused.synced());
    assertTrue(refused.lastError().contains("HTTP 401"), refused.lastError());
    JsonObject json = refused.toJson();
    assertEquals("unauthorized", json.getString("state"));
    assertFalse(json.getBoolean("connected"));
    assertNotNull(json.getString("last_error_at"));
    assertNotNull(json.getString("next_retry_at"), "when the next try is due");

    Files.writeString(lab.tokenFile(), "rotated"); // re-read on the next try
    Await.until(() -> watch.status().state() == WatchState.WATCHING && api.openWatches() == 1, "recovered");
    json = watch.status().toJson();
    assertEquals("watching", json.getString("state"));
    assertTrue(json.getBoolean("connected"));
    assertTrue(json.getBoolean("synced"));
    assertNull(json.getString("next_retry_at"));
    assertEquals(1, json.getInteger("slices"));
    assertTrue(json.getInteger("lists") >= 2, json.encode());
    assertEquals(1, seen.size());
    watch.close().await(5, TimeUnit.SECONDS);
    assertEquals("stopped", watch.status().toJson().getString("state"));
  }

  @Test
  void closingDiscoveryStopsTheWatchAndClosesTheApiClient() throws Exception {
    KubeDiscovery discovery = new KubeDiscovery(lab.vertx(), client.config(), seen::add);
    discovery.start();
    Await.until(() -> seen.size() == 1 && api.openWatches() == 2, "the bridge's Service watch and our EndpointSlice watch");
    assertNull(discovery.unavailableReason());

    discovery.close().await(5, TimeUnit.SECONDS);
    assertTrue(discovery.unavailableReason().contains("stopped"), discovery.unavailableReason());
    Await.until(() -> api.openWatches() == 0, "both watches closed on the server");
  }
}
