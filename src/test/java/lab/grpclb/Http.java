package lab.grpclb;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/** A blocking HTTP helper for the JUnit thread (never an event loop). */
public final class Http {
  private final HttpClient client;

  public Http(Vertx vertx) {
    this.client = vertx.createHttpClient();
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
   * after the response ended and never arrive (see ResponseBodyRaceTest).
   */
  public Future<Answer> sendAsync(HttpMethod method, int port, String uri) {
    return client.request(method, port, "127.0.0.1", uri)
        .compose(req -> req.send().compose(resp -> resp.body().map(body -> new Answer(resp.statusCode(),
            body.length() == 0 ? new JsonObject() : body.toJsonObject(), resp.headers()))));
  }
}
