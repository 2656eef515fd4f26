package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import lab.grpclb.experiment.ReportJson;

/**
 * The local cluster as a user drives it: the experiment client's HTTP API and the cluster controls on the same
 * port, over loopback. The report uses nothing else, so it measures what a curl user would see: like curl, one
 * connection per request (a request sent on a pooled connection the server is closing can go unanswered,
 * vert.x#2772), and every control request has a time limit, so a report never hangs on one.
 */
final class LabApi {
  /**
   * A query of the cluster or the client: answered at once, so one unanswered for this long is asked again,
   * once (in the full test suite a loopback GET between two Vert.x endpoints of one JVM went unanswered about
   * once in three runs, never when run alone; the cause is not found).
   */
  static final long QUERY_TIMEOUT_MS = 3_000;
  /** A scale or a pod change answers once the pods are ready (the deployment's own limit is 30 s). */
  static final long CHANGE_TIMEOUT_MS = 60_000;
  /** A rollout answers once every pod is replaced (its own limit is 120 s). */
  static final long ROLLOUT_TIMEOUT_MS = 150_000;
  private final HttpClient http;

  LabApi(Vertx vertx, int port) {
    this.http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setKeepAlive(false));
  }

  Future<Run> experiment(String type, int n) {
    return experiment(type, "n=" + n);
  }

  /** An experiment with the given query besides its type (a load shape, runs=K). */
  Future<Run> experiment(String type, String query) {
    return call(HttpMethod.GET, "/experiment/client?type=" + URLEncoder.encode(type, StandardCharsets.UTF_8) + "&" + query, 200,
        0).map(json -> new Run(ReportJson.fromJson(json)));
  }

  Future<JsonObject> cluster() {
    return query("/cluster");
  }

  Future<JsonObject> scale(int replicas) {
    return call(HttpMethod.POST, "/cluster/scale?replicas=" + replicas, 200, CHANGE_TIMEOUT_MS);
  }

  Future<JsonObject> deletePod(String name) {
    return call(HttpMethod.DELETE, "/cluster/pods/" + URLEncoder.encode(name, StandardCharsets.UTF_8), 202, CHANGE_TIMEOUT_MS);
  }

  Future<JsonObject> delay(String pod, int ms) {
    return call(HttpMethod.POST, "/cluster/pods/" + URLEncoder.encode(pod, StandardCharsets.UTF_8) + "/delay?ms=" + ms, 200, CHANGE_TIMEOUT_MS);
  }

  Future<JsonObject> errors(String pod, double rate, String status) {
    return call(HttpMethod.POST, "/cluster/pods/" + URLEncoder.encode(pod, StandardCharsets.UTF_8) + "/errors?rate=" + rate
        + "&status=" + status, 200, CHANGE_TIMEOUT_MS);
  }

  /** ClientWithKubeResolver's outlier ejection, as {@code POST /balancer/outlier-ejection?QUERY} sets it. */
  Future<JsonObject> ejection(String query) {
    return call(HttpMethod.POST, "/balancer/outlier-ejection?" + query, 200, CHANGE_TIMEOUT_MS);
  }

  Future<JsonObject> maxConnectionAge(int ms) {
    return call(HttpMethod.POST, "/cluster/max-connection-age?ms=" + ms, 200, CHANGE_TIMEOUT_MS);
  }

  /** {@code kubectl rollout restart}: answers once every pod is replaced. */
  Future<JsonObject> rollout() {
    return call(HttpMethod.POST, "/cluster/rollout", 200, ROLLOUT_TIMEOUT_MS);
  }

  Future<JsonObject> status() {
    return query("/status");
  }

  Future<Void> close() {
    return http.close();
  }

  /** A GET that changes nothing: one that gets no answer is sent again, once. */
  private Future<JsonObject> query(String uri) {
    return send(HttpMethod.GET, uri, QUERY_TIMEOUT_MS)
        .recover(unanswered -> send(HttpMethod.GET, uri, QUERY_TIMEOUT_MS))
        .compose(response -> read(response, HttpMethod.GET, uri, 200));
  }

  /** {@code timeoutMs} 0: no limit but the one the answer brings itself (an experiment's call deadlines). */
  private Future<JsonObject> call(HttpMethod method, String uri, int expected, long timeoutMs) {
    return send(method, uri, timeoutMs).compose(response -> read(response, method, uri, expected));
  }

  private Future<HttpClientResponse> send(HttpMethod method, String uri, long timeoutMs) {
    RequestOptions options = new RequestOptions().setMethod(method).setURI(uri);
    if (timeoutMs > 0) {
      options.setIdleTimeout(timeoutMs);
    }
    return http.request(options)
        .compose(request -> request.send())
        .recover(err -> Future.failedFuture(method + " " + uri + " got no answer: " + err.getMessage()));
  }

  private static Future<JsonObject> read(HttpClientResponse response, HttpMethod method, String uri, int expected) {
    return response.body().compose(body -> {
      JsonObject json;
      try {
        json = body.length() == 0 ? new JsonObject() : body.toJsonObject();
      } catch (DecodeException e) {
        return Future.failedFuture(method + " " + uri + " answered " + response.statusCode() + ", not JSON");
      }
      if (response.statusCode() != expected) {
        return Future.failedFuture(method + " " + uri + " answered " + response.statusCode() + ": "
            + json.getString("error", json.encode()));
      }
      return Future.succeededFuture(json);
    });
  }
}
