package lab.grpclb.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Why every test helper asks for a response's body inside the step that sends the request (issue #20, item 8).
 * Vert.x 5.0.7 hands a response's bytes only to a {@code body()} asked for before the response ended; one asked
 * for later returns a future that never completes, and the request's timeout was cancelled when the head came
 * (vert.x#5904, fixed after 5.0.7 by #6071). A chain built on the JUnit thread,
 * {@code request().compose(send).compose(body)}, attaches its body step from that thread: when the thread loses
 * its core for longer than a loopback round trip (a loaded full suite), the response has ended by then and the GET
 * waits forever, its connection closed and every event loop idle. That was the "lost" request.
 */
@ExtendWith(VertxExtension.class)
class ResponseBodyRaceTest {
  HttpServer server;
  HttpClient client;
  /** Completed when the client closes its connection: keep-alive off, it does so once the response has ended. */
  final Promise<Void> closed = Promise.promise();

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    server = vertx.createHttpServer().requestHandler(request -> request.response().end("answered"))
        .listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
    client = vertx.httpClientBuilder().with(new HttpClientOptions().setKeepAlive(false))
        .withConnectHandler(connection -> connection.closeHandler(v -> closed.tryComplete())).build();
  }

  Future<HttpClientRequest> get() {
    return client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/");
  }

  @Test
  void aBodyAskedForAfterTheResponseEndedNeverComes() throws Exception {
    Future<HttpClientResponse> sent = get().compose(HttpClientRequest::send);
    closed.future().await(5, TimeUnit.SECONDS); // the JUnit thread stalled this long
    assertThrows(TimeoutException.class, () -> sent.compose(HttpClientResponse::body).await(1, TimeUnit.SECONDS),
        "Vert.x now keeps a body asked for late (vert.x#6071): the helpers' rule is no longer needed, only harmless");
  }

  @Test
  void aBodyAskedForInTheSendStepComesHoweverLateTheCallerWaits() throws Exception {
    Future<Buffer> body = get().compose(request -> request.send().compose(HttpClientResponse::body));
    closed.future().await(5, TimeUnit.SECONDS);
    assertEquals("answered", body.await(1, TimeUnit.SECONDS).toString());
  }
}
