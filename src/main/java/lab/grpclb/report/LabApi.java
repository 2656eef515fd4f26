package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
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
 * vert.x#2772), and every control request has a time limit, so a report never hangs on one. Requests that
 * change nothing or set a value are asked again once when unanswered: in the test suite a loopback request
 * between two Vert.x endpoints of one JVM goes unanswered now and then (see the tests' AskAgain).
 */
final class LabApi {
  /**
   * A query of the cluster or the client: answered at once, so one unanswered for this long is asked again,
   * once (in the full test suite a loopback GET between two Vert.x endpoints of one JVM went unanswered about
   * once in three runs, never when run alone; the cause is not found).
   */
  static final long QUERY_TIMEOUT_MS = 3_000;
  /**
   * A scale or a pod change answers once the pods are ready, and within the deployment's own limit (30 s) when
   * they are not: one unanswered for longer was lost on the way.
   */
  static final long CHANGE_TIMEOUT_MS = 35_000;
  /** A pod deletion answers once its replacement serves. */
  static final long DELETE_TIMEOUT_MS = 60_000;
  /** A rollout answers once every pod is replaced (its own limit is 120 s). */
  static final long ROLLOUT_TIMEOUT_MS = 150_000;
  private final HttpClient http;
  /** The client's --api-token, sent as a bearer token; null for an open API. */
  private final String token;

  LabApi(Vertx vertx, int port, String token) {
    this.http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setKeepAlive(false));
    this.token = token;
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
    return set("/cluster/scale?replicas=" + replicas);
  }

  Future<JsonObject> deletePod(String name) {
    return call(HttpMethod.DELETE, "/cluster/pods/" + URLEncoder.encode(name, StandardCharsets.UTF_8), 202, DELETE_TIMEOUT_MS);
  }

  Future<JsonObject> delay(String pod, int ms) {
    return set("/cluster/pods/" + URLEncoder.encode(pod, StandardCharsets.UTF_8) + "/delay?ms=" + ms);
  }

  Future<JsonObject> errors(String pod, double rate, String status) {
    return set("/cluster/pods/" + URLEncoder.encode(pod, StandardCharsets.UTF_8) + "/errors?rate=" + rate + "&status=" + status);
  }

  /** ClientWithKubeResolver's outlier ejection, as {@code POST /balancer/outlier-ejection?QUERY} sets it. */
  Future<JsonObject> ejection(String query) {
    return set("/balancer/outlier-ejection?" + query);
  }

  Future<JsonObject> maxConnectionAge(int ms) {
    return set("/cluster/max-connection-age?ms=" + ms);
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
    return askTwice(HttpMethod.GET, uri, QUERY_TIMEOUT_MS);
  }

  /**
   * A POST that sets a value (a replica count, a delay, an error rate): sending it twice does no harm, so one
   * that got no answer is sent again, once, as a query is.
   */
  private Future<JsonObject> set(String uri) {
    return askTwice(HttpMethod.POST, uri, CHANGE_TIMEOUT_MS);
  }

  private Future<JsonObject> askTwice(HttpMethod method, String uri, long timeoutMs) {
    return send(method, uri, timeoutMs)
        .recover(unanswered -> send(method, uri, timeoutMs))
        .compose(response -> read(response, method, uri, 200));
  }

  /** {@code timeoutMs} 0: no limit but the one the answer brings itself (an experiment's call deadlines). */
  private Future<JsonObject> call(HttpMethod method, String uri, int expected, long timeoutMs) {
    return send(method, uri, timeoutMs).compose(response -> read(response, method, uri, expected));
  }

  private Future<HttpClientResponse> send(HttpMethod method, String uri, long timeoutMs) {
    RequestOptions options = new RequestOptions().setMethod(method).setURI(uri);
    if (token != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token);
    }
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
