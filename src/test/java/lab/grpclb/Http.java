package lab.grpclb;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.lang.ref.Reference;
import java.util.concurrent.TimeUnit;

/** A blocking HTTP helper for the JUnit thread (never an event loop). */
public final class Http {
  private final HttpClient client;

  public Http(Vertx vertx) {
    this.client = vertx.createHttpClient();
  }

  /** With these options: over TLS, trusting a CA, for the local control plane. */
  public Http(Vertx vertx, HttpClientOptions options) {
    this.client = vertx.createHttpClient(options);
  }

  public record Answer(int status, JsonObject body, MultiMap headers) {
  }

  public Answer get(int port, String uri) throws Exception {
    return send(HttpMethod.GET, port, uri);
  }

  public Answer send(HttpMethod method, int port, String uri) throws Exception {
    return sendAsync(method, port, uri).await(60, TimeUnit.SECONDS);
  }

  /**
   * The body is asked for in the send step, on the event loop: asked for from the caller's thread, it can come
   * after the response ended and never arrive (see ResponseBodyRaceTest). The answer's last step holds this
   * helper, so that a caller who keeps only the future keeps the client too: Vert.x 5 closes an HttpClient nothing
   * references any more, pending requests and all ("Pool closed"; a request of InterruptTest, made with a helper
   * nobody held, never reached the client 3 times in 5 runs).
   */
  public Future<Answer> sendAsync(HttpMethod method, int port, String uri) {
    return client.request(method, port, "127.0.0.1", uri)
        .compose(req -> req.send().compose(resp -> resp.body().map(body -> new Answer(resp.statusCode(),
            body.length() == 0 ? new JsonObject() : body.toJsonObject(), resp.headers()))))
        .andThen(answered -> Reference.reachabilityFence(this));
  }
}
