package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The control plane's fault switches, seen by a plain list/watch client over HTTP, as the discovery code sees them. */
@ExtendWith(VertxExtension.class)
class ControlPlaneFaultsTest {
  static final String NS = "default";
  static final String SLICES = ApiResource.ENDPOINTSLICES.path(NS);

  ControlPlane api;
  HttpClient http;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    api = new ControlPlane(vertx, new ControlPlane.Options(60_000, 60_000)).listen("127.0.0.1", 0).await(5, TimeUnit.SECONDS);
    http = vertx.createHttpClient();
    apply("slice-a");
  }

  @AfterEach
  void stop() throws Exception {
    http.close().await(5, TimeUnit.SECONDS);
    api.close().await(5, TimeUnit.SECONDS);
  }

  void apply(String name) {
    api.apply(ApiResource.ENDPOINTSLICES, NS, new JsonObject().put("metadata", new JsonObject().put("name", name))
        .put("addressType", "IPv4").putNull("endpoints"));
  }

  /** An answer's status, and its body as it arrives. */
  record Exchange(int status, Future<Buffer> body) {
  }

  /**
   * Asks for the body inside the response future's own callback, which runs as the head arrives. From the JUnit
   * thread every call gets a fresh context, so a callback one composition later (on {@code request()}'s future)
   * is a separate task: a short answer's body and end can be delivered before it, and body() then never completes.
   */
  Future<Exchange> exchange(String uri) {
    return http.request(HttpMethod.GET, api.port(), "127.0.0.1", uri)
        .compose(req -> req.send().map(resp -> new Exchange(resp.statusCode(), resp.body())));
  }

  record RawAnswer(int status, String body) {
  }

  /** A whole answer. */
  RawAnswer fetch(String uri) throws Exception {
    return exchange(uri).compose(e -> e.body().map(b -> new RawAnswer(e.status(), b.toString())))
        .await(5, TimeUnit.SECONDS);
  }

  JsonObject list() throws Exception {
    return new JsonObject(fetch(SLICES).body());
  }

  /** A watch from the list's resourceVersion: its 200 has come once this returns; the body completes when it ends. */
  Future<Buffer> openWatch() throws Exception {
    String rv = list().getJsonObject("metadata").getString("resourceVersion");
    Exchange watch = exchange(SLICES + "?watch=true&resourceVersion=" + rv).await(5, TimeUnit.SECONDS);
    assertEquals(200, watch.status());
    Await.until(() -> api.openWatches() == 1, "the watch is open");
    return watch.body();
  }

  @Test
  void theNextRequestsGet500AsAStatusThenServiceResumes() throws Exception {
    api.faults().failNext(2, 500);
    for (int i = 0; i < 2; i++) {
      RawAnswer answer = fetch(SLICES);
      JsonObject status = new JsonObject(answer.body());
      assertEquals(500, answer.status());
      assertEquals("Status", status.getString("kind"));
      assertEquals(500, status.getInteger("code"));
      assertEquals("Failure", status.getString("status"));
    }
    assertEquals("EndpointSliceList", list().getString("kind"), "the third request is served");
    assertEquals(2, api.faults().counts().failuresAnswered());
  }

  @Test
  void afterACompactionAResumeGets200ThenOne410ExpiredErrorEvent() throws Exception {
    String rv = list().getJsonObject("metadata").getString("resourceVersion");
    apply("slice-b");
    api.faults().compact();
    RawAnswer answer = fetch(SLICES + "?watch=true&resourceVersion=" + rv);
    String body = answer.body().trim();
    assertEquals(200, answer.status());
    JsonObject event = new JsonObject(body);
    assertEquals("ERROR", event.getString("type"), body);
    assertEquals(410, event.getJsonObject("object").getInteger("code"), body);
    assertEquals("Expired", event.getJsonObject("object").getString("reason"), body);
    assertEquals(1, api.faults().counts().compactions());
    assertEquals(1, api.faults().counts().expiredAnswered());
  }

  @Test
  void aDroppedWatchBreaksOffWithoutItsLastChunkWhereAClosedOneEndsCleanly() throws Exception {
    Future<Buffer> closed = openWatch();
    api.closeWatches();
    assertTrue(closed.await(5, TimeUnit.SECONDS) != null, "a watch the server ends completes normally");

    Future<Buffer> dropped = openWatch();
    assertEquals(1, api.faults().dropWatches());
    Throwable error = null;
    try {
      dropped.await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      error = e;
    }
    assertTrue(error != null && !(error instanceof java.util.concurrent.TimeoutException),
        "the client sees the stream break: " + error);
    assertEquals(0, api.openWatches());
    assertEquals(new ControlPlaneFaults.FaultsInjected(1, 1, 0, 0, 0), api.faults().counts());
  }
}
