package lab.grpclb.discovery;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.parsetools.RecordParser;
import java.util.function.Function;
import lab.grpclb.config.KubeConfig;

/**
 * The few Kubernetes API calls discovery needs: list, and watch as a stream of JSON lines. Over TLS the API
 * server's certificate is verified against the service account CA; the bearer token file is read again for
 * every request, so a rotated (projected) token is picked up without a restart.
 */
public final class KubeApiClient {
  private final Vertx vertx;
  private final KubeConfig config;
  private final HttpClient http;

  public KubeApiClient(Vertx vertx, KubeConfig config) {
    this.vertx = vertx;
    this.config = config;
    HttpClientOptions options = new HttpClientOptions()
        .setDefaultHost(config.apiUrl().getHost())
        .setDefaultPort(config.apiPort())
        .setConnectTimeout(5_000)
        .setTcpKeepAlive(true);
    if (config.tls()) {
      options.setSsl(true).setVerifyHost(true).setTrustOptions(new PemTrustOptions().addCertPath(config.caFile()));
    }
    this.http = vertx.createHttpClient(options);
  }

  public KubeConfig config() {
    return config;
  }

  /** A list answers in seconds; a watch sends a bookmark about every minute, so 3 silent minutes is a dead one. */
  static final long LIST_IDLE_TIMEOUT_S = 30;
  static final long WATCH_IDLE_TIMEOUT_S = 180;

  /** GET a list; fails with {@link KubeApiException} on any status but 200. */
  public ApiRequest<JsonObject> list(String pathAndQuery) {
    return send(new ApiRequest<>(vertx.getOrCreateContext()), pathAndQuery, LIST_IDLE_TIMEOUT_S,
        resp -> resp.body().compose(body -> resp.statusCode() == 200
            ? Future.succeededFuture(body.toJsonObject())
            : Future.failedFuture(new KubeApiException(resp.statusCode(), "list", pathAndQuery, body.toString()))));
  }

  /**
   * Opens a watch and hands every event to the handler, in order, until it is stopped. The result completes
   * when the server ends the stream, fails when it could not be opened or broke.
   */
  public ApiRequest<Void> watch(String pathAndQuery, Handler<JsonObject> onEvent) {
    ApiRequest<Void> call = new ApiRequest<>(vertx.getOrCreateContext());
    return send(call, pathAndQuery, WATCH_IDLE_TIMEOUT_S, resp -> {
      if (resp.statusCode() != 200) {
        return resp.body().compose(body ->
            Future.failedFuture(new KubeApiException(resp.statusCode(), "watch", pathAndQuery, body.toString())));
      }
      Promise<Void> ended = Promise.promise();
      RecordParser lines = RecordParser.newDelimited("\n", resp).handler(line -> {
        if (line.length() == 0 || ended.future().isComplete() || call.stopped()) {
          return;
        }
        try {
          onEvent.handle(line.toJsonObject());
        } catch (RuntimeException malformed) {
          ended.tryFail(new IllegalStateException("malformed watch event from the API server: " + malformed));
          resp.request().reset();
        }
      });
      lines.exceptionHandler(ended::tryFail);
      lines.endHandler(v -> ended.tryComplete());
      resp.exceptionHandler(ended::tryFail);
      return ended.future();
    });
  }

  private <T> ApiRequest<T> send(ApiRequest<T> call, String pathAndQuery, long idleTimeoutSeconds,
      Function<HttpClientResponse, Future<T>> answer) {
    // The answer's handlers go on in the send step, on the event loop: attached later, from another thread, they
    // can miss a response that has already ended, whose body or end then never comes (vert.x#5904).
    token().compose(token -> {
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setURI(pathAndQuery)
          .setIdleTimeout(idleTimeoutSeconds * 1000).putHeader("Accept", "application/json");
      if (token != null) {
        options.putHeader("Authorization", "Bearer " + token);
      }
      return http.request(options);
    }).compose(req -> call.attach(req) ? req.send().compose(answer) : Future.failedFuture("API request stopped"))
        .onComplete(call::finish);
    return call;
  }

  /** The bearer token, read afresh (asynchronously); null when there is no token file on a plain-HTTP API. */
  Future<String> token() {
    return vertx.fileSystem().exists(config.tokenFile()).compose(exists -> {
      if (!exists) {
        return config.tls()
            ? Future.failedFuture("service account token file " + config.tokenFile() + " is missing (--kube-token-file)")
            : Future.succeededFuture((String) null);
      }
      return vertx.fileSystem().readFile(config.tokenFile()).map(Buffer::toString).map(String::trim);
    });
  }

  public Future<Void> close() {
    return http.close();
  }
}
